import { ERROR_CLASSES, type ErrorName, GatewayError } from '../domain/errors.js';
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

/** Defines the GraphQL type of one registered error: its name is the class's name. */
function errorType<N extends ErrorName>(
  name: N,
  options: {
    description: string;
    fields?: (
      t: PothosSchemaTypes.ObjectFieldBuilder<Types, InstanceType<(typeof ERROR_CLASSES)[N]>>,
    ) => Record<string, unknown>;
  },
) {
  return builder.objectType(ERROR_CLASSES[name] as typeof GatewayError, {
    name,
    description: options.description,
    interfaces: [ErrorInterface],
    // biome-ignore lint/suspicious/noExplicitAny: the field builder of this error's own class
    ...(options.fields ? { fields: options.fields as any } : {}),
  });
}

/**
 * One GraphQL type per entry of the error registry (`ERROR_CLASSES`): TypeScript refuses this
 * object if an error has no type here.
 */
export const ERROR_TYPES = {
  InvalidPhoneNumber: errorType('InvalidPhoneNumber', {
    description: 'The phone number is not a Vietnamese mobile number in a form the gateway reads.',
    fields: (t) => ({
      input: t.exposeString('input', { description: 'The value that was given.' }),
    }),
  }),
  InvalidInput: errorType('InvalidInput', {
    description: 'An input field is malformed (too long, wrong characters, wrong length).',
    fields: (t) => ({
      field: t.exposeString('field', { description: 'The input field, e.g. `otp`, `utm.source`.' }),
    }),
  }),
  PackageNotAvailable: errorType('PackageNotAvailable', {
    description: 'The package does not exist, or is not sold for this subscriber’s carrier.',
    fields: (t) => ({
      packageCode: t.exposeString('packageCode', { description: 'The package code asked for.' }),
      telco: t.expose('telco', { type: TelcoEnum, description: 'The subscriber’s carrier.' }),
    }),
  }),
  OtpRateLimited: errorType('OtpRateLimited', {
    description: 'Too many OTP requests for this phone or from this client; nothing was sent.',
    fields: (t) => ({
      retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
        description: 'Seconds until one more request fits under the limit.',
      }),
      limit: t.exposeString('limit', {
        description:
          'The limit reached: PHONE_PER_HOUR, PHONE_PER_10_MINUTES or CLIENT_PER_MINUTE.',
      }),
    }),
  }),
  OtpAlreadySent: errorType('OtpAlreadySent', {
    description:
      'An OTP for this phone and package is still open, or a registration of it has an unknown outcome; no new OTP was sent. Register with the open order (which also settles an UNKNOWN one), or wait until its OTP expires.',
    fields: (t) => ({
      order: orderField(t, 'The open order.'),
    }),
  }),
  VendorRejected: errorType('VendorRejected', {
    description: 'The vendor refused the request. Its own code and message are given as they came.',
    fields: (t) => ({
      vendor: t.exposeString('vendor', { description: 'Which vendor, e.g. `dmall`.' }),
      ...vendorFields(t),
      order: orderField(t, 'The order, now FAILED.'),
    }),
  }),
  VendorUnavailable: errorType('VendorUnavailable', {
    description:
      'The vendor could not be reached, failed, or did not answer in time. When `outcomeUnknown` is true the vendor may have acted: the order is UNKNOWN and must be checked, not blindly retried.',
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
  }),
  IdempotencyKeyReused: errorType('IdempotencyKeyReused', {
    description:
      'This idempotency key was already used for a different request. Nothing was done; use a new key.',
  }),
  RequestInProgress: errorType('RequestInProgress', {
    description:
      'The first request with this idempotency key is still running. Retry with the same key to get its result.',
    fields: (t) => ({
      retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
        description:
          'Seconds after which a retry with the same key gets a real answer: the first request’s result, or, if the gateway running it stopped, the state it left.',
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
} satisfies Record<ErrorName, unknown>;
