import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { VoiceCall } from '../../src/domain/voice.js';
import { LocalPollLease, VoiceCallPoller } from '../../src/services/voice-call-poller.js';

const call = (status: VoiceCall['status']): VoiceCall => ({
  id: 'c1',
  clientId: 'app',
  phone: '0936000001',
  requestId: 'r1',
  status,
  vendorCode: null,
  failureMessage: null,
  verificationId: null,
  createdAt: '',
  updatedAt: '',
  settledAt: null,
  version: 1,
});

describe('VoiceCallPoller', () => {
  it('runs one poller per call for many listeners, backs off, and stops once the call settles', async () => {
    const refreshed: number[] = [];
    let polls = 0;
    const poller = new VoiceCallPoller({
      lease: new LocalPollLease(),
      initialMs: 5,
      maxMs: 40,
      logger: pino({ level: 'silent' }),
      refresh: async () => {
        refreshed.push(Date.now());
        polls += 1;
        return call(polls >= 5 ? 'ANSWERED' : 'PENDING');
      },
    });
    const leave = [poller.follow('c1'), poller.follow('c1'), poller.follow('c1')];
    await expect.poll(() => polls, { timeout: 5_000 }).toBe(5);
    expect(poller.started).toBe(1);
    for (const l of leave) l();
    await new Promise((r) => setTimeout(r, 100));
    expect(polls).toBe(5);
  });

  it('stops polling when the last listener leaves', async () => {
    let polls = 0;
    const poller = new VoiceCallPoller({
      lease: new LocalPollLease(),
      initialMs: 5,
      maxMs: 5,
      logger: pino({ level: 'silent' }),
      refresh: async () => {
        polls += 1;
        return call('PENDING');
      },
    });
    const a = poller.follow('c1');
    const b = poller.follow('c1');
    await expect.poll(() => polls, { timeout: 5_000 }).toBeGreaterThan(1);
    a();
    const during = polls;
    await expect.poll(() => polls, { timeout: 5_000 }).toBeGreaterThan(during);
    b();
    await new Promise((r) => setTimeout(r, 20));
    const after = polls;
    await new Promise((r) => setTimeout(r, 50));
    expect(polls).toBe(after);
    expect(poller.started).toBe(1);
  });

  it('does not poll a call whose lease another holder has', async () => {
    const lease = new LocalPollLease();
    await lease.acquire('c1');
    let polls = 0;
    const poller = new VoiceCallPoller({
      lease,
      initialMs: 5,
      maxMs: 5,
      logger: pino({ level: 'silent' }),
      refresh: async () => {
        polls += 1;
        return call('PENDING');
      },
    });
    const leave = poller.follow('c1');
    await new Promise((r) => setTimeout(r, 50));
    expect(polls).toBe(0);
    expect(poller.started).toBe(0);
    leave();
  });
});

const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
if (!TEST_REDIS_URL)
  console.warn('voice call poller: Redis lease case skipped (TEST_REDIS_URL unset)');

describe.skipIf(!TEST_REDIS_URL)('VoiceCallPoller across instances (Redis lease)', () => {
  it('polls a call from one instance only, and another takes over when it stops', async () => {
    const { Redis } = await import('ioredis');
    const { RedisPollLease } = await import('../../src/services/voice-call-poller.js');
    const logger = pino({ level: 'silent' });
    const redisA = new Redis(TEST_REDIS_URL!);
    const redisB = new Redis(TEST_REDIS_URL!);
    const callId = `c-${Date.now()}-${Math.random()}`;
    const polls = { a: 0, b: 0 };
    const make = (redis: InstanceType<typeof Redis>, who: 'a' | 'b') =>
      new VoiceCallPoller({
        lease: new RedisPollLease(redis, logger),
        initialMs: 5,
        maxMs: 20,
        logger,
        refresh: async () => {
          polls[who] += 1;
          return { ...call('PENDING'), id: callId };
        },
      });
    const a = make(redisA, 'a');
    const b = make(redisB, 'b');
    try {
      const leaveA = a.follow(callId);
      // Waits for events, not for time: A polls (so it holds the lease) before B follows, and
      // keeps polling after, while B, following too, never does.
      await expect.poll(() => polls.a, { timeout: 30_000 }).toBeGreaterThan(0);
      const leaveB = b.follow(callId);
      const aBefore = polls.a;
      await expect.poll(() => polls.a, { timeout: 30_000 }).toBeGreaterThan(aBefore + 3);
      expect(polls.b).toBe(0);
      // A's listeners leave: A stops and releases, and B (still listening) takes over.
      leaveA();
      await expect.poll(() => polls.b, { timeout: 30_000 }).toBeGreaterThan(0);
      expect(a.started + b.started).toBe(2);
      leaveB();
    } finally {
      a.close();
      b.close();
      redisA.disconnect();
      redisB.disconnect();
    }
  });
});
