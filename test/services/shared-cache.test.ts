import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { IdempotentRunner } from '../../src/services/idempotent.js';
import { RedisSharedCache } from '../../src/services/shared-cache.js';
import { VoiceCallService } from '../../src/services/voice-calls.js';
import type { VoiceStore } from '../../src/store/voice.js';
import type { VoiceOtpClient } from '../../src/vendors/voice-otp/client.js';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
if (!TEST_REDIS_URL) console.warn('shared cache: skipped (TEST_REDIS_URL unset)');

/** The voice balance, read by several instances sharing Redis: the vendor is asked once. */
describe.skipIf(!TEST_REDIS_URL)('the voice balance across instances', () => {
  const clients: Redis[] = [];
  afterAll(() => {
    for (const c of clients) c.disconnect();
  });

  it('is fetched by one instance and read by the others until it expires', async () => {
    let clock = Date.parse('2026-11-23T05:00:00.000Z');
    let vendorCalls = 0;
    const vendor = {
      balance: async () => {
        vendorCalls += 1;
        return { balance: 4_200 + vendorCalls };
      },
    } as unknown as VoiceOtpClient;
    const prefix = `gw:test-cache:${Date.now()}:${Math.random()}:`;
    const instance = () => {
      const redis = new Redis(TEST_REDIS_URL!);
      clients.push(redis);
      return new VoiceCallService({
        store: {} as VoiceStore,
        idempotent: {} as IdempotentRunner,
        voiceOtp: vendor,
        rules: {
          limits: { perPhone10Min: 3, perPhoneDay: 10, perClientMinute: 30, perClientDay: 1000 },
          guard: { windowSeconds: 3600, maxUnconverted: 20, cooldownSeconds: 3600 },
        },
        balance: { cacheSeconds: 60, warnBelow: 0, shared: new RedisSharedCache(redis, prefix) },
        poll: { initialMs: 1_000, maxMs: 15_000 },
        registry: new Registry(),
        onCallChange: () => {},
        logger: pino({ level: 'silent' }),
        now: () => new Date(clock),
      });
    };
    const [a, b, c] = [instance(), instance(), instance()];
    try {
      const first = await a.balance();
      expect(await b.balance()).toEqual(first);
      expect(await c.balance()).toEqual(first);
      expect(vendorCalls).toBe(1);
      // Past its 60 s the reading is stale everywhere; the next reader fetches it again.
      clock += 61_000;
      expect((await b.balance()).balance).toBe(4_202);
      expect(vendorCalls).toBe(2);
    } finally {
      for (const s of [a, b, c]) s.close();
    }
  });
});
