import type { Telco } from './telco-prefixes.js';
import type { VerificationLimit, VerificationStatus } from './voice.js';
import type { VoiceCallLimit } from './voice-limits.js';

/**
 * Expected failures of the gateway's operations. Plain data (no GraphQL here): `schema/errors.ts`
 * exposes each class as a type implementing `Error` and its `code` as a value of the `ErrorCode`
 * enum. Fields are JSON-safe so a result can be stored with its idempotency key and replayed; an
 * order is referenced by id.
 *
 * Each class declares its code once, as `static readonly code`; instances carry it as `code`.
 * A field that lists the class in its result union returns it there; anywhere else it reaches
 * the client as a top-level error with `extensions.code` (see `schema/errors.ts`).
 */
export class GatewayError extends Error {
  static readonly code: string = 'INTERNAL_SERVER_ERROR';
  readonly code: ErrorCode;
  /**
   * Set when the error names a record that may be another client's (an open order that blocks
   * a new OTP, a VAS transaction in doubt). It reaches only a caller who may see that record; any
   * other caller gets `elsewhere()` instead: what blocks the request, without the record or ids.
   */
  named?: NamedRecord;

  /** What a caller who may not see the named record gets instead (see `named`). */
  elsewhere(): GatewayError {
    return this;
  }

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
    this.code = (new.target as unknown as { code: ErrorCode }).code;
  }
}

/** A record an error names: its kind (`RECORD_KINDS` in src/access.ts) and key. */
export interface NamedRecord {
  kind: 'Order' | 'VasTransaction';
  key: string;
}

export class InvalidPhoneNumber extends GatewayError {
  static override readonly code = 'INVALID_PHONE_NUMBER';
  constructor(
    message: string,
    readonly input: string,
  ) {
    super(message);
  }
}

export class InvalidInput extends GatewayError {
  static override readonly code = 'INVALID_INPUT';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export class PackageNotAvailable extends GatewayError {
  static override readonly code = 'PACKAGE_NOT_AVAILABLE';
  constructor(
    message: string,
    readonly packageCode: string,
    readonly telco: Telco,
  ) {
    super(message);
  }
}

/** The OTP request limits, by the thing they count. */
export const OTP_LIMITS = ['PHONE_PER_HOUR', 'PHONE_PER_10_MINUTES', 'CLIENT_PER_MINUTE'] as const;
export type OtpLimit = (typeof OTP_LIMITS)[number];

/** Why a vendor call gave no answer the gateway could use (the `VendorError` codes but one). */
export const VENDOR_FAILURE_REASONS = [
  'VENDOR_TIMEOUT',
  'VENDOR_UNAVAILABLE',
  'VENDOR_HTTP',
  'VENDOR_BAD_RESPONSE',
] as const;
export type VendorFailureReason = (typeof VENDOR_FAILURE_REASONS)[number];

export class OtpRateLimited extends GatewayError {
  static override readonly code = 'OTP_RATE_LIMITED';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly limit: OtpLimit,
  ) {
    super(message);
  }
}

export class OtpAlreadySent extends GatewayError {
  static override readonly code = 'OTP_ALREADY_SENT';
  constructor(
    message: string,
    readonly orderId: string,
    /** For a caller who may not see the order: the message, and when its OTP expires. */
    readonly elsewhereMessage: string,
    readonly elsewhereRetryAfterSeconds: number | null,
  ) {
    super(message);
    this.named = { kind: 'Order', key: orderId };
  }

  override elsewhere(): GatewayError {
    return new OtpAlreadySentElsewhere(this.elsewhereMessage, this.elsewhereRetryAfterSeconds);
  }
}

/**
 * OtpAlreadySent as a caller gets it when the blocking order is another client's (and it lacks
 * `ledger:all`): what blocks the sale, without the order.
 */
export class OtpAlreadySentElsewhere extends GatewayError {
  static override readonly code = 'OTP_ALREADY_SENT_ELSEWHERE';
  constructor(
    message: string,
    /** Seconds until the other client's OTP expires; null for a registration in doubt. */
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
  }
}

export class VendorRejected extends GatewayError {
  static override readonly code = 'VENDOR_REJECTED';
  constructor(
    message: string,
    readonly vendor: string,
    readonly vendorCode: string | null,
    readonly vendorMessage: string | null,
    readonly orderId: string,
  ) {
    super(message);
  }
}

export class VendorUnavailable extends GatewayError {
  static override readonly code = 'VENDOR_UNAVAILABLE';
  constructor(
    message: string,
    readonly vendor: string,
    readonly reason: VendorFailureReason,
    readonly outcomeUnknown: boolean,
    readonly orderId: string,
  ) {
    super(message);
  }
}

export class IdempotencyKeyReused extends GatewayError {
  static override readonly code = 'IDEMPOTENCY_KEY_REUSED';
}

export class RequestInProgress extends GatewayError {
  static override readonly code = 'REQUEST_IN_PROGRESS';
  constructor(
    message: string,
    /** When a retry with the same key will get the first request's result, or a takeover. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export class OrderNotFound extends GatewayError {
  static override readonly code = 'ORDER_NOT_FOUND';
  constructor(
    message: string,
    readonly orderCode: string,
  ) {
    super(message);
  }
}

export class OtpIncorrect extends GatewayError {
  static override readonly code = 'OTP_INCORRECT';
  constructor(
    message: string,
    readonly attemptsLeft: number,
    readonly vendorCode: string | null,
    readonly vendorMessage: string | null,
    readonly orderId: string,
  ) {
    super(message);
  }
}

export class OrderLocked extends GatewayError {
  static override readonly code = 'ORDER_LOCKED';
  constructor(
    message: string,
    readonly orderId: string,
  ) {
    super(message);
  }
}

export class OtpExpired extends GatewayError {
  static override readonly code = 'OTP_EXPIRED';
  constructor(
    message: string,
    readonly orderId: string,
  ) {
    super(message);
  }
}

export class OrderNotOpen extends GatewayError {
  static override readonly code = 'ORDER_NOT_OPEN';
  constructor(
    message: string,
    readonly orderId: string,
  ) {
    super(message);
  }
}

/** eSMS's refusals of an OA package purchase, by the codes its document names. */
export const OA_PACKAGE_REFUSAL_REASONS = [
  'BAD_CREDENTIALS',
  'NO_PRICE_LIST',
  'BALANCE_TOO_LOW',
  'DUPLICATE_REQUEST',
  'IP_NOT_ALLOWED',
  'ZALO_OA_PROBLEM',
  'OTHER',
] as const;
export type OAPackageRefusalReason = (typeof OA_PACKAGE_REFUSAL_REASONS)[number];

/** eSMS refused an OA package purchase; the purchase is REJECTED. */
export class OAPackageRejected extends GatewayError {
  static override readonly code = 'OA_PACKAGE_REJECTED';
  constructor(
    message: string,
    readonly reason: OAPackageRefusalReason,
    readonly vendorCode: string | null,
    readonly vendorMessage: string | null,
    readonly oaPackageId: string,
  ) {
    super(message);
  }
}

/** A client made `OA_PURCHASE_LIMIT_PER_CLIENT_HOUR` purchases in the last hour; nothing was done. */
export class OAPurchaseRateLimited extends GatewayError {
  static override readonly code = 'OA_PURCHASE_RATE_LIMITED';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/**
 * eSMS gave no usable answer to an OA package purchase. With `outcomeUnknown` it may have acted
 * (the purchase is UNKNOWN); without, it did not (REJECTED, nothing was bought).
 */
export class OAPackageVendorUnavailable extends GatewayError {
  static override readonly code = 'OA_PACKAGE_VENDOR_UNAVAILABLE';
  constructor(
    message: string,
    readonly reason: VendorFailureReason,
    readonly outcomeUnknown: boolean,
    readonly oaPackageId: string,
  ) {
    super(message);
  }
}

/** A page cursor the API did not give out (a top-level error of the paged fields). */
export class InvalidCursor extends GatewayError {
  static override readonly code = 'INVALID_CURSOR';
}

/** A document with more than one sensitive mutation (a validation error, before anything runs). */
export class TooManySensitiveMutations extends GatewayError {
  static override readonly code = 'TOO_MANY_SENSITIVE_MUTATIONS';
}

/**
 * The database did not give the request a connection in time (pool exhausted), or lost it
 * mid-query (restart, failover). Reaches clients as a top-level error with this code (503). It is
 * never stored as an idempotent result (the same request may succeed a moment later).
 */
export class DatabaseUnavailable extends GatewayError {
  static override readonly code = 'DATABASE_UNAVAILABLE';
  constructor(
    message = 'The database is busy or unreachable; try again shortly.',
    /** The SQLSTATE or driver code behind it (`53300`, `SQLITE_FULL`), for logs only. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** The caller's API key lacks the scope a field needs; nothing was done. */
export class Forbidden extends GatewayError {
  static override readonly code = 'FORBIDDEN';
}

/** The VAS SDP refused a register, cancel or check (`error_id` other than 0). */
export class VasRejected extends GatewayError {
  static override readonly code = 'VAS_REJECTED';
  constructor(
    message: string,
    /** The SDP's `error_id` and `error_desc`, exactly as sent. */
    readonly errorId: string,
    readonly errorDesc: string | null,
    readonly transactionId: string,
  ) {
    super(message);
  }
}

/**
 * The VAS SDP could not be reached, failed or did not answer in time. With `outcomeUnknown` the
 * transaction is UNKNOWN and will be settled from CheckServiceInfo.
 */
export class VasUnavailable extends GatewayError {
  static override readonly code = 'VAS_UNAVAILABLE';
  constructor(
    message: string,
    readonly reason: VendorFailureReason,
    readonly outcomeUnknown: boolean,
    /** Null for a check (no transaction is recorded for a read). */
    readonly transactionId: string | null,
  ) {
    super(message);
  }
}

/** A register or cancel of a package whose previous transaction is still in doubt. */
export class VasTransactionInDoubt extends GatewayError {
  static override readonly code = 'VAS_TRANSACTION_IN_DOUBT';
  constructor(
    message: string,
    readonly transactionId: string,
    /** The message for a caller who may not see the transaction (another client's). */
    readonly elsewhereMessage: string,
  ) {
    super(message);
    this.named = { kind: 'VasTransaction', key: transactionId };
  }

  override elsewhere(): GatewayError {
    return new VasTransactionInDoubtElsewhere(this.elsewhereMessage);
  }
}

/**
 * VasTransactionInDoubt as a caller gets it when the transaction in doubt is another client's
 * (and it lacks `ledger:all`): what blocks the change, without the transaction.
 */
export class VasTransactionInDoubtElsewhere extends GatewayError {
  static override readonly code = 'VAS_TRANSACTION_IN_DOUBT_ELSEWHERE';
}

export class VasTransactionNotFound extends GatewayError {
  static override readonly code = 'VAS_TRANSACTION_NOT_FOUND';
  constructor(
    message: string,
    readonly id: string,
  ) {
    super(message);
  }
}

/** The voice OTP vendor refused a call (its own code is given); the call is FAILED. */
export class VoiceCallRejected extends GatewayError {
  static override readonly code = 'VOICE_CALL_REJECTED';
  constructor(
    message: string,
    readonly vendorCode: string | null,
    readonly vendorMessage: string | null,
    readonly voiceCallId: string,
  ) {
    super(message);
  }
}

/** The voice OTP vendor could not be reached or did not answer; the call is FAILED or UNKNOWN. */
export class VoiceCallUnavailable extends GatewayError {
  static override readonly code = 'VOICE_CALL_UNAVAILABLE';
  constructor(
    message: string,
    readonly reason: VendorFailureReason,
    readonly outcomeUnknown: boolean,
    readonly voiceCallId: string,
  ) {
    super(message);
  }
}

/** No phone verification has this id. */
export class VerificationNotFound extends GatewayError {
  static override readonly code = 'VERIFICATION_NOT_FOUND';
  constructor(
    message: string,
    readonly id: string,
  ) {
    super(message);
  }
}

/** Too many verifications for a phone, or too many calls for one verification. */
export class VerificationRateLimited extends GatewayError {
  static override readonly code = 'VERIFICATION_RATE_LIMITED';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly limit: VerificationLimit,
  ) {
    super(message);
  }
}

/**
 * A check of a verification that is no longer PENDING (approved, expired, canceled, out of
 * attempts): nothing was compared, and the check is not a success, whatever the code.
 */
export class VerificationNotPending extends GatewayError {
  static override readonly code = 'VERIFICATION_NOT_PENDING';
  constructor(
    message: string,
    readonly status: VerificationStatus,
  ) {
    super(message);
  }
}

/** A cap on calls to one phone or by one client is reached; nothing was placed nor billed. */
export class VoiceCallRateLimited extends GatewayError {
  static override readonly code = 'VOICE_CALL_RATE_LIMITED';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly limit: VoiceCallLimit,
  ) {
    super(message);
  }
}

/**
 * The fraud guard refuses calls to this number prefix for a cool-down: too many calls to it went
 * unconverted (no verification approved). Nothing was placed nor billed.
 */
export class VoiceCallPrefixBlocked extends GatewayError {
  static override readonly code = 'VOICE_CALL_PREFIX_BLOCKED';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly prefix: string,
  ) {
    super(message);
  }
}

/**
 * The registry of expected errors: every class by name. The schema defines the `ErrorCode` enum
 * from it, and one GraphQL type per entry that can appear in a result union (`schema/errors.ts`
 * fails to compile if an entry is missing there); result unions name their members from it, and
 * a stored result is rebuilt from it for an idempotent replay. A new error is one class above,
 * one line here and its entry in `schema/errors.ts`.
 */
export const ERROR_CLASSES = {
  InvalidPhoneNumber,
  InvalidInput,
  PackageNotAvailable,
  OtpRateLimited,
  OtpAlreadySent,
  OtpAlreadySentElsewhere,
  VendorRejected,
  VendorUnavailable,
  IdempotencyKeyReused,
  RequestInProgress,
  OrderNotFound,
  OtpIncorrect,
  OrderLocked,
  OtpExpired,
  OrderNotOpen,
  InvalidCursor,
  TooManySensitiveMutations,
  DatabaseUnavailable,
  Forbidden,
  OAPackageRejected,
  OAPackageVendorUnavailable,
  OAPurchaseRateLimited,
  VasRejected,
  VasUnavailable,
  VasTransactionInDoubt,
  VasTransactionInDoubtElsewhere,
  VasTransactionNotFound,
  VoiceCallRejected,
  VoiceCallUnavailable,
  VerificationNotFound,
  VerificationRateLimited,
  VerificationNotPending,
  VoiceCallRateLimited,
  VoiceCallPrefixBlocked,
} as const;

export type ErrorName = keyof typeof ERROR_CLASSES;

/** The `ErrorCode` enum's values: one per registered class. */
export type ErrorCode = (typeof ERROR_CLASSES)[ErrorName]['code'];

/** The classes of the named errors, for a field's `errors.types`. */
export function errorClasses<const N extends ErrorName>(
  names: readonly N[],
): Array<(typeof ERROR_CLASSES)[N]> {
  return [...new Set(names)].map((name) => ERROR_CLASSES[name]);
}

export function serializeError(err: GatewayError): {
  name: string;
  fields: Record<string, unknown>;
} {
  return { name: err.name, fields: { ...err, message: err.message } };
}

export function deserializeError(stored: { name: string; fields: Record<string, unknown> }) {
  const cls = ERROR_CLASSES[stored.name as ErrorName];
  if (!cls) throw new Error(`Unknown stored error ${stored.name}`);
  const err = Object.create(cls.prototype) as GatewayError;
  Object.assign(err, stored.fields);
  Object.defineProperty(err, 'message', { value: stored.fields.message, enumerable: false });
  return err;
}
