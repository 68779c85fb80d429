import {
  isKnown,
  type Language,
  type Message,
  type MessageGroup,
  message,
  render,
} from './messages/index.js';
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
 *
 * What an error says is a message of the catalogue (src/domain/messages/), of the error's own
 * group `G`, never free text: each caller reads it in its language (`errorMessage`).
 */
export class GatewayError<G extends MessageGroup = MessageGroup> extends Error {
  static readonly code: string = 'INTERNAL_SERVER_ERROR';
  readonly code: ErrorCode;
  /**
   * What the error says, as a catalogue key and its parameters; `message` is its English, for
   * logs. Absent only on a result stored before 0.3, whose English `message` is all it has.
   */
  readonly text?: Message;
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

  /** `code`: the class's own unless given (the vendor pair's code is its ledger's). */
  constructor(text: Message<G>, code?: ErrorCode) {
    super(render(text, 'en'));
    this.text = text;
    this.name = new.target.name;
    this.code = code ?? (new.target as unknown as { code: ErrorCode }).code;
  }
}

/** A record an error names: its kind (`RECORD_KINDS` in src/access.ts) and key. */
export interface NamedRecord {
  kind: 'Order' | 'VasTransaction';
  key: string;
}

export class InvalidPhoneNumber extends GatewayError<'InvalidPhoneNumber'> {
  static override readonly code = 'INVALID_PHONE_NUMBER';
  constructor(
    text: Message<'InvalidPhoneNumber'>,
    readonly input: string,
  ) {
    super(text);
  }
}

export class InvalidInput extends GatewayError<'InvalidInput'> {
  static override readonly code = 'INVALID_INPUT';
  constructor(
    text: Message<'InvalidInput'>,
    readonly field: string,
  ) {
    super(text);
  }
}

export class PackageNotAvailable extends GatewayError<'PackageNotAvailable'> {
  static override readonly code = 'PACKAGE_NOT_AVAILABLE';
  constructor(
    text: Message<'PackageNotAvailable'>,
    readonly packageCode: string,
    readonly telco: Telco,
  ) {
    super(text);
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

/** What became of a vendor call that did not succeed: refused, or one of the failures above. */
export const VENDOR_ERROR_REASONS = ['VENDOR_REJECTED', ...VENDOR_FAILURE_REASONS] as const;
export type VendorErrorReason = (typeof VENDOR_ERROR_REASONS)[number];

export class OtpRateLimited extends GatewayError<'OtpRateLimited'> {
  static override readonly code = 'OTP_RATE_LIMITED';
  constructor(
    text: Message<'OtpRateLimited'>,
    readonly retryAfterSeconds: number,
    readonly limit: OtpLimit,
  ) {
    super(text);
  }
}

export class OtpAlreadySent extends GatewayError<'OtpAlreadySent'> {
  static override readonly code = 'OTP_ALREADY_SENT';
  constructor(
    text: Message<'OtpAlreadySent'>,
    readonly orderId: string,
    /** For a caller who may not see the order: the message, and when its OTP expires. */
    readonly elsewhereText: Message<'OtpAlreadySentElsewhere'>,
    readonly elsewhereRetryAfterSeconds: number | null,
  ) {
    super(text);
    this.named = { kind: 'Order', key: orderId };
  }

  /** Stored before 0.3: the English message for a caller who may not see the order. */
  declare readonly elsewhereMessage?: string;

  override elsewhere(): GatewayError {
    const retryAfterSeconds = this.elsewhereRetryAfterSeconds;
    return this.elsewhereText
      ? new OtpAlreadySentElsewhere(this.elsewhereText, retryAfterSeconds)
      : storedInEnglish('OtpAlreadySentElsewhere', this.elsewhereMessage, { retryAfterSeconds });
  }
}

/**
 * OtpAlreadySent as a caller gets it when the blocking order is another client's (and it lacks
 * `ledger:all`): what blocks the sale, without the order.
 */
export class OtpAlreadySentElsewhere extends GatewayError<'OtpAlreadySentElsewhere'> {
  static override readonly code = 'OTP_ALREADY_SENT_ELSEWHERE';
  constructor(
    text: Message<'OtpAlreadySentElsewhere'>,
    /** Seconds until the other client's OTP expires; null for a registration in doubt. */
    readonly retryAfterSeconds: number | null,
  ) {
    super(text);
  }
}

/**
 * The ledgers whose records a vendor error names, and the `ErrorCode` each gives the vendor error
 * pair. One pair of types for every vendor since 0.2 (CHANGELOG.md); the codes are the ones each
 * ledger's own pair had, so a client that switches on `code` sees no change.
 */
export const VENDOR_ERROR_CODES = {
  Order: { rejected: 'VENDOR_REJECTED', unavailable: 'VENDOR_UNAVAILABLE' },
  VasTransaction: { rejected: 'VAS_REJECTED', unavailable: 'VAS_UNAVAILABLE' },
  OAPackage: { rejected: 'OA_PACKAGE_REJECTED', unavailable: 'OA_PACKAGE_VENDOR_UNAVAILABLE' },
  VoiceCall: { rejected: 'VOICE_CALL_REJECTED', unavailable: 'VOICE_CALL_UNAVAILABLE' },
} as const;

export type VendorLedger = keyof typeof VENDOR_ERROR_CODES;
type VendorErrorCode =
  (typeof VENDOR_ERROR_CODES)[VendorLedger][keyof (typeof VENDOR_ERROR_CODES)[VendorLedger]];

/**
 * The ledger record a vendor error is about. `key` is null only for a call that records nothing
 * (a VAS check), whose error reaches the client as a top-level error.
 */
export interface VendorErrorRecord {
  /** A `VENDOR_ERROR_CODES` ledger, or a vendor feature's own (whose codes are the pair's own). */
  kind: VendorLedger | (string & {});
  key: string | null;
}

/** The pair's codes for a ledger: its own since 0.1, else the pair's (`VENDOR_*`). */
function codesOf(kind: string) {
  return (VENDOR_ERROR_CODES[kind as VendorLedger] ??
    VENDOR_ERROR_CODES.Order) as (typeof VENDOR_ERROR_CODES)[VendorLedger];
}

/**
 * The vendor answered and refused: its own code and message as they came. The record is
 * FAILED (REJECTED for an OA purchase): nothing was done.
 */
export class VendorRejected extends GatewayError<'VendorError'> {
  static override readonly code = 'VENDOR_REJECTED';
  readonly reason: VendorErrorReason = 'VENDOR_REJECTED';
  readonly outcomeUnknown = false;
  constructor(
    text: Message<'VendorError'>,
    /** Which vendor (`dmall`, `vascloud`, `esms`, `voiceOtp`). */
    readonly vendor: string,
    readonly vendorCode: string | null,
    readonly vendorMessage: string | null,
    readonly record: VendorErrorRecord,
  ) {
    super(text, codesOf(record.kind).rejected);
  }
}

/**
 * The vendor gave no usable answer (unreachable, timed out, an HTTP error, an unreadable reply).
 * With `outcomeUnknown` it may have acted: the record is UNKNOWN and is settled, never blindly
 * retried; without, it did not (the record says what the ledger makes of that).
 */
export class VendorUnavailable extends GatewayError<'VendorError'> {
  static override readonly code = 'VENDOR_UNAVAILABLE';
  readonly vendorCode: string | null = null;
  readonly vendorMessage: string | null = null;
  constructor(
    text: Message<'VendorError'>,
    /** Which vendor (`dmall`, `vascloud`, `esms`, `voiceOtp`). */
    readonly vendor: string,
    readonly reason: VendorFailureReason,
    readonly outcomeUnknown: boolean,
    readonly record: VendorErrorRecord,
  ) {
    super(text, codesOf(record.kind).unavailable);
  }
}

export class IdempotencyKeyReused extends GatewayError<'IdempotencyKeyReused'> {
  static override readonly code = 'IDEMPOTENCY_KEY_REUSED';
}

export class RequestInProgress extends GatewayError<'RequestInProgress'> {
  static override readonly code = 'REQUEST_IN_PROGRESS';
  constructor(
    text: Message<'RequestInProgress'>,
    /** When a retry with the same key will get the first request's result, or a takeover. */
    readonly retryAfterSeconds: number,
  ) {
    super(text);
  }
}

export class OrderNotFound extends GatewayError<'OrderNotFound'> {
  static override readonly code = 'ORDER_NOT_FOUND';
  constructor(
    text: Message<'OrderNotFound'>,
    readonly orderCode: string,
  ) {
    super(text);
  }
}

export class OtpIncorrect extends GatewayError<'OtpIncorrect'> {
  static override readonly code = 'OTP_INCORRECT';
  constructor(
    text: Message<'OtpIncorrect'>,
    readonly attemptsLeft: number,
    readonly vendorCode: string | null,
    readonly vendorMessage: string | null,
    readonly orderId: string,
  ) {
    super(text);
  }
}

export class OrderLocked extends GatewayError<'OrderLocked'> {
  static override readonly code = 'ORDER_LOCKED';
  constructor(
    text: Message<'OrderLocked'>,
    readonly orderId: string,
  ) {
    super(text);
  }
}

export class OtpExpired extends GatewayError<'OtpExpired'> {
  static override readonly code = 'OTP_EXPIRED';
  constructor(
    text: Message<'OtpExpired'>,
    readonly orderId: string,
  ) {
    super(text);
  }
}

export class OrderNotOpen extends GatewayError<'OrderNotOpen'> {
  static override readonly code = 'ORDER_NOT_OPEN';
  constructor(
    text: Message<'OrderNotOpen'>,
    readonly orderId: string,
  ) {
    super(text);
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

/** A client made `OA_PURCHASE_LIMIT_PER_CLIENT_HOUR` purchases in the last hour; nothing was done. */
export class OAPurchaseRateLimited extends GatewayError<'OAPurchaseRateLimited'> {
  static override readonly code = 'OA_PURCHASE_RATE_LIMITED';
  constructor(
    text: Message<'OAPurchaseRateLimited'>,
    readonly retryAfterSeconds: number,
  ) {
    super(text);
  }
}

/** A page cursor the API did not give out (a top-level error of the paged fields). */
export class InvalidCursor extends GatewayError<'InvalidCursor'> {
  static override readonly code = 'INVALID_CURSOR';
}

/** A document with more than one sensitive mutation (a validation error, before anything runs). */
export class TooManySensitiveMutations extends GatewayError<'TooManySensitiveMutations'> {
  static override readonly code = 'TOO_MANY_SENSITIVE_MUTATIONS';
}

/**
 * The database did not give the request a connection in time (pool exhausted), or lost it
 * mid-query (restart, failover). Reaches clients as a top-level error with this code (503). It is
 * never stored as an idempotent result (the same request may succeed a moment later).
 */
export class DatabaseUnavailable extends GatewayError<'DatabaseUnavailable'> {
  static override readonly code = 'DATABASE_UNAVAILABLE';
  constructor(
    /** The SQLSTATE or driver code behind it (`53300`, `SQLITE_FULL`), for logs only. */
    readonly reason?: string,
  ) {
    super(message('DatabaseUnavailable.busy'));
  }
}

/** The caller's API key lacks the scope a field needs; nothing was done. */
export class Forbidden extends GatewayError<'Forbidden'> {
  static override readonly code = 'FORBIDDEN';
}

/** A register or cancel of a package whose previous transaction is still in doubt. */
export class VasTransactionInDoubt extends GatewayError<'VasTransactionInDoubt'> {
  static override readonly code = 'VAS_TRANSACTION_IN_DOUBT';
  constructor(
    text: Message<'VasTransactionInDoubt'>,
    readonly transactionId: string,
    /** The message for a caller who may not see the transaction (another client's). */
    readonly elsewhereText: Message<'VasTransactionInDoubtElsewhere'>,
  ) {
    super(text);
    this.named = { kind: 'VasTransaction', key: transactionId };
  }

  /** Stored before 0.3: the English message for a caller who may not see the transaction. */
  declare readonly elsewhereMessage?: string;

  override elsewhere(): GatewayError {
    return this.elsewhereText
      ? new VasTransactionInDoubtElsewhere(this.elsewhereText)
      : storedInEnglish('VasTransactionInDoubtElsewhere', this.elsewhereMessage, {});
  }
}

/**
 * VasTransactionInDoubt as a caller gets it when the transaction in doubt is another client's
 * (and it lacks `ledger:all`): what blocks the change, without the transaction.
 */
export class VasTransactionInDoubtElsewhere extends GatewayError<'VasTransactionInDoubtElsewhere'> {
  static override readonly code = 'VAS_TRANSACTION_IN_DOUBT_ELSEWHERE';
}

export class VasTransactionNotFound extends GatewayError<'VasTransactionNotFound'> {
  static override readonly code = 'VAS_TRANSACTION_NOT_FOUND';
  constructor(
    text: Message<'VasTransactionNotFound'>,
    readonly id: string,
  ) {
    super(text);
  }
}

/** No phone verification has this id. */
export class VerificationNotFound extends GatewayError<'VerificationNotFound'> {
  static override readonly code = 'VERIFICATION_NOT_FOUND';
  constructor(
    text: Message<'VerificationNotFound'>,
    readonly id: string,
  ) {
    super(text);
  }
}

/** Too many verifications for a phone, or too many calls for one verification. */
export class VerificationRateLimited extends GatewayError<'VerificationRateLimited'> {
  static override readonly code = 'VERIFICATION_RATE_LIMITED';
  constructor(
    text: Message<'VerificationRateLimited'>,
    readonly retryAfterSeconds: number,
    readonly limit: VerificationLimit,
  ) {
    super(text);
  }
}

/**
 * A check of a verification that is no longer PENDING (approved, expired, canceled, out of
 * attempts): nothing was compared, and the check is not a success, whatever the code.
 */
export class VerificationNotPending extends GatewayError<'VerificationNotPending'> {
  static override readonly code = 'VERIFICATION_NOT_PENDING';
  constructor(
    text: Message<'VerificationNotPending'>,
    readonly status: VerificationStatus,
  ) {
    super(text);
  }
}

/** A cap on calls to one phone or by one client is reached; nothing was placed nor billed. */
export class VoiceCallRateLimited extends GatewayError<'VoiceCallRateLimited'> {
  static override readonly code = 'VOICE_CALL_RATE_LIMITED';
  constructor(
    text: Message<'VoiceCallRateLimited'>,
    readonly retryAfterSeconds: number,
    readonly limit: VoiceCallLimit,
  ) {
    super(text);
  }
}

/**
 * The fraud guard refuses calls to this number prefix for a cool-down: too many calls to it went
 * unconverted (no verification approved). Nothing was placed nor billed.
 */
export class VoiceCallPrefixBlocked extends GatewayError<'VoiceCallPrefixBlocked'> {
  static override readonly code = 'VOICE_CALL_PREFIX_BLOCKED';
  constructor(
    text: Message<'VoiceCallPrefixBlocked'>,
    readonly retryAfterSeconds: number,
    readonly prefix: string,
  ) {
    super(text);
  }
}

/**
 * The registry of expected errors: every class by name. The schema defines the `ErrorCode` enum
 * from it, and one GraphQL type per entry that can appear in a result union (`schema/errors.ts`
 * fails to compile if an entry is missing there); result unions name their members from it, and
 * a stored result is rebuilt from it for an idempotent replay. A new error is one class above,
 * one line here and its GraphQL type beside the fields that answer it (`schema/*-errors.ts`, or
 * `schema/errors.ts` for one every feature shares), gathered in `ERROR_TYPES`.
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
  OAPurchaseRateLimited,
  VasTransactionInDoubt,
  VasTransactionInDoubtElsewhere,
  VasTransactionNotFound,
  VerificationNotFound,
  VerificationRateLimited,
  VerificationNotPending,
  VoiceCallRateLimited,
  VoiceCallPrefixBlocked,
} as const;

export type ErrorName = keyof typeof ERROR_CLASSES;

/** The `ErrorCode` enum's values: one per registered class, and the vendor pair's per ledger. */
export type ErrorCode = (typeof ERROR_CLASSES)[ErrorName]['code'] | VendorErrorCode;

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

/**
 * Results stored before 0.2 name the per-ledger vendor error types that VendorRejected and
 * VendorUnavailable replaced: rebuilt as the pair, so a replay answers as the API does now. Per
 * old type: the pair, the vendor, the record's kind and the field that held its id, and for
 * VasRejected the fields that held the vendor's code and message.
 */
const STORED_BEFORE_0_2: Record<
  string,
  [pair: 'VendorRejected' | 'VendorUnavailable', vendor: string, kind: VendorLedger, id: string]
> = {
  VasRejected: ['VendorRejected', 'vascloud', 'VasTransaction', 'transactionId'],
  VasUnavailable: ['VendorUnavailable', 'vascloud', 'VasTransaction', 'transactionId'],
  VoiceCallRejected: ['VendorRejected', 'voiceOtp', 'VoiceCall', 'voiceCallId'],
  VoiceCallUnavailable: ['VendorUnavailable', 'voiceOtp', 'VoiceCall', 'voiceCallId'],
  OAPackageRejected: ['VendorRejected', 'esms', 'OAPackage', 'oaPackageId'],
  OAPackageVendorUnavailable: ['VendorUnavailable', 'esms', 'OAPackage', 'oaPackageId'],
  VendorRejected: ['VendorRejected', 'dmall', 'Order', 'orderId'],
  VendorUnavailable: ['VendorUnavailable', 'dmall', 'Order', 'orderId'],
};

function upgradeStored(
  name: string,
  fields: Record<string, unknown>,
): { name: string; fields: Record<string, unknown> } {
  const old = STORED_BEFORE_0_2[name];
  // Stored since 0.2 (it has its record), or not a vendor error at all: as it is.
  if (!old || fields.record) return { name, fields };
  const [pair, vendor, kind, id] = old;
  return {
    name: pair,
    fields: {
      ...PAIR_DEFAULTS[pair],
      vendor,
      ...fields,
      ...(name === 'VasRejected' && {
        vendorCode: fields.errorId ?? null,
        vendorMessage: fields.errorDesc ?? null,
      }),
      record: { kind, key: fields[id] ?? null },
      name: pair,
    },
  };
}

/** What the pair's fields are when a stored result of an older type did not have them. */
const PAIR_DEFAULTS = {
  VendorRejected: {
    reason: 'VENDOR_REJECTED',
    outcomeUnknown: false,
    vendorCode: null,
    vendorMessage: null,
  },
  VendorUnavailable: { vendorCode: null, vendorMessage: null },
};

/**
 * The message of an error in a language: its catalogue entry, or, for a result stored before 0.3
 * (or with a key this version's catalogue lacks), the English it was stored with.
 */
export function errorMessage(err: GatewayError, language: Language): string {
  return isKnown(err.text) ? render(err.text, language) : err.message;
}

/** An error of a result stored before 0.3 that had only its English message. */
function storedInEnglish(
  name: ErrorName,
  message: string | undefined,
  fields: Record<string, unknown>,
): GatewayError {
  const { code } = ERROR_CLASSES[name];
  return deserializeError({ name, fields: { ...fields, name, code, message: message ?? '' } });
}

export function deserializeError(stored: { name: string; fields: Record<string, unknown> }) {
  const { name, fields } = upgradeStored(stored.name, stored.fields);
  const cls = ERROR_CLASSES[name as ErrorName];
  if (!cls) throw new Error(`Unknown stored error ${name}`);
  const err = Object.create(cls.prototype) as GatewayError;
  Object.assign(err, fields);
  Object.defineProperty(err, 'message', { value: fields.message, enumerable: false });
  return err;
}
