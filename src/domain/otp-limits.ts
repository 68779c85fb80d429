import { type OtpLimit, OtpRateLimited } from './errors.js';

export interface OtpLimits {
  perPhoneHour: number;
  perPhone10Min: number;
  perClientMinute: number;
}

interface Window {
  limit: OtpLimit;
  max: number;
  ms: number;
  times: readonly Date[];
  message: string;
}

/**
 * Sliding-window limits on OTP requests. `phoneTimes` are the phone's requests in the last hour,
 * `clientTimes` the client's in the last minute. Returns the tightest limit that is reached, with
 * how long until the oldest request in that window leaves it.
 */
export function checkOtpLimits(input: {
  now: Date;
  limits: OtpLimits;
  phoneTimes: readonly Date[];
  clientTimes: readonly Date[];
}): OtpRateLimited | null {
  const { now, limits } = input;
  const windows: Window[] = [
    {
      limit: 'CLIENT_PER_MINUTE',
      max: limits.perClientMinute,
      ms: 60_000,
      times: input.clientTimes,
      message: `This client asked for ${limits.perClientMinute} OTPs in the last minute`,
    },
    {
      limit: 'PHONE_PER_10_MINUTES',
      max: limits.perPhone10Min,
      ms: 600_000,
      times: input.phoneTimes,
      message: `This phone was sent ${limits.perPhone10Min} OTPs in the last 10 minutes`,
    },
    {
      limit: 'PHONE_PER_HOUR',
      max: limits.perPhoneHour,
      ms: 3_600_000,
      times: input.phoneTimes,
      message: `This phone was sent ${limits.perPhoneHour} OTPs in the last hour`,
    },
  ];
  let worst: OtpRateLimited | null = null;
  for (const w of windows) {
    const inWindow = w.times
      .filter((t) => now.getTime() - t.getTime() < w.ms)
      .sort((a, b) => a.getTime() - b.getTime());
    if (inWindow.length < w.max) continue;
    // The request that must age out before one more fits.
    const oldest = inWindow[inWindow.length - w.max]!;
    const retryAfterSeconds = Math.max(
      1,
      Math.ceil((oldest.getTime() + w.ms - now.getTime()) / 1000),
    );
    if (!worst || retryAfterSeconds > worst.retryAfterSeconds) {
      worst = new OtpRateLimited(
        `${w.message}; try again in ${retryAfterSeconds} s.`,
        retryAfterSeconds,
        w.limit,
      );
    }
  }
  return worst;
}
