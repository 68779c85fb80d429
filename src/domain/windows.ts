/**
 * Sliding windows, the one way the gateway's limits count: OTP requests, voice calls,
 * verifications and OA package purchases. Pure; the stores read the times, these decide.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Where a window of `ms` ending at `now` starts: what a store reads back to. */
export function windowStart(now: Date, ms: number): Date {
  return new Date(now.getTime() - ms);
}

/** Whole seconds from `now` until `at`, at least 1: a retry-after. */
export function secondsUntil(at: Date, now: Date): number {
  return Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000));
}

/**
 * Whole seconds (at least 1) until one more event fits under `max` (1 or more) per `windowMs`,
 * given the times (or ISO times) of earlier events in any order (those outside the window do not
 * count); null while it fits now. The event that must leave the window first is the `max`-th newest.
 */
export function secondsUntilRoom(
  times: ReadonlyArray<Date | string>,
  max: number,
  windowMs: number,
  now: Date,
): number | null {
  const inWindow = times
    .map((t) => new Date(t).getTime())
    .filter((t) => now.getTime() - t < windowMs)
    .sort((a, b) => a - b);
  if (inWindow.length < max) return null;
  const oldest = inWindow[inWindow.length - max]!;
  return secondsUntil(new Date(oldest + windowMs), now);
}

/** One limit to check: at most `max` of `times` per its window. */
export interface WindowCheck<L extends string> {
  limit: L;
  max: number;
  times: readonly Date[];
}

/** A limit reached: which, its maximum and window, and the wait until one more fits. */
export interface LimitReached<L extends string> {
  limit: L;
  max: number;
  windowMs: number;
  retryAfterSeconds: number;
}

/**
 * Of several limits, each with its window in `windows`, the one reached that frees up last;
 * null while none is reached.
 */
export function longestWait<L extends string>(
  checks: ReadonlyArray<WindowCheck<L>>,
  windows: Readonly<Record<L, number>>,
  now: Date,
): LimitReached<L> | null {
  let worst: LimitReached<L> | null = null;
  for (const c of checks) {
    const ms = windows[c.limit];
    const retryAfterSeconds = secondsUntilRoom(c.times, c.max, ms, now);
    if (retryAfterSeconds === null) continue;
    if (!worst || retryAfterSeconds > worst.retryAfterSeconds) {
      worst = { limit: c.limit, max: c.max, windowMs: ms, retryAfterSeconds };
    }
  }
  return worst;
}
