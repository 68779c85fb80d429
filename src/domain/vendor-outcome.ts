import type { VendorFailureReason } from './errors.js';

/**
 * What a failed vendor call that creates something means for its ledger record, decided once.
 *
 * Every creating call ends in one of these outcomes; each ledger declares, in `LEDGER_OUTCOMES`,
 * the status its record takes for each. Services look the status up here instead of deciding
 * it, so two ledgers that treat the same outcome differently do so in one table, side by side
 * (test/domain/vendor-outcome.test.ts walks it).
 */

/** How a creating call ended, from what the gateway knows. */
export type VendorOutcome =
  /** The vendor answered with a refusal: it did not act. */
  | 'REJECTED'
  /** The call was sent and failed in a way that says the vendor did not act (an HTTP 503). */
  | 'NOT_ACTED'
  /** The gateway refused the call itself (circuit open, bulkhead full): nothing left it. */
  | 'NOT_SENT'
  /** A timeout, a lost or unreadable reply: the vendor may have acted. */
  | 'UNKNOWN';

export const VENDOR_OUTCOMES: readonly VendorOutcome[] = [
  'REJECTED',
  'NOT_ACTED',
  'NOT_SENT',
  'UNKNOWN',
];

/** The facts of a vendor failure the outcome is read from (`VendorError` carries them). */
export interface VendorFailureFacts {
  code: string;
  outcomeUnknown: boolean;
  attempted: boolean;
  /** The HTTP status of the reply, when one came. */
  status?: number | null;
}

/**
 * The outcome of a failed call. "May have acted" wins over everything else: a refusal code whose
 * reply says the outcome is unknown (voice OTP's code 27) is UNKNOWN, never a refusal.
 */
export function outcomeOf(failure: VendorFailureFacts): VendorOutcome {
  if (failure.outcomeUnknown) return 'UNKNOWN';
  if (failure.code === 'VENDOR_REJECTED') return 'REJECTED';
  return failure.attempted ? 'NOT_ACTED' : 'NOT_SENT';
}

/** The record stays in the state it had before the call (a registration the vendor did not take). */
export const PREVIOUS = 'PREVIOUS';

/**
 * Each ledger's status per outcome. Read across a column to see where ledgers differ:
 * only an OTP request records a call that never left the gateway as `REFUSED` (it gives the
 * client's OTP allowance back); the others record it as failed.
 */
export const LEDGER_OUTCOMES = {
  /** `requestOtp` (dmall `get-otp`). */
  otpRequest: { REJECTED: 'FAILED', NOT_ACTED: 'FAILED', NOT_SENT: 'REFUSED', UNKNOWN: 'UNKNOWN' },
  /**
   * `registerWithOtp` (dmall `register_with_otp`): a refusal is a wrong OTP and leaves the order
   * open (`LOCKED` at the attempt limit, an order rule); a call the vendor did not take leaves it
   * as it was, so the clerk can try again.
   */
  registration: {
    REJECTED: 'OTP_SENT',
    NOT_ACTED: PREVIOUS,
    NOT_SENT: PREVIOUS,
    UNKNOWN: 'UNKNOWN',
  },
  /** `registerVasPackage` / `cancelVasPackage` (vascloud `notify_reg`). */
  vasTransaction: {
    REJECTED: 'FAILED',
    NOT_ACTED: 'FAILED',
    NOT_SENT: 'FAILED',
    UNKNOWN: 'UNKNOWN',
  },
  /** `purchaseOAPackage` (eSMS `RegisOAPackageJson`). */
  oaPackage: {
    REJECTED: 'REJECTED',
    NOT_ACTED: 'REJECTED',
    NOT_SENT: 'REJECTED',
    UNKNOWN: 'UNKNOWN',
  },
  /** `sendVoiceOtp` and verification calls (voice OTP `postSMS`). */
  voiceCall: { REJECTED: 'FAILED', NOT_ACTED: 'FAILED', NOT_SENT: 'FAILED', UNKNOWN: 'UNKNOWN' },
} as const satisfies Record<string, Record<VendorOutcome, string>>;

export type LedgerName = keyof typeof LEDGER_OUTCOMES;

/** The status a ledger's record takes after a failed call. */
export function statusAfter<L extends LedgerName>(
  ledger: L,
  failure: VendorFailureFacts,
): (typeof LEDGER_OUTCOMES)[L][VendorOutcome] {
  const table: Record<VendorOutcome, string> = LEDGER_OUTCOMES[ledger];
  return table[outcomeOf(failure)] as (typeof LEDGER_OUTCOMES)[L][VendorOutcome];
}

/** Why a failed call gave no usable answer, for `VendorUnavailable.reason` and the records. */
export function failureReason(err: VendorFailureFacts): VendorFailureReason {
  if (err.code !== 'VENDOR_REJECTED') return err.code as VendorFailureReason;
  // A refusal code whose outcome is unknown (voice OTP's 27: the carrier failed mid-call), or a
  // refusal page from a proxy: no answer from the vendor itself.
  return err.status != null && err.status >= 400 ? 'VENDOR_HTTP' : 'VENDOR_UNAVAILABLE';
}
