import type { VendorFailureReason } from './errors.js';
import { HOUR_MS } from './windows.js';

/**
 * A purchase of a Zalo Official Account package through eSMS.
 *
 *   SUBMITTED ──100──▶ ACCEPTED
 *      │  └──199──▶ SUBMITTED (the same purchase is already at eSMS: nothing new was created)
 *      ├──refused, or not sent──▶ REJECTED
 *      └──timeout, lost or unreadable reply──▶ UNKNOWN
 *
 * The row is written (SUBMITTED, no vendor code) before the call and updated after it; a row
 * still SUBMITTED with no vendor code once any call would have ended was cut short by a stop,
 * and the sweeper makes it UNKNOWN.
 */
export const OA_PACKAGE_STATUSES = ['SUBMITTED', 'ACCEPTED', 'REJECTED', 'UNKNOWN'] as const;
export type OAPackageStatus = (typeof OA_PACKAGE_STATUSES)[number];

export const OA_PACKAGE_TIER_NAMES = ['TRIAL', 'ADVANCED', 'PREMIUM'] as const;
export type OAPackageTierName = (typeof OA_PACKAGE_TIER_NAMES)[number];

export interface OAPackage {
  id: string;
  clientId: string;
  oaId: string;
  tier: OAPackageTierName;
  /** `yyyy-MM-dd`, a Vietnam calendar day. */
  activeFrom: string;
  duration: number;
  status: OAPackageStatus;
  /** eSMS's id of the purchase, once it gave one. */
  servicePreviewId: string | null;
  /** eSMS's `CodeResult`, once it answered. */
  vendorCode: string | null;
  vendorMessage: string | null;
  /** Why the call gave no usable answer, when it did not. */
  failureReason: VendorFailureReason | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface OAPackageEvent {
  oaPackageId: string;
  version: number;
  status: OAPackageStatus;
  detail: string | null;
  at: string;
}

/** Today's date in Vietnam (UTC+7, no daylight saving), `yyyy-MM-dd`. */
export function vietnamToday(now: Date): string {
  return new Date(now.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
}

/** The window `OA_PURCHASE_LIMIT_PER_CLIENT_HOUR` counts one client's purchases over. */
export const OA_PURCHASE_WINDOW_MS = HOUR_MS;
