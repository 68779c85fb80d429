import { describe, expect, it } from 'vitest';
import { render } from '../../src/domain/messages/index.js';
import { checkVoiceCallLimits, guardPrefix, isGuardPrefix } from '../../src/domain/voice-limits.js';

const now = new Date('2026-11-23T12:00:00.000Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
const limits = { perPhone10Min: 3, perPhoneDay: 10, perClientMinute: 2, perClientDay: 5 };

describe('checkVoiceCallLimits', () => {
  it('admits a call under every cap', () => {
    expect(
      checkVoiceCallLimits({ now, limits, phoneTimes: [ago(30), ago(900)], clientTimes: [] }),
    ).toBeNull();
  });

  it('waits for the call that must leave the window, and answers the longest wait', () => {
    // Three calls in 10 minutes (the oldest 500 s ago) and ten in the day (the oldest 80000 s ago).
    const phoneTimes = [
      ago(100),
      ago(300),
      ago(500),
      ...Array.from({ length: 7 }, (_, i) => ago(80_000 - i)),
    ];
    const refusal = checkVoiceCallLimits({ now, limits, phoneTimes, clientTimes: [] });
    expect(refusal).toEqual({
      limit: 'PHONE_PER_DAY',
      retryAfterSeconds: 86_400 - 80_000,
      message: {
        key: 'VoiceCallRateLimited.PHONE_PER_DAY',
        params: { max: 10, windowMs: 86_400_000, retryAfterSeconds: 6400 },
      },
    });
    expect(render(refusal!.message, 'en')).toBe(
      'This phone was called 10 times in the last 24 hours; no call was placed. Try again in 6400 s.',
    );
    expect(render(refusal!.message, 'vi')).toBe(
      'Số này đã được gọi 10 lần trong 24 giờ qua; không có cuộc gọi nào được thực hiện. Hãy thử lại sau 6400 giây.',
    );
    expect(
      checkVoiceCallLimits({ now, limits, phoneTimes: phoneTimes.slice(0, 3), clientTimes: [] }),
    ).toMatchObject({ limit: 'PHONE_PER_10_MINUTES', retryAfterSeconds: 100 });
  });

  it('counts a client’s calls per minute and per day', () => {
    expect(
      checkVoiceCallLimits({ now, limits, phoneTimes: [], clientTimes: [ago(10), ago(50)] }),
    ).toMatchObject({ limit: 'CLIENT_PER_MINUTE', retryAfterSeconds: 10 });
    expect(
      checkVoiceCallLimits({
        now,
        limits,
        phoneTimes: [],
        clientTimes: [ago(61), ago(70), ago(3600), ago(7200), ago(86_000)],
      }),
    ).toMatchObject({ limit: 'CLIENT_PER_DAY', retryAfterSeconds: 400 });
  });
});

describe('the guard prefix', () => {
  it('is the carrier prefix and the next two digits of the local form', () => {
    expect(guardPrefix('0936004420')).toBe('09360');
    expect(isGuardPrefix('09360')).toBe(true);
    expect(isGuardPrefix('0936')).toBe(false);
    expect(isGuardPrefix('19360')).toBe(false);
  });
});
