import { describe, expect, it } from 'vitest';
import { checkOtpLimits } from '../../src/domain/otp-limits.js';

const now = new Date('2026-11-22T10:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);
const limits = { perPhoneHour: 5, perPhone10Min: 3, perClientMinute: 30 };

describe('checkOtpLimits', () => {
  it('allows requests under every limit', () => {
    expect(
      checkOtpLimits({ now, limits, phoneTimes: [ago(30), ago(700)], clientTimes: [] }),
    ).toBeNull();
  });

  it('stops the fourth request in 10 minutes until the oldest of the three leaves the window', () => {
    const err = checkOtpLimits({
      now,
      limits,
      phoneTimes: [ago(500), ago(100), ago(10)],
      clientTimes: [],
    });
    expect(err).toMatchObject({ limit: 'PHONE_PER_10_MINUTES', retryAfterSeconds: 100 });
  });

  it('stops the sixth request in an hour', () => {
    const times = [ago(3500), ago(3000), ago(2000), ago(1000), ago(900)];
    expect(checkOtpLimits({ now, limits, phoneTimes: times, clientTimes: [] })).toMatchObject({
      limit: 'PHONE_PER_HOUR',
      retryAfterSeconds: 100,
    });
  });

  it('reports the limit that lasts longest when several are reached', () => {
    // 10-minute window: free again in 300 s; hourly window (six in it): only in 1600 s.
    const times = [ago(3590), ago(2000), ago(1000), ago(300), ago(200), ago(100)];
    expect(checkOtpLimits({ now, limits, phoneTimes: times, clientTimes: [] })).toMatchObject({
      limit: 'PHONE_PER_HOUR',
      retryAfterSeconds: 1600,
    });
  });

  it('limits a client per minute', () => {
    const clientTimes = Array.from({ length: 30 }, (_, i) => ago(59 - i));
    expect(checkOtpLimits({ now, limits, phoneTimes: [], clientTimes })).toMatchObject({
      limit: 'CLIENT_PER_MINUTE',
      retryAfterSeconds: 1,
    });
  });
});
