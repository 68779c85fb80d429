import { VENDOR_FAILURE_REASONS } from './errors.js';
import type { Telco } from './telco-prefixes.js';
import { secondsUntil } from './windows.js';

/**
 * The order state machine.
 *
 *   PENDING ──get-otp ok──▶ OTP_SENT ──register──▶ REGISTERING ──ok──▶ REGISTERED
 *      │                      │  ▲                    │
 *      ├─refused──▶ FAILED    │  └──wrong OTP─────────┤ (5th wrong OTP ──▶ LOCKED)
 *      ├─not sent─▶ REFUSED   │                       │ (the gateway's own refusal: circuit open)
 *      └─timeout──▶ UNKNOWN   └─validity over─▶ EXPIRED└─timeout──▶ UNKNOWN ──register again──▶ …
 *
 * A row is written before each vendor call (PENDING, REGISTERING) and updated after it, so a
 * crash in between leaves a state that says "a call was made, its result is not recorded". The
 * sweeper turns such rows, once older than any call could take, into UNKNOWN.
 */
export const ORDER_STATUSES = [
  'PENDING',
  'OTP_SENT',
  'REGISTERING',
  'REGISTERED',
  'FAILED',
  'UNKNOWN',
  'LOCKED',
  'EXPIRED',
  'REFUSED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * Why an order's last vendor call failed, in the gateway's words: a failure on the way
 * (`VendorFailureReason`), a refusal of the OTP request, or a wrong OTP.
 */
export const ORDER_FAILURE_CODES = [
  ...VENDOR_FAILURE_REASONS,
  'VENDOR_REJECTED',
  'OTP_INCORRECT',
] as const;
export type OrderFailureCode = (typeof ORDER_FAILURE_CODES)[number];

export interface Utm {
  source: string;
  medium: string;
  content: string;
  campaign: string;
}

export interface Order {
  id: string;
  partnerTransId: string;
  orderCode: string | null;
  telcoTransId: string | null;
  clientId: string;
  phone: string;
  telco: Telco;
  packageCode: string;
  status: OrderStatus;
  failureCode: OrderFailureCode | null;
  /** The vendor's own code for the failure, as it came; null when the vendor gave none. */
  failureVendorCode: string | null;
  failureMessage: string | null;
  otpAttempts: number;
  utm: Utm;
  registeredType: string | null;
  registeredCode: string | null;
  otpSentAt: string | null;
  registeredAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface OrderEvent {
  orderId: string;
  version: number;
  status: OrderStatus;
  detail: string | null;
  at: string;
}

/**
 * States that stop a new OTP request for the same phone and package, while the OTP is valid:
 * an OTP may be outstanding. An UNKNOWN OTP request (no order code) does not block: nothing can
 * be registered from it, and the customer at the counter must be able to go on.
 */
export const OPEN_STATUSES: readonly OrderStatus[] = ['PENDING', 'OTP_SENT', 'REGISTERING'];

/**
 * The status of a registration whose outcome was lost when it has an order code (an UNKNOWN OTP
 * request has none): see `isUnsettledRegistration`.
 */
export const UNSETTLED_STATUS = 'UNKNOWN' satisfies OrderStatus;

/**
 * States in which a vendor call may be under way (the row is written before the call): the
 * sweeper makes those older than any call can take UNKNOWN.
 */
export const IN_FLIGHT_STATUSES: readonly OrderStatus[] = ['PENDING', 'REGISTERING'];

/**
 * OTP requests that do not count toward the OTP limits: the gateway refused them before calling
 * the vendor, so nothing was sent.
 */
export const UNCOUNTED_STATUSES: readonly OrderStatus[] = ['REFUSED'];

/** States nothing follows: a stream of the order ends after sending one. */
export const FINAL_STATUSES: readonly OrderStatus[] = [
  'REGISTERED',
  'FAILED',
  'EXPIRED',
  'LOCKED',
  'REFUSED',
];

/**
 * Whether nothing more will happen to the order. An UNKNOWN registration is not final (calling
 * registerWithOtp again settles it); an UNKNOWN OTP request is (it has no order code to register).
 */
export function isFinalOrder(order: Pick<Order, 'status' | 'orderCode'>): boolean {
  return (
    FINAL_STATUSES.includes(order.status) ||
    (order.status === 'UNKNOWN' && order.orderCode === null)
  );
}

/**
 * An UNKNOWN registration (it has an order code) blocks a new sale of the same package to the
 * same phone however old it is: the package may be active and paid. It is settled by calling
 * registerWithOtp again with its order code.
 */
export function isUnsettledRegistration(order: Pick<Order, 'status' | 'orderCode'>): boolean {
  return order.status === UNSETTLED_STATUS && order.orderCode !== null;
}

/**
 * An OTP is valid for `validitySeconds` from when it was sent (an order with no OTP yet: from
 * its creation); at this time it expires.
 */
export function otpExpiresAt(
  order: Pick<Order, 'otpSentAt' | 'createdAt'>,
  validitySeconds: number,
) {
  return new Date(Date.parse(order.otpSentAt ?? order.createdAt) + validitySeconds * 1000);
}

/**
 * The same rule read backwards, for a query: at `now`, an OTP is still valid if it was sent
 * after this time, and has expired if it was sent at it or before.
 */
export function otpValidSince(now: Date, validitySeconds: number): Date {
  return new Date(now.getTime() - validitySeconds * 1000);
}

/** Whole seconds until an open order's OTP expires (at least 1), for a retry-after. */
export function secondsUntilExpiry(
  order: Pick<Order, 'otpSentAt' | 'createdAt'>,
  validitySeconds: number,
  now: Date,
): number {
  return secondsUntil(otpExpiresAt(order, validitySeconds), now);
}

export function attemptsLeft(order: Pick<Order, 'otpAttempts'>, maxAttempts: number): number {
  return Math.max(0, maxAttempts - order.otpAttempts);
}
