/**
 * The limits on voice calls the gateway places (`sendVoiceOtp` and verification calls together),
 * and the fraud guard's prefix. Pure: the store counts, this decides.
 */

import { type Message, message } from './messages/index.js';
import type { VerificationStatus } from './voice.js';
import { DAY_MS, longestWait, MINUTE_MS, type WindowCheck, windowStart } from './windows.js';

export const VOICE_CALL_LIMITS = [
  'PHONE_PER_10_MINUTES',
  'PHONE_PER_DAY',
  'CLIENT_PER_MINUTE',
  'CLIENT_PER_DAY',
] as const;
export type VoiceCallLimit = (typeof VOICE_CALL_LIMITS)[number];

/** `VOICE_CALLS_PER_*`: calls per phone (every client) and per client (every phone). */
export interface VoiceCallLimits {
  perPhone10Min: number;
  perPhoneDay: number;
  perClientMinute: number;
  perClientDay: number;
}

/** `VOICE_GUARD_*`: the conversion guard per number prefix. `maxUnconverted` 0 turns it off. */
export interface VoiceGuardRules {
  windowSeconds: number;
  maxUnconverted: number;
  cooldownSeconds: number;
}

export interface VoiceCallRefusal {
  limit: VoiceCallLimit;
  retryAfterSeconds: number;
  message: Message<'VoiceCallRateLimited'>;
}

/** How far back each call limit counts, in ms. */
export type VoiceCallLimitWindows = Readonly<Record<VoiceCallLimit, number>>;

export const VOICE_CALL_LIMIT_WINDOWS: VoiceCallLimitWindows = {
  PHONE_PER_10_MINUTES: 10 * MINUTE_MS,
  PHONE_PER_DAY: DAY_MS,
  CLIENT_PER_MINUTE: MINUTE_MS,
  CLIENT_PER_DAY: DAY_MS,
};

/** How far back a phone's and a client's calls can still count: each one's longest window. */
export function callLookbackMs(windows: VoiceCallLimitWindows = VOICE_CALL_LIMIT_WINDOWS): {
  phone: number;
  client: number;
} {
  return {
    phone: Math.max(windows.PHONE_PER_10_MINUTES, windows.PHONE_PER_DAY),
    client: Math.max(windows.CLIENT_PER_MINUTE, windows.CLIENT_PER_DAY),
  };
}

/**
 * The limit a new call would break, with how long until the oldest call of that window leaves
 * it; the longest wait when several are reached. `phoneTimes` and `clientTimes` are the calls
 * within `callLookbackMs` to the phone (any client) and by the client (any phone).
 */
export function checkVoiceCallLimits(input: {
  now: Date;
  limits: VoiceCallLimits;
  phoneTimes: readonly Date[];
  clientTimes: readonly Date[];
  windows?: VoiceCallLimitWindows;
}): VoiceCallRefusal | null {
  const { now, limits, windows = VOICE_CALL_LIMIT_WINDOWS } = input;
  const checks: Array<WindowCheck<VoiceCallLimit>> = [
    {
      limit: 'PHONE_PER_10_MINUTES',
      max: limits.perPhone10Min,
      times: input.phoneTimes,
    },
    {
      limit: 'PHONE_PER_DAY',
      max: limits.perPhoneDay,
      times: input.phoneTimes,
    },
    {
      limit: 'CLIENT_PER_MINUTE',
      max: limits.perClientMinute,
      times: input.clientTimes,
    },
    {
      limit: 'CLIENT_PER_DAY',
      max: limits.perClientDay,
      times: input.clientTimes,
    },
  ];
  const hit = longestWait(checks, windows, now);
  return (
    hit && {
      limit: hit.limit,
      retryAfterSeconds: hit.retryAfterSeconds,
      message: message(`VoiceCallRateLimited.${hit.limit}`, {
        max: hit.max,
        windowMs: hit.windowMs,
        retryAfterSeconds: hit.retryAfterSeconds,
      }),
    }
  );
}

/** A verification that ends so converted: the guard does not count its calls. */
export const CONVERTED_STATUS = 'APPROVED' satisfies VerificationStatus;

/**
 * Where the guard's count of a prefix's unconverted calls starts: the guard's window back from
 * now, or the end of the prefix's last block if that is later (counting starts again when a
 * block ends, its cool-down over or lifted).
 */
export function guardCountFrom(now: Date, guard: VoiceGuardRules, lastBlockUntil?: string): string {
  const start = windowStart(now, guard.windowSeconds * 1000).toISOString();
  return lastBlockUntil !== undefined && lastBlockUntil > start ? lastBlockUntil : start;
}

/** Until when a prefix that trips the guard now is blocked: the guard's cool-down. */
export function guardBlockUntil(now: Date, guard: VoiceGuardRules): string {
  return new Date(now.getTime() + guard.cooldownSeconds * 1000).toISOString();
}

/** Digits of the local form the guard groups numbers by. */
export const GUARD_PREFIX_DIGITS = 5;

/**
 * The fraud guard's unit: the first five digits of the local form, i.e. the carrier prefix
 * (`093`, MobiFone) and the two digits after it, a block of 100,000 numbers (`09360`). Pumping
 * rings rent ranges of consecutive numbers, so a block this size catches a ring while leaving the
 * carrier's other 99 blocks alone.
 */
export function guardPrefix(localPhone: string): string {
  return localPhone.slice(0, GUARD_PREFIX_DIGITS);
}

/** Whether `text` is a prefix the guard could have blocked (operators type it). */
export function isGuardPrefix(text: string): boolean {
  return new RegExp(`^0\\d{${GUARD_PREFIX_DIGITS - 1}}$`).test(text);
}
