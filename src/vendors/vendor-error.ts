/**
 * The one shape of upstream failures, apart from the HTTP layer that raises most of them, so
 * services and the schema can read it without loading undici.
 */

import type { VendorFailureReason } from '../domain/errors.js';

/** A failure on the way (no usable answer), or a refusal by the vendor. */
export type VendorErrorCode = VendorFailureReason | 'VENDOR_REJECTED';

export interface VendorErrorInit {
  vendor: string;
  code: VendorErrorCode;
  message: string;
  status?: number | null;
  vendorCode?: string | null;
  vendorMessage?: string | null;
  /** True when the vendor may have acted on the request: a create call must be reconciled. */
  outcomeUnknown?: boolean;
  /**
   * False when the gateway itself refused the call before sending it (circuit open, too many
   * calls in flight): nothing left the gateway. True otherwise, the default.
   */
  attempted?: boolean;
  cause?: unknown;
}

/** One shape for every upstream failure. It never carries the request, so never its secrets. */
export class VendorError extends Error {
  override name = 'VendorError';
  readonly vendor: string;
  readonly code: VendorErrorCode;
  readonly status: number | null;
  readonly vendorCode: string | null;
  readonly vendorMessage: string | null;
  readonly outcomeUnknown: boolean;
  readonly attempted: boolean;

  constructor(init: VendorErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.vendor = init.vendor;
    this.code = init.code;
    this.status = init.status ?? null;
    this.vendorCode = init.vendorCode ?? null;
    this.vendorMessage = init.vendorMessage ?? null;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
    this.attempted = init.attempted ?? true;
  }
}
