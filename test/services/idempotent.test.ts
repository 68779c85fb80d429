import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OtpExpired, RequestInProgress } from '../../src/domain/errors.js';
import { message } from '../../src/domain/messages/index.js';
import { IdempotentRunner, readKey } from '../../src/services/idempotent.js';
import { IdempotencyStore } from '../../src/store/idempotency.js';
import { DIALECTS, type TestDatabase } from '../helpers/db.js';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const scope = (key: string) => ({ clientId: 'pos-1', operation: 'requestOtp', key });

/** A result the runner stores by reference and loads again: here, a record in a map. */
function memoryCodec() {
  const saved = new Map<string, { id: string; value: string }>();
  return {
    saved,
    codec: {
      save: (r: { id: string; value: string }) => {
        saved.set(r.id, r);
        return { id: r.id };
      },
      load: async ({ id }: Record<string, string>) => saved.get(id ?? '')!,
      interrupted: async ({ id }: Record<string, string>) => ({
        id: id ?? '',
        value: `interrupted: ${saved.get(id ?? '')?.value ?? 'nothing saved'}`,
      }),
    },
  };
}

describe.each(DIALECTS)('the idempotent runner on $name', ({ create }) => {
  let t: TestDatabase;
  let store: IdempotencyStore;
  let runner: IdempotentRunner;
  beforeEach(async () => {
    t = create();
    await t.database.migrate();
    store = new IdempotencyStore(t.database, { ttlHours: 24, abandonAfterMs: 60_000 });
    runner = new IdempotentRunner({ store, secret: SECRET, duplicateWaitMs: 2_000 });
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('runs once per key and replays the stored result', async () => {
    const { codec } = memoryCodec();
    let runs = 0;
    const work = async (touch: (r: { id: string; value: string }) => Promise<void>) => {
      runs += 1;
      await touch({ id: 'r1', value: 'sold' });
      return { id: 'r1', value: 'sold' };
    };
    const first = await runner.run(scope('key-00001'), { phone: '0936004420' }, codec, work);
    const again = await runner.run(scope('key-00001'), { phone: '0936004420' }, codec, work);
    expect({ first, again, runs }).toEqual({
      first: { id: 'r1', value: 'sold' },
      again: { id: 'r1', value: 'sold' },
      runs: 1,
    });
  });

  it('refuses the key for a different request', async () => {
    const { codec } = memoryCodec();
    const work = async (touch: (r: { id: string; value: string }) => Promise<void>) => {
      await touch({ id: 'r1', value: 'sold' });
      return { id: 'r1', value: 'sold' };
    };
    await runner.run(scope('key-00002'), { phone: '0936004420' }, codec, work);
    await expect(
      runner.run(scope('key-00002'), { phone: '0936004421' }, codec, work),
    ).rejects.toMatchObject({ name: 'IdempotencyKeyReused', code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('makes concurrent duplicates wait for the first result', async () => {
    const { codec } = memoryCodec();
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const work = async (touch: (r: { id: string; value: string }) => Promise<void>) => {
      runs += 1;
      await touch({ id: 'r9', value: 'once' });
      await gate;
      return { id: 'r9', value: 'once' };
    };
    const all = Promise.all(
      Array.from({ length: 10 }, () => runner.run(scope('key-00003'), { n: 1 }, codec, work)),
    );
    await new Promise((r) => setTimeout(r, 50));
    release();
    const results = await all;
    expect(runs).toBe(1);
    expect(new Set(results.map((r) => r.value))).toEqual(new Set(['once']));
  });

  it('replays a stored failure once the work changed something', async () => {
    const { codec } = memoryCodec();
    let runs = 0;
    const work = async (touch: (r: { id: string; value: string }) => Promise<void>) => {
      runs += 1;
      await touch({ id: 'r7', value: 'expired' });
      throw new OtpExpired(message('OtpExpired.expired'), 'order-7');
    };
    for (let i = 0; i < 2; i++) {
      await expect(runner.run(scope('key-00004'), { n: 1 }, codec, work)).rejects.toMatchObject({
        name: 'OtpExpired',
        message: 'The OTP has expired; request a new one.',
        orderId: 'order-7',
      });
    }
    expect(runs).toBe(1);
  });

  it('frees the key when the work refused before changing anything', async () => {
    const { codec } = memoryCodec();
    let runs = 0;
    const refuse = async () => {
      runs += 1;
      throw new OtpExpired(message('OtpExpired.expired'), 'order-8');
    };
    await expect(runner.run(scope('key-00005'), { n: 1 }, codec, refuse)).rejects.toThrow(
      'The OTP has expired; request a new one.',
    );
    const ok = await runner.run(scope('key-00005'), { n: 1 }, codec, async (touch) => {
      runs += 1;
      await touch({ id: 'r5', value: 'later' });
      return { id: 'r5', value: 'later' };
    });
    expect({ ok, runs }).toEqual({ ok: { id: 'r5', value: 'later' }, runs: 2 });
  });

  it('answers RequestInProgress when the first request outlasts the wait', async () => {
    const quick = new IdempotentRunner({ store, secret: SECRET, duplicateWaitMs: 100 });
    const { codec } = memoryCodec();
    // A claim with no result: the first request is still running (or its process died).
    await store.claim(scope('key-00006'), quick.fingerprint({ n: 1 }));
    const err = await quick
      .run(scope('key-00006'), { n: 1 }, codec, async () => ({ id: 'x', value: 'x' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestInProgress);
    // The claim is seconds old; it is taken for abandoned at 60 s, and the retry is told so.
    expect((err as RequestInProgress).retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect((err as RequestInProgress).retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('takes over a claim whose process died: replays what it made, or runs anew', async () => {
    let clock = Date.parse('2026-11-23T02:00:00.000Z');
    const timed = new IdempotencyStore(t.database, {
      ttlHours: 24,
      abandonAfterMs: 60_000,
      now: () => new Date(clock),
    });
    const later = new IdempotentRunner({ store: timed, secret: SECRET, duplicateWaitMs: 100 });
    const { codec, saved } = memoryCodec();
    saved.set('o-dead', { id: 'o-dead', value: 'UNKNOWN order' });
    // Two claims left by a killed process: one had created its order, one had not.
    await timed.claim(scope('key-dead-1'), later.fingerprint({ n: 1 }));
    await timed.progress(scope('key-dead-1'), { id: 'o-dead' });
    await timed.claim(scope('key-dead-2'), later.fingerprint({ n: 2 }));

    let runs = 0;
    const work = async (touch: (r: { id: string; value: string }) => Promise<void>) => {
      runs += 1;
      await touch({ id: 'o-new', value: 'fresh' });
      return { id: 'o-new', value: 'fresh' };
    };
    // Too early: still in progress, and the retry is told when to come back.
    await expect(later.run(scope('key-dead-1'), { n: 1 }, codec, work)).rejects.toMatchObject({
      name: 'RequestInProgress',
      retryAfterSeconds: 60,
    });
    clock += 61_000;
    await expect(later.run(scope('key-dead-1'), { n: 1 }, codec, work)).resolves.toEqual({
      id: 'o-dead',
      value: 'interrupted: UNKNOWN order',
    });
    await expect(later.run(scope('key-dead-2'), { n: 2 }, codec, work)).resolves.toEqual({
      id: 'o-new',
      value: 'fresh',
    });
    expect(runs).toBe(1);
  });

  it('lets the sweeper settle abandoned claims', async () => {
    let clock = Date.parse('2026-11-23T03:00:00.000Z');
    const timed = new IdempotencyStore(t.database, {
      ttlHours: 24,
      abandonAfterMs: 60_000,
      now: () => new Date(clock),
    });
    await timed.claim(scope('key-sw-1'), 'h1');
    await timed.progress(scope('key-sw-1'), { id: 'o-1' });
    await timed.claim(scope('key-sw-2'), 'h2');
    await timed.claim(scope('key-sw-3'), 'h3');
    await timed.complete(scope('key-sw-3'), { ok: { id: 'o-3' } });
    expect(await timed.settleAbandoned()).toBe(0);
    clock += 60_000;
    expect(await timed.settleAbandoned()).toBe(2);
    expect(await timed.result(scope('key-sw-1'))).toEqual({ interrupted: { id: 'o-1' } });
    expect(await timed.claim(scope('key-sw-2'), 'other')).toEqual({ kind: 'claimed' });
    expect(await timed.result(scope('key-sw-3'))).toEqual({ ok: { id: 'o-3' } });
  });

  it('keys fingerprints with the server secret, and still replays a bare SHA-256 claim', async () => {
    const request = { orderCode: 'DG1', otp: '123456' };
    const bare = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    const fingerprint = runner.fingerprint(request);
    expect(fingerprint).toMatch(/^hmac:[0-9a-f]{64}$/);
    expect(fingerprint).not.toContain(bare);
    const other = new IdempotentRunner({ store, secret: `${SECRET}-other`, duplicateWaitMs: 1 });
    expect(other.fingerprint(request)).not.toBe(fingerprint);

    // A key claimed and finished before fingerprints were keyed.
    await store.claim(scope('key-00007'), bare);
    await store.complete(scope('key-00007'), { ok: { id: 'old' } });
    const { codec, saved } = memoryCodec();
    saved.set('old', { id: 'old', value: 'from before' });
    const replay = await runner.run(scope('key-00007'), request, codec, async () => {
      throw new Error('must not run');
    });
    expect(replay).toEqual({ id: 'old', value: 'from before' });
  });
});

describe('readKey', () => {
  it('takes 8 to 128 of letters, digits and ._:-, and names the field otherwise', () => {
    expect(readKey('0b6f1c2e-5d4a-4c39-9a51-7f0e2d9c1b33')).toBe(
      '0b6f1c2e-5d4a-4c39-9a51-7f0e2d9c1b33',
    );
    for (const bad of ['short', 'x'.repeat(129), 'has space!', '']) {
      expect(() => readKey(bad)).toThrow(
        expect.objectContaining({ name: 'InvalidInput', field: 'idempotencyKey' }),
      );
    }
  });
});
