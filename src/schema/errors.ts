import { brandWithType, type InterfaceParam } from '@pothos/core';
import { GraphQLError, type GraphQLErrorOptions } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import type { Context } from '../context.js';
import {
  ERROR_CLASSES,
  type ErrorName,
  GatewayError,
  OTP_LIMITS,
  type OtpLimit,
  VENDOR_ERROR_CODES,
  type VendorRejected,
  type VendorUnavailable,
} from '../domain/errors.js';
import { builder } from './builder.js';
import { describedValues } from './enum-values.js';
import { OrderRef } from './order.js';
import { VerificationStatusEnum } from './phone-verification.js';
import { recordField } from './records.js';
import { TelcoEnum } from './telco.js';
import { VasTransactionRef } from './vas.js';
import { VendorFailureReasonEnum } from './vendor-failure.js';
import { VerificationLimitEnum, VoiceCallLimitEnum } from './voice-call.js';

/**
 * The error model, one for the whole API:
 * - a mutation returns a result union: its success type or one of the error types it lists;
 * - a query or subscription answers `null` for "no such thing" where the field is nullable, and
 *   a top-level error (in `errors`, with `extensions.code`) for a bad argument;
 * - every error, in a union (`Error.code`) or at the top level (`extensions.code`), carries a
 *   value of the one `ErrorCode` enum, built below from the registry in `domain/errors.ts`.
 * Anything else is masked by Yoga and reaches the client as "Unexpected error." only.
 */
export const ErrorInterface = builder.interfaceRef<GatewayError>('Error');

type Types = typeof builder.$inferSchemaTypes;

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

interface ErrorEntry {
  /** Describes both the error's type and its `ErrorCode` value. */
  description: string;
  /** Whether the error has a GraphQL type (it can be a member of result unions). */
  typed: boolean;
}

/**
 * Defines the GraphQL type of one registered error, for result unions: its name is the class's
 * name, and its description is also its `ErrorCode` value's.
 */
function errorType<N extends ErrorName>(
  name: N,
  options: {
    description: string;
    /** Interfaces besides `Error` (their fields come with them). */
    interfaces?: readonly InterfaceParam<Types>[];
    fields?: (
      t: PothosSchemaTypes.ObjectFieldBuilder<Types, InstanceType<(typeof ERROR_CLASSES)[N]>>,
    ) => Record<string, unknown>;
  },
): ErrorEntry {
  builder.objectType(ERROR_CLASSES[name] as typeof GatewayError, {
    name,
    description: options.description,
    interfaces: [ErrorInterface, ...(options.interfaces ?? [])],
    // biome-ignore lint/suspicious/noExplicitAny: the field builder of this error's own class
    ...(options.fields ? { fields: options.fields as any } : {}),
  });
  return { description: options.description, typed: true };
}

/** A registered error that only ever reaches clients as a top-level error: no type, a code. */
function topLevelError(description: string): ErrorEntry {
  return { description, typed: false };
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

/** The `transaction` field of an error about one VAS transaction the caller made. */
function vasTransactionField<T>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, T>,
  key: (e: T) => string | null,
  description: string,
) {
  return recordField(t, 'VasTransaction', {
    type: VasTransactionRef,
    key,
    description,
    nullable: false,
  });
}

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
        'The vendor’s own message, as it came (often in Vietnamese); null when it gave none.',
    }),
    // Typed by hand: Pothos cannot infer a field of the Node interface over a record kind.
    record: t.field({
      type: builder.nodeInterfaceRef(),
      nullable: true,
      description:
        'The ledger record the call was for (an `Order`, `VasTransaction`, `OAPackage` or `VoiceCall`), in the state the failure left it; null when the caller may not see it.',
      resolve: async (e: VendorRejected | VendorUnavailable, _args: unknown, ctx: Context) => {
        if (!e.record.key) return null;
        const record = await ctx.access.get(e.record.kind, e.record.key);
        if (!record) return null;
        // Tells the Node interface which type the record is (its kind is its type's name).
        brandWithType(record, e.record.kind as never);
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
  VasTransactionInDoubt: errorType('VasTransactionInDoubt', {
    description:
      'A previous register or cancel of this package for this phone is PENDING or UNKNOWN: the SDP may have acted on it. Nothing was sent; settle it first (`settleVasTransaction`, or wait for the sweeper). Only a caller who may see the transaction gets this; any other gets `VasTransactionInDoubtElsewhere`.',
    fields: (t) => ({
      transaction: vasTransactionField(t, (e) => e.transactionId, 'The transaction in doubt.'),
    }),
  }),
  VasTransactionInDoubtElsewhere: errorType('VasTransactionInDoubtElsewhere', {
    description:
      'Another client’s register or cancel of this package for this phone is PENDING or UNKNOWN: the SDP may have acted on it. Nothing was sent, and the transaction is not shown. The gateway settles it from the SDP on its own; try again then.',
  }),
  VasTransactionNotFound: errorType('VasTransactionNotFound', {
    description: 'No VAS transaction has this id.',
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
  VerificationNotFound: errorType('VerificationNotFound', {
    description: 'No phone verification of this client has this id.',
    fields: (t) => ({
      verificationId: t.exposeString('id', { description: 'The id that was given.' }),
    }),
  }),
  VerificationRateLimited: errorType('VerificationRateLimited', {
    description:
      'Too many verifications for this phone, or too many calls for this verification; no call was placed.',
    fields: (t) => ({
      retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
        description: 'Seconds until one more fits under the limit.',
      }),
      limit: t.expose('limit', { type: VerificationLimitEnum, description: 'The limit reached.' }),
    }),
  }),
  VerificationNotPending: errorType('VerificationNotPending', {
    description:
      'The verification is no longer PENDING (approved, expired, canceled or out of attempts): nothing was compared, and this is never a success, whatever the code. A client that lost the answer to its approving check gets it again by retrying with that check’s `idempotencyKey`.',
    fields: (t) => ({
      status: t.expose('status', {
        type: VerificationStatusEnum,
        description: 'Where the verification stands.',
      }),
    }),
  }),
  VoiceCallRateLimited: errorType('VoiceCallRateLimited', {
    description:
      'Too many calls to this phone (by every client) or by this client; no call was placed nor billed. The idempotency key may be used again.',
    fields: (t) => ({
      retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
        description: 'Seconds until one more call fits under the limit.',
      }),
      // Not `limit`: that is VerificationRateLimited's, of another type, in the same union.
      callLimit: t.expose('limit', {
        type: VoiceCallLimitEnum,
        description: 'The limit reached.',
      }),
    }),
  }),
  VoiceCallPrefixBlocked: errorType('VoiceCallPrefixBlocked', {
    description:
      'The fraud guard pauses calls to numbers of this prefix: too many recent calls to them led to no approved verification (`VOICE_GUARD_*`). No call was placed nor billed; an operator can lift the pause.',
    fields: (t) => ({
      retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
        description: 'Seconds until the pause ends.',
      }),
      prefix: t.exposeString('prefix', {
        description: 'The paused prefix: the first 5 digits of the local form, e.g. `09360`.',
      }),
    }),
  }),
  DatabaseUnavailable: topLevelError(
    'The database did not answer in time (busy, restarting or failing over); nothing was done. Retry shortly. HTTP 503.',
  ),
  OAPurchaseRateLimited: errorType('OAPurchaseRateLimited', {
    description:
      'This client made as many OA package purchases in the last hour as `OA_PURCHASE_LIMIT_PER_CLIENT_HOUR` allows; nothing was done, and the idempotency key may be used again.',
    fields: (t) => ({
      retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
        description: 'Seconds until one more purchase fits under the limit.',
      }),
    }),
  }),
} satisfies Record<ErrorName, ErrorEntry>;

/** Codes Yoga and graphql-js give the errors of the protocol itself, before or outside resolvers. */
const PROTOCOL_ERROR_CODES = {
  GRAPHQL_PARSE_FAILED: 'The document is not valid GraphQL syntax.',
  GRAPHQL_VALIDATION_FAILED: 'The document does not validate against the schema.',
  BAD_USER_INPUT: 'A variable is missing or has the wrong type.',
  INTERNAL_SERVER_ERROR:
    'An unexpected failure. Its message is always "Unexpected error."; the details are in the gateway’s log.',
  // The edge (src/server/edge.ts): refused before anything runs.
  MAX_TOKENS_EXCEEDED:
    'The document has more tokens than `GRAPHQL_MAX_TOKENS` allows; nothing ran.',
  MAX_DEPTH_EXCEEDED: 'The document nests deeper than `GRAPHQL_MAX_DEPTH` allows; nothing ran.',
  MAX_ALIASES_EXCEEDED:
    'The document has more aliases than `GRAPHQL_MAX_ALIASES` allows; nothing ran.',
  MAX_DIRECTIVES_EXCEEDED:
    'The document has more directives than `GRAPHQL_MAX_DIRECTIVES` allows; nothing ran.',
  MAX_COST_EXCEEDED:
    'The document could return more than `GRAPHQL_MAX_COST` allows (lists count by their page size); nothing ran.',
  REQUEST_TOO_LARGE: 'The request body is larger than `MAX_REQUEST_BODY_BYTES`. HTTP 413.',
  UNSUPPORTED_MEDIA_TYPE: 'A POST body that is not JSON. HTTP 415.',
  BAD_REQUEST: 'The request body is not a JSON object. HTTP 400.',
  // Clients (src/server/auth.ts, src/server/trusted-documents.ts).
  UNAUTHENTICATED:
    'No valid API key (missing, malformed, unknown, revoked, or its client disabled). HTTP 401.',
  RATE_LIMITED:
    'This client is over its requests or cost budget for the minute; `extensions.retryAfterSeconds` says when to retry. HTTP 429.',
  PERSISTED_QUERY_ONLY:
    'Trusted documents are on and this client may only run published operations, by hash. HTTP 403.',
  PERSISTED_QUERY_NOT_FOUND: 'No published operation has this hash.',
  PERSISTED_QUERY_ID_REQUIRED: 'Neither a query nor the hash of a published operation was sent.',
  // Open streams (src/server/stream-guard.ts).
  TOO_MANY_SUBSCRIPTIONS:
    'This client already holds `CLIENT_MAX_SUBSCRIPTIONS` open subscriptions (SSE and WebSocket, across instances); `extensions.limit` says how many. HTTP 429.',
};

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
    message: t.exposeString('message', {
      description: 'What went wrong, in words fit to show a clerk.',
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
  return new GraphQLError(err.message, {
    ...options,
    // `typename` names the type the same error has in result unions, where there is one.
    extensions: { code: err.code, ...(ERROR_TYPES[name]?.typed && { typename: name }) },
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
