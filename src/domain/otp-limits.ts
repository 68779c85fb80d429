import { type OtpLimit, OtpRateLimited } from './errors.js';
import { message } from './messages/index.js';
import { HOUR_MS, longestWait, MINUTE_MS, type WindowCheck } from './windows.js';

export interface OtpLimits {
  perPhoneHour: number;
  perPhone10Min: number;
  perClientMinute: number;
}

/** How far back each OTP limit counts, in ms. */
export type OtpLimitWindows = Readonly<Record<OtpLimit, number>>;

export const OTP_LIMIT_WINDOWS: OtpLimitWindows = {
  CLIENT_PER_MINUTE: MINUTE_MS,
  PHONE_PER_10_MINUTES: 10 * MINUTE_MS,
  PHONE_PER_HOUR: HOUR_MS,
};

/** How far back a phone's OTP requests can still count: its longest window. */
export function phoneLookbackMs(windows: OtpLimitWindows = OTP_LIMIT_WINDOWS): number {
  return Math.max(windows.PHONE_PER_10_MINUTES, windows.PHONE_PER_HOUR);
}

/**
 * Sliding-window limits on OTP requests. `phoneTimes` are the phone's requests within
 * `phoneLookbackMs`, `clientTimes` the client's within its minute. Returns the tightest limit
 * that is reached, with how long until the oldest request in that window leaves it.
 */
export function checkOtpLimits(input: {
  now: Date;
  limits: OtpLimits;
  phoneTimes: readonly Date[];
  clientTimes: readonly Date[];
  windows?: OtpLimitWindows;
}): OtpRateLimited | null {
  const { now, limits, windows = OTP_LIMIT_WINDOWS } = input;
  const checks: Array<WindowCheck<OtpLimit>> = [
    {
      limit: 'CLIENT_PER_MINUTE',
      max: limits.perClientMinute,
      times: input.clientTimes,
    },
    {
      limit: 'PHONE_PER_10_MINUTES',
      max: limits.perPhone10Min,
      times: input.phoneTimes,
    },
    {
      limit: 'PHONE_PER_HOUR',
      max: limits.perPhoneHour,
      times: input.phoneTimes,
    },
  ];
  const hit = longestWait(checks, windows, now);
  return (
    hit &&
    new OtpRateLimited(
      message(`OtpRateLimited.${hit.limit}`, {
        max: hit.max,
        windowMs: hit.windowMs,
        retryAfterSeconds: hit.retryAfterSeconds,
      }),
      hit.retryAfterSeconds,
      hit.limit,
    )
  );
}
