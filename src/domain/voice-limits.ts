/**
 * The limits on voice calls the gateway places (`sendVoiceOtp` and verification calls together),
 * and the fraud guard's prefix. Pure: the store counts, this decides.
 */

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
  message: string;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * The limit a new call would break, with how long until the oldest call of that window leaves
 * it; the longest wait when several are reached. `phoneTimes` and `clientTimes` are the calls of
 * the last day to the phone (any client) and by the client (any phone).
 */
export function checkVoiceCallLimits(input: {
  now: Date;
  limits: VoiceCallLimits;
  phoneTimes: readonly Date[];
  clientTimes: readonly Date[];
}): VoiceCallRefusal | null {
  const { now, limits } = input;
  const windows = [
    {
      limit: 'PHONE_PER_10_MINUTES' as const,
      max: limits.perPhone10Min,
      ms: 10 * MINUTE,
      times: input.phoneTimes,
      what: `This phone was called ${limits.perPhone10Min} times in the last 10 minutes`,
    },
    {
      limit: 'PHONE_PER_DAY' as const,
      max: limits.perPhoneDay,
      ms: DAY,
      times: input.phoneTimes,
      what: `This phone was called ${limits.perPhoneDay} times in the last 24 hours`,
    },
    {
      limit: 'CLIENT_PER_MINUTE' as const,
      max: limits.perClientMinute,
      ms: MINUTE,
      times: input.clientTimes,
      what: `This client placed ${limits.perClientMinute} calls in the last minute`,
    },
    {
      limit: 'CLIENT_PER_DAY' as const,
      max: limits.perClientDay,
      ms: DAY,
      times: input.clientTimes,
      what: `This client placed ${limits.perClientDay} calls in the last 24 hours`,
    },
  ];
  let worst: VoiceCallRefusal | null = null;
  for (const w of windows) {
    const inWindow = w.times
      .filter((t) => now.getTime() - t.getTime() < w.ms)
      .sort((a, b) => a.getTime() - b.getTime());
    if (inWindow.length < w.max) continue;
    const oldest = inWindow[inWindow.length - w.max]!;
    const retryAfterSeconds = Math.max(
      1,
      Math.ceil((oldest.getTime() + w.ms - now.getTime()) / 1000),
    );
    if (!worst || retryAfterSeconds > worst.retryAfterSeconds) {
      worst = {
        limit: w.limit,
        retryAfterSeconds,
        message: `${w.what}; no call was placed. Try again in ${retryAfterSeconds} s.`,
      };
    }
  }
  return worst;
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
