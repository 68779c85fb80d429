import { brandWithType } from '@pothos/core';
import { GraphQLError, type GraphQLErrorOptions } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import { RECORD_KINDS, type RecordKindName } from '../access.js';
import type { Context } from '../context.js';
import {
  ERROR_CLASSES,
  type ErrorName,
  errorMessage,
  GatewayError,
  VENDOR_ERROR_CODES,
  type VendorRejected,
  type VendorUnavailable,
} from '../domain/errors.js';
import { PROTOCOL_ERROR_CODES } from '../server/edge/refusal.js';
import { carrying } from '../server/localized-error.js';
import { builder } from './builder.js';
import { type ErrorEntry, ErrorInterface, errorType, topLevelError } from './error-base.js';
import { OA_PACKAGE_ERROR_TYPES } from './oa-package-errors.js';
import { PHONE_VERIFICATION_ERROR_TYPES } from './phone-verification-errors.js';
import { SALES_ERROR_TYPES } from './sales-errors.js';
import { VAS_ERROR_TYPES } from './vas-errors.js';
import { VendorFailureReasonEnum } from './vendor-failure.js';
import { VOICE_CALL_ERROR_TYPES } from './voice-call-errors.js';

export { ErrorInterface };

/**
 * The error model, one for the whole API:
 * - a mutation returns a result union: its success type or one of the error types it lists;
 * - a query or subscription answers `null` for "no such thing" where the field is nullable, and
 *   a top-level error (in `errors`, with `extensions.code`) for a bad argument;
 * - every error, in a union (`Error.code`) or at the top level (`extensions.code`), carries a
 *   value of the one `ErrorCode` enum, built below from the registry in `domain/errors.ts`.
 * Anything else is masked by Yoga and reaches the client as "Unexpected error." only.
 *
 * This file holds what every feature shares: the `Error` interface's fields and the enum, the
 * vendor error pair, the errors any mutation can answer, and masking. Each feature's own errors
 * are defined beside its fields (`sales-errors.ts`, `vas-errors.ts`, `voice-call-errors.ts`,
 * `phone-verification-errors.ts`, `oa-package-errors.ts`) and gathered in `ERROR_TYPES`.
 */

/**
 * What both vendor errors say: which vendor, what became of the call, and the ledger record it
 * left, seen only by a caller who may see it (null otherwise, and for a call that records
 * nothing, such as a VAS check, whose error is a top-level error).
 */
export const VendorErrorInterface = builder.interfaceRef<VendorRejected | VendorUnavailable>(
  'VendorError',
);
VendorErrorInterface.implement({
  description:
    'A vendor call that did not succeed, for every vendor alike: `VendorRejected` (it refused) or `VendorUnavailable` (no usable answer).',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    vendor: t.exposeString('vendor', {
      description: 'Which vendor: `dmall`, `vascloud`, `esms` or `voiceOtp`.',
    }),
    reason: t.field({
      type: VendorFailureReasonEnum,
      description:
        'What became of the call: refused (`VENDOR_REJECTED`) or why no usable answer came.',
      resolve: (e) => e.reason,
    }),
    outcomeUnknown: t.exposeBoolean('outcomeUnknown', {
      description:
        'True when the vendor may have acted (the record is UNKNOWN): settle it, do not retry with a new key.',
    }),
    vendorCode: t.exposeString('vendorCode', {
      nullable: true,
      description: 'The vendor’s own error code, as it came; null when it gave none.',
    }),
    vendorMessage: t.exposeString('vendorMessage', {
      nullable: true,
      description:
        'The vendor’s own message, as it came and in its language (often Vietnamese), whatever the caller’s `Accept-Language`; null when it gave none. `message` is the gateway’s, in the caller’s language.',
    }),
    // Typed by hand: Pothos cannot infer a field of the Node interface over a record kind.
    record: t.field({
      type: builder.nodeInterfaceRef(),
      nullable: true,
      description:
        'The ledger record the call was for (an `Order`, `VasTransaction`, `OAPackage` or `VoiceCall`), in the state the failure left it; null when the caller may not see it, or when its ledger is not a kind of `Node`.',
      resolve: async (e: VendorRejected | VendorUnavailable, _args: unknown, ctx: Context) => {
        const { kind, key } = e.record;
        if (!key || !(kind in RECORD_KINDS)) return null;
        const record = await ctx.access.get(kind as RecordKindName, key);
        if (!record) return null;
        // Tells the Node interface which type the record is (its kind is its type's name).
        brandWithType(record, kind as never);
        return record;
      },
    } as never),
  }),
});

/**
 * One entry per error of the registry (`ERROR_CLASSES`): TypeScript refuses this object if an
 * error is missing.
 */
export const ERROR_TYPES = {
  ...SALES_ERROR_TYPES,
  ...VAS_ERROR_TYPES,
  ...VOICE_CALL_ERROR_TYPES,
  ...PHONE_VERIFICATION_ERROR_TYPES,
  ...OA_PACKAGE_ERROR_TYPES,
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
  VendorRejected: errorType('VendorRejected', {
    description:
      'The vendor answered and refused the request: nothing was done, and the record says so (an order or VAS transaction FAILED, an OA purchase REJECTED, a voice call FAILED). The vendor’s own code and message are given as they came. One type for every vendor; `code` says which ledger (`VENDOR_REJECTED` for an order, `VAS_REJECTED`, `OA_PACKAGE_REJECTED`, `VOICE_CALL_REJECTED`).',
    interfaces: [VendorErrorInterface],
  }),
  VendorUnavailable: errorType('VendorUnavailable', {
    description:
      'The vendor could not be reached, failed, or did not answer in time. When `outcomeUnknown` is true the vendor may have acted: the record is UNKNOWN and must be settled (checked with the vendor), never blindly retried; otherwise nothing was done. One type for every vendor; `code` says which ledger (`VENDOR_UNAVAILABLE` for an order, `VAS_UNAVAILABLE`, `OA_PACKAGE_VENDOR_UNAVAILABLE`, `VOICE_CALL_UNAVAILABLE`).',
    interfaces: [VendorErrorInterface],
  }),
  IdempotencyKeyReused: errorType('IdempotencyKeyReused', {
    description:
      'This idempotency key was already used for a different request. Nothing was done; use a new key.',
  }),
  RequestInProgress: errorType('RequestInProgress', {
    description:
      'The first request with this idempotency key is still running. Retry with the same key to get its result.',
    retryAfter:
      'Seconds after which a retry with the same key gets a real answer: the first request’s result, or, if the gateway running it stopped, the state it left.',
  }),
  InvalidCursor: topLevelError(
    'A page cursor (`after`, `before`) the API did not give out. A top-level error.',
  ),
  TooManySensitiveMutations: topLevelError(
    'The document holds more than one field that sends an OTP, spends money or checks a code. A validation error: nothing ran.',
  ),
  Forbidden: topLevelError(
    'The API key’s client lacks the scope this field needs (`sales`, `ledger`, `ledger:all`, `vas`, `voice`, `verify`, `oa`, `explore`); nothing was done. A top-level error.',
  ),
  DatabaseUnavailable: topLevelError(
    'The database did not answer in time (busy, restarting or failing over); nothing was done. Retry shortly. HTTP 503.',
  ),
} satisfies Record<ErrorName, ErrorEntry>;

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description:
    'Every error code the API gives: `Error.code` in result unions, and `extensions.code` of top-level errors.',
  values: {
    ...Object.fromEntries(
      (Object.keys(ERROR_TYPES) as ErrorName[]).map((name) => [
        ERROR_CLASSES[name].code,
        {
          value: ERROR_CLASSES[name].code,
          description: ERROR_TYPES[name].typed
            ? `${ERROR_TYPES[name].description} Type \`${name}\`.`
            : ERROR_TYPES[name].description,
        },
      ]),
    ),
    // The vendor pair's codes for the other ledgers (each had a pair of its own before 0.2).
    ...Object.fromEntries(
      Object.entries(VENDOR_ERROR_CODES).flatMap(([ledger, codes]) =>
        (['rejected', 'unavailable'] as const)
          .filter((which) => codes[which] !== `VENDOR_${which.toUpperCase()}`)
          .map((which) => [
            codes[which],
            {
              value: codes[which],
              description: `Type \`${which === 'rejected' ? 'VendorRejected' : 'VendorUnavailable'}\`, about a${ledger === 'OAPackage' ? 'n' : ''} \`${ledger}\`. ${ERROR_TYPES[which === 'rejected' ? 'VendorRejected' : 'VendorUnavailable'].description}`,
            },
          ]),
      ),
    ),
    ...Object.fromEntries(
      Object.entries(PROTOCOL_ERROR_CODES).map(([code, description]) => [
        code,
        { value: code, description: `${description} A top-level error.` },
      ]),
    ),
  },
});

ErrorInterface.implement({
  description: 'An expected failure: a message a person can read, and a stable machine code.',
  fields: (t) => ({
    message: t.string({
      description:
        'What went wrong, in words fit to show a clerk, in the caller’s language: Vietnamese unless its `Accept-Language` prefers English. Words change between versions; programs read `code`.',
      resolve: (e, _args, ctx) => errorMessage(e, ctx.language),
    }),
    code: t.field({
      type: ErrorCodeEnum,
      description: 'Which error this is, for programs. Each value is described in `ErrorCode`.',
      resolve: (e) => e.code,
    }),
  }),
});

builder.objectType(GatewayError, {
  name: 'BaseError',
  description: 'A failure with no more specific type.',
  interfaces: [ErrorInterface],
});

/** The GraphQL error a registered error becomes when no result union lists it. */
export function topLevelGraphQLError(
  err: GatewayError,
  options: GraphQLErrorOptions = {},
): GraphQLError {
  const name = err.name as ErrorName;
  // Its English until the response is written in the request's language (`carrying`).
  return new GraphQLError(err.message, {
    ...options,
    // `typename` names the type the same error has in result unions, where there is one.
    extensions: {
      code: err.code,
      ...(ERROR_TYPES[name]?.typed && { typename: name }),
      ...carrying(err.text),
    },
  });
}

/**
 * Yoga's `maskError`: a registered error that a resolver throws, and that no result union of
 * the field lists, becomes a top-level error with its message and `extensions.code`; everything
 * else is masked as Yoga does.
 */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const thrown = error instanceof GraphQLError ? error.originalError : error;
  // No caller to ask here: an error that names a record says only what any caller may read.
  const original = thrown instanceof GatewayError && thrown.named ? thrown.elsewhere() : thrown;
  if (original instanceof GatewayError) {
    const located = error instanceof GraphQLError ? error : undefined;
    return topLevelGraphQLError(original, {
      nodes: located?.nodes,
      source: located?.source,
      positions: located?.positions,
      path: located?.path,
    });
  }
  return yogaMaskError(error, message, isDev);
}
