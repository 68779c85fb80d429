import type { VendorFailureReason } from './errors.js';

/** What a VAS transaction asks the SDP to do (`regType` 1 and 2). */
export const VAS_ACTIONS = ['REGISTER', 'CANCEL'] as const;
export type VasTransactionAction = (typeof VAS_ACTIONS)[number];

/**
 * Where a VAS transaction stands. PENDING: recorded, the notify_reg call not answered yet;
 * SUCCEEDED / FAILED: final; UNKNOWN: the call got no usable answer and the SDP may have acted,
 * to be settled from CheckServiceInfo (the sweeper, `settleVasTransaction`) or a notification.
 */
export const VAS_TRANSACTION_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED', 'UNKNOWN'] as const;
export type VasTransactionStatus = (typeof VAS_TRANSACTION_STATUSES)[number];

/** A register or cancel, as the VAS ledger records it. */
export interface VasTransaction {
  id: string;
  clientId: string;
  /** Local form, `0XXXXXXXXX`. */
  phone: string;
  serviceId: string;
  packageId: string;
  action: VasTransactionAction;
  channel: string;
  /** VND as digits; empty when left to the SDP. */
  price: string;
  autoRenew: boolean | null;
  status: VasTransactionStatus;
  /** The `queueID` sent to notify_reg (generated and recorded before the call). */
  queueId: string;
  /** The SDP's `error_id` and `error_desc`, when it answered. */
  vendorCode: string | null;
  vendorMessage: string | null;
  /** Why the call gave no usable answer, when it did not. */
  failureReason: VendorFailureReason | null;
  /** Settlement checks made so far, and when the next one is due (UNKNOWN only). */
  settleAttempts: number;
  nextSettleAt: string | null;
  createdAt: string;
  updatedAt: string;
  settledAt: string | null;
  version: number;
}

export interface VasTransactionEvent {
  transactionId: string;
  version: number;
  status: VasTransactionStatus;
  detail: string | null;
  at: string;
}

/** A subscriber's package as the gateway last learned it (a check, a call, a notification). */
export interface VasSubscriptionState {
  phone: string;
  msisdn: string;
  serviceId: string;
  packageId: string;
  /** Null when the SDP refused the check (see `errorId`). */
  active: boolean | null;
  /** ISO time of what this says. */
  checkedAt: string;
  errorId: string | null;
  errorDesc: string | null;
}

/** A notification the SDP sent to our cpURL, as recorded (once per `queueID`). */
export interface VasEvent {
  queueId: string;
  action: VasTransactionAction;
  phone: string;
  serviceId: string;
  packageId: string;
  channel: string;
  resultCode: string;
  errorDesc: string;
  commandCode: string;
  price: string;
  autoRenew: boolean | null;
  subscribedAt: string | null;
  expiresAt: string | null;
  receivedAt: string;
  /** How many times the SDP sent it again since (acknowledged, not recorded again). */
  replays?: number;
  /** When the last of those came; null when none did. */
  lastReplayedAt?: string | null;
}

/** Waits between settlement checks of an UNKNOWN transaction: 30 s doubling, at most 1 hour. */
export function settleBackoffMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts), 3_600_000);
}

/**
 * Statuses whose outcome is not known yet: the SDP may have acted, so a new call for the same
 * subscriber and package waits, and a notification may settle them.
 */
export const IN_DOUBT_STATUSES: readonly VasTransactionStatus[] = ['PENDING', 'UNKNOWN'];

/** True while a transaction's outcome is not known (a new call for the same package waits). */
export function isInDoubt(tx: Pick<VasTransaction, 'status'>): boolean {
  return IN_DOUBT_STATUSES.includes(tx.status);
}
