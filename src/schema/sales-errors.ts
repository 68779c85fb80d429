/** The errors of the sale (`requestOtp`, `registerWithOtp`), beside `sales.ts`. */
import { OTP_LIMITS, type OtpLimit } from '../domain/errors.js';
import { builder } from './builder.js';
import { describedValues } from './enum-values.js';
import { errorType, type Types } from './error-base.js';
import { OrderRef } from './order.js';
import { recordField } from './records.js';
import { TelcoEnum } from './telco.js';

/**
 * The `order` field of an error about one order the caller made or acted on. Non-null like the
 * success types' `order`, so a client can select `order` on every member of a result union
 * without aliases.
 */
function orderField<T extends { orderId: string }>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, T>,
  description: string,
) {
  return recordField(t, 'Order', {
    type: OrderRef,
    key: (e) => e.orderId,
    description,
    nullable: false,
  });
}

/** The vendor's own code and message, as they came. */
function vendorFields<T extends { vendorCode: string | null; vendorMessage: string | null }>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, T>,
) {
  return {
    vendorCode: t.string({
      nullable: true,
      description: 'The vendor’s error code.',
      resolve: (e) => e.vendorCode,
    }),
    vendorMessage: t.string({
      nullable: true,
      description: 'The vendor’s message, often in Vietnamese.',
      resolve: (e) => e.vendorMessage,
    }),
  };
}

const OTP_LIMIT_DESCRIPTIONS: Record<OtpLimit, string> = {
  PHONE_PER_HOUR: 'OTP requests for one phone in the last hour (`OTP_LIMIT_PER_PHONE_HOUR`).',
  PHONE_PER_10_MINUTES:
    'OTP requests for one phone in the last 10 minutes (`OTP_LIMIT_PER_PHONE_10MIN`).',
  CLIENT_PER_MINUTE:
    'OTP requests from one client (`x-client-id`) in the last minute (`OTP_LIMIT_PER_CLIENT_MINUTE`).',
};

export const OtpLimitEnum = builder.enumType('OtpLimit', {
  description: 'A limit on OTP requests.',
  values: describedValues(OTP_LIMITS, OTP_LIMIT_DESCRIPTIONS),
});

/** Each error of sales, keyed by name (gathered in `errors.ts`). */
export const SALES_ERROR_TYPES = {
  PackageNotAvailable: errorType('PackageNotAvailable', {
    description: 'The package does not exist, or is not sold for this subscriber’s carrier.',
    fields: (t) => ({
      packageCode: t.exposeString('packageCode', { description: 'The package code asked for.' }),
      telco: t.expose('telco', { type: TelcoEnum, description: 'The subscriber’s carrier.' }),
    }),
  }),
  OtpRateLimited: errorType('OtpRateLimited', {
    description: 'Too many OTP requests for this phone or from this client; nothing was sent.',
    retryAfter: 'Seconds until one more request fits under the limit.',
    fields: (t) => ({
      limit: t.expose('limit', { type: OtpLimitEnum, description: 'The limit reached.' }),
    }),
  }),
  OtpAlreadySent: errorType('OtpAlreadySent', {
    description:
      'An OTP for this phone and package is still open, or a registration of it has an unknown outcome; no new OTP was sent. Register with the open order (which also settles an UNKNOWN one), or wait until its OTP expires. Only a caller who may see the order gets this; any other gets `OtpAlreadySentElsewhere`.',
    fields: (t) => ({
      order: orderField(t, 'The open order.'),
    }),
  }),
  OtpAlreadySentElsewhere: errorType('OtpAlreadySentElsewhere', {
    description:
      'Another client has an OTP open for this phone and package, or a registration of it with an unknown outcome; no new OTP was sent. Its order is not shown. Ask again once it expires (`retryAfterSeconds`); a registration in doubt blocks the package until that client settles it.',
    fields: (t) => ({
      retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
        nullable: true,
        description:
          'Seconds until the other client’s OTP expires; null when its registration has an unknown outcome (no time is known).',
      }),
    }),
  }),
  OrderNotFound: errorType('OrderNotFound', {
    description: 'No order has this code.',
    fields: (t) => ({
      orderCode: t.exposeString('orderCode', { description: 'The code that was given.' }),
    }),
  }),
  OtpIncorrect: errorType('OtpIncorrect', {
    description:
      'The vendor did not accept the OTP. The order stays open until the attempts run out, then it is LOCKED.',
    fields: (t) => ({
      attemptsLeft: t.exposeInt('attemptsLeft', {
        description: 'Attempts left before the order locks; 0 means it is locked now.',
      }),
      ...vendorFields(t),
      order: orderField(t, 'The order after this attempt.'),
    }),
  }),
  OrderLocked: errorType('OrderLocked', {
    description: 'Too many wrong OTPs: the order takes no more. Request a new OTP.',
    fields: (t) => ({ order: orderField(t, 'The locked order.') }),
  }),
  OtpExpired: errorType('OtpExpired', {
    description: 'The OTP validity ran out before registration; the vendor was not called.',
    fields: (t) => ({ order: orderField(t, 'The expired order.') }),
  }),
  OrderNotOpen: errorType('OrderNotOpen', {
    description:
      'The order cannot take an OTP in its current state (already registered, failed, or a registration in progress).',
    fields: (t) => ({ order: orderField(t, 'The order, in its current state.') }),
  }),
};
