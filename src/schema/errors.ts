import {
  GatewayError,
  IdempotencyKeyReused,
  InvalidInput,
  InvalidPhoneNumber,
  OrderLocked,
  OrderNotFound,
  OrderNotOpen,
  OtpAlreadySent,
  OtpExpired,
  OtpIncorrect,
  OtpRateLimited,
  PackageNotAvailable,
  RequestInProgress,
  VendorRejected,
  VendorUnavailable,
} from '../domain/errors.js';
import { builder } from './builder.js';
import { OrderRef } from './order.js';
import { TelcoEnum } from './telco.js';

/**
 * Expected failures are part of the schema: each kind is a type implementing `Error`, listed on
 * the fields that can produce it, so clients get `...Result` unions and switch on `__typename`.
 * Anything not listed is masked by Yoga and reaches the client as "Unexpected error.".
 */
export const ErrorInterface = builder.interfaceRef<GatewayError>('Error').implement({
  description: 'An expected failure: a message a person can read, and a stable machine code.',
  fields: (t) => ({
    message: t.exposeString('message', {
      description: 'What went wrong, in words fit to show a clerk.',
    }),
    code: t.exposeString('code', {
      description: 'A stable code for programs, e.g. INVALID_PHONE_NUMBER.',
    }),
  }),
});

builder.objectType(GatewayError, {
  name: 'BaseError',
  description: 'A failure with no more specific type.',
  interfaces: [ErrorInterface],
});

builder.objectType(InvalidPhoneNumber, {
  name: 'InvalidPhoneNumber',
  description: 'The phone number is not a Vietnamese mobile number in a form the gateway reads.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    input: t.exposeString('input', { description: 'The value that was given.' }),
  }),
});

builder.objectType(InvalidInput, {
  name: 'InvalidInput',
  description: 'An input field is malformed (too long, wrong characters, wrong length).',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field, e.g. `otp`, `utm.source`.' }),
  }),
});

builder.objectType(PackageNotAvailable, {
  name: 'PackageNotAvailable',
  description: 'The package does not exist, or is not sold for this subscriber’s carrier.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    packageCode: t.exposeString('packageCode', { description: 'The package code asked for.' }),
    telco: t.expose('telco', { type: TelcoEnum, description: 'The subscriber’s carrier.' }),
  }),
});

builder.objectType(OtpRateLimited, {
  name: 'OtpRateLimited',
  description: 'Too many OTP requests for this phone or from this client; nothing was sent.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
      description: 'Seconds until one more request fits under the limit.',
    }),
    limit: t.exposeString('limit', {
      description: 'The limit reached: PHONE_PER_HOUR, PHONE_PER_10_MINUTES or CLIENT_PER_MINUTE.',
    }),
  }),
});

type Types = typeof builder.$inferSchemaTypes;

/**
 * The `order` field of an error about one order. Non-null like the success types' `order`, so
 * a client can select `order` on every member of a result union without aliases.
 */
function orderField<T extends { orderId: string }>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, T>,
  description: string,
) {
  return t.field({
    type: OrderRef,
    description,
    resolve: (e, _args, ctx) => ctx.loaders.order.load(e.orderId),
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

builder.objectType(OtpAlreadySent, {
  name: 'OtpAlreadySent',
  description:
    'An OTP for this phone and package is still open, or a registration of it has an unknown outcome; no new OTP was sent. Register with the open order (which also settles an UNKNOWN one), or wait until its OTP expires.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    order: orderField(t, 'The open order.'),
  }),
});

builder.objectType(VendorRejected, {
  name: 'VendorRejected',
  description: 'The vendor refused the request. Its own code and message are given as they came.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    vendor: t.exposeString('vendor', { description: 'Which vendor, e.g. `dmall`.' }),
    ...vendorFields(t),
    order: orderField(t, 'The order, now FAILED.'),
  }),
});

builder.objectType(VendorUnavailable, {
  name: 'VendorUnavailable',
  description:
    'The vendor could not be reached, failed, or did not answer in time. When `outcomeUnknown` is true the vendor may have acted: the order is UNKNOWN and must be checked, not blindly retried.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    vendor: t.exposeString('vendor', { description: 'Which vendor, e.g. `dmall`.' }),
    reason: t.exposeString('reason', {
      description:
        'VENDOR_TIMEOUT, VENDOR_UNAVAILABLE, VENDOR_HTTP or VENDOR_BAD_RESPONSE: what went wrong on the way.',
    }),
    outcomeUnknown: t.exposeBoolean('outcomeUnknown', {
      description: 'True when the vendor may have acted on the request.',
    }),
    order: orderField(t, 'The order, in the state the failure left it.'),
  }),
});

builder.objectType(IdempotencyKeyReused, {
  name: 'IdempotencyKeyReused',
  description:
    'This idempotency key was already used for a different request. Nothing was done; use a new key.',
  interfaces: [ErrorInterface],
});

builder.objectType(RequestInProgress, {
  name: 'RequestInProgress',
  description:
    'The first request with this idempotency key is still running. Retry with the same key to get its result.',
  interfaces: [ErrorInterface],
});

builder.objectType(OrderNotFound, {
  name: 'OrderNotFound',
  description: 'No order has this code.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    orderCode: t.exposeString('orderCode', { description: 'The code that was given.' }),
  }),
});

builder.objectType(OtpIncorrect, {
  name: 'OtpIncorrect',
  description:
    'The vendor did not accept the OTP. The order stays open until the attempts run out, then it is LOCKED.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    attemptsLeft: t.exposeInt('attemptsLeft', {
      description: 'Attempts left before the order locks; 0 means it is locked now.',
    }),
    ...vendorFields(t),
    order: orderField(t, 'The order after this attempt.'),
  }),
});

builder.objectType(OrderLocked, {
  name: 'OrderLocked',
  description: 'Too many wrong OTPs: the order takes no more. Request a new OTP.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ order: orderField(t, 'The locked order.') }),
});

builder.objectType(OtpExpired, {
  name: 'OtpExpired',
  description: 'The OTP validity ran out before registration; the vendor was not called.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ order: orderField(t, 'The expired order.') }),
});

builder.objectType(OrderNotOpen, {
  name: 'OrderNotOpen',
  description:
    'The order cannot take an OTP in its current state (already registered, failed, or a registration in progress).',
  interfaces: [ErrorInterface],
  fields: (t) => ({ order: orderField(t, 'The order, in its current state.') }),
});
