import type { Telco } from './telco-prefixes.js';

/**
 * Expected failures of the gateway's operations. Plain data (no GraphQL here): `schema/errors.ts`
 * exposes each class as a type implementing `Error`. Fields are JSON-safe so a result can be
 * stored with its idempotency key and replayed; an order is referenced by id.
 */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidPhoneNumber extends GatewayError {
  constructor(
    message: string,
    readonly input: string,
  ) {
    super(message, 'INVALID_PHONE_NUMBER');
  }
}

export class InvalidInput extends GatewayError {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message, 'INVALID_INPUT');
  }
}

export class PackageNotAvailable extends GatewayError {
  constructor(
    message: string,
    readonly packageCode: string,
    readonly telco: Telco,
  ) {
    super(message, 'PACKAGE_NOT_AVAILABLE');
  }
}

export type OtpLimit = 'PHONE_PER_HOUR' | 'PHONE_PER_10_MINUTES' | 'CLIENT_PER_MINUTE';

export class OtpRateLimited extends GatewayError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly limit: OtpLimit,
  ) {
    super(message, 'OTP_RATE_LIMITED');
  }
}

export class OtpAlreadySent extends GatewayError {
  constructor(
    message: string,
    readonly orderId: string,
  ) {
    super(message, 'OTP_ALREADY_SENT');
  }
}

export class VendorRejected extends GatewayError {
  constructor(
    message: string,
    readonly vendor: string,
    readonly vendorCode: string | null,
    readonly vendorMessage: string | null,
    readonly orderId: string,
  ) {
    super(message, 'VENDOR_REJECTED');
  }
}

export class VendorUnavailable extends GatewayError {
  constructor(
    message: string,
    readonly vendor: string,
    /** The VendorError code: VENDOR_TIMEOUT, VENDOR_UNAVAILABLE, VENDOR_HTTP, VENDOR_BAD_RESPONSE. */
    readonly reason: string,
    readonly outcomeUnknown: boolean,
    readonly orderId: string,
  ) {
    super(message, 'VENDOR_UNAVAILABLE');
  }
}

export class IdempotencyKeyReused extends GatewayError {
  constructor(message: string) {
    super(message, 'IDEMPOTENCY_KEY_REUSED');
  }
}

export class RequestInProgress extends GatewayError {
  constructor(
    message: string,
    /** When a retry with the same key will get the first request's result, or a takeover. */
    readonly retryAfterSeconds: number,
  ) {
    super(message, 'REQUEST_IN_PROGRESS');
  }
}

export class OrderNotFound extends GatewayError {
  constructor(
    message: string,
    readonly orderCode: string,
  ) {
    super(message, 'ORDER_NOT_FOUND');
  }
}

export class OtpIncorrect extends GatewayError {
  constructor(
    message: string,
    readonly attemptsLeft: number,
    readonly vendorCode: string | null,
    readonly vendorMessage: string | null,
    readonly orderId: string,
  ) {
    super(message, 'OTP_INCORRECT');
  }
}

export class OrderLocked extends GatewayError {
  constructor(
    message: string,
    readonly orderId: string,
  ) {
    super(message, 'ORDER_LOCKED');
  }
}

export class OtpExpired extends GatewayError {
  constructor(
    message: string,
    readonly orderId: string,
  ) {
    super(message, 'OTP_EXPIRED');
  }
}

export class OrderNotOpen extends GatewayError {
  constructor(
    message: string,
    readonly orderId: string,
  ) {
    super(message, 'ORDER_NOT_OPEN');
  }
}

/**
 * The database did not give the request a connection in time (pool exhausted), or lost it
 * mid-query (restart, failover). Reaches clients as a top-level error with this code (503). Not a
 * `GatewayError`: it is never a mutation's answer, and never stored as an idempotent result,
 * since the same request may succeed a moment later.
 */
export class DatabaseUnavailable extends Error {
  readonly code = 'DATABASE_UNAVAILABLE';
  constructor(message = 'The database is busy or unreachable; try again shortly.') {
    super(message);
    this.name = 'DatabaseUnavailable';
  }
}

/**
 * The registry of expected errors: every class by name. The schema defines one GraphQL type per
 * entry (`schema/errors.ts` fails to compile if one is missing), result unions name their members
 * from it, and a stored result is rebuilt from it for an idempotent replay. A new error is one
 * class above, one line here and its schema type.
 */
export const ERROR_CLASSES = {
  InvalidPhoneNumber,
  InvalidInput,
  PackageNotAvailable,
  OtpRateLimited,
  OtpAlreadySent,
  VendorRejected,
  VendorUnavailable,
  IdempotencyKeyReused,
  RequestInProgress,
  OrderNotFound,
  OtpIncorrect,
  OrderLocked,
  OtpExpired,
  OrderNotOpen,
} as const;

export type ErrorName = keyof typeof ERROR_CLASSES;

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
