/**
 * Voice OTP calls and phone-number verifications: the gateway's records of them (no GraphQL,
 * no SQL). A call never holds the digits it reads out; a verification holds only a keyed hash
 * of its code.
 */

import { HOUR_MS } from './windows.js';

export const VOICE_CALL_STATUSES = ['PENDING', 'ANSWERED', 'FAILED', 'UNKNOWN'] as const;
export type VoiceCallStatus = (typeof VOICE_CALL_STATUSES)[number];

/** Statuses that no vendor answer changes any more. */
export const SETTLED_CALL_STATUSES: readonly VoiceCallStatus[] = ['ANSWERED', 'FAILED', 'UNKNOWN'];

export interface VoiceCall {
  id: string;
  clientId: string;
  /** Local form, `0XXXXXXXXX`. */
  phone: string;
  /** The vendor's request id; null until `postSMS` accepted the call (or if it never did). */
  requestId: string | null;
  status: VoiceCallStatus;
  /** The vendor's last code for the call: `1`, `27`, `23` from checkVoice, or its refusal code. */
  vendorCode: string | null;
  /** Why the call failed or is unknown, in the gateway's words (a VendorError code or a reason). */
  failureMessage: string | null;
  /** The verification that placed it; null for a call placed by `sendVoiceOtp`. */
  verificationId: string | null;
  createdAt: string;
  updatedAt: string;
  settledAt: string | null;
  version: number;
}

/** Whether asking the vendor about the call can still change it. */
export function isFollowable(call: VoiceCall): boolean {
  return call.status === 'PENDING' && call.requestId !== null;
}

export const VERIFICATION_STATUSES = [
  'PENDING',
  'APPROVED',
  'EXPIRED',
  'CANCELED',
  'MAX_ATTEMPTS_REACHED',
] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

export const VERIFICATION_CHANNELS = ['VOICE'] as const;
export type VerificationChannel = (typeof VERIFICATION_CHANNELS)[number];

export interface PhoneVerification {
  id: string;
  clientId: string;
  phone: string;
  channel: VerificationChannel;
  status: VerificationStatus;
  /** HMAC-SHA256 of the current code, keyed with the server secret. */
  codeHash: string;
  /** Checks made so far (right or wrong). */
  checks: number;
  /** Calls placed so far. */
  sends: number;
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** The verification rules (`VERIFICATION_*` variables). */
export interface VerificationRules {
  validitySeconds: number;
  maxChecks: number;
  maxSends: number;
  perPhoneHour: number;
}

export const VERIFICATION_LIMITS = ['SENDS_PER_VERIFICATION', 'PHONE_PER_HOUR'] as const;
export type VerificationLimit = (typeof VERIFICATION_LIMITS)[number];

/** The window `perPhoneHour` counts one phone's verifications over. */
export const VERIFICATION_PHONE_WINDOW_MS = HOUR_MS;

/** When a verification started at `now` expires (a resend does not extend it). */
export function verificationExpiresAt(now: Date, validitySeconds: number): Date {
  return new Date(now.getTime() + validitySeconds * 1000);
}
