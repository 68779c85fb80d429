import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdempotencyStore } from '../../src/store/idempotency.js';
import { DIALECTS, type TestDatabase } from '../helpers/db.js';

const scope = { clientId: 'pos-1', operation: 'registerWithOtp', key: 'key-0001' };

describe.each(DIALECTS)('idempotency keys on $name', ({ create }) => {
  let t: TestDatabase;
  let clock = Date.parse('2026-11-23T01:00:00.000Z');
  let store: IdempotencyStore;
  beforeEach(async () => {
    t = create();
    await t.database.migrate();
    store = new IdempotencyStore(t.database, {
      ttlHours: 24,
      abandonAfterMs: 24 * 3_600_000,
      now: () => new Date(clock),
    });
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('gives a key to one claimant; the others see it in progress, then its result', async () => {
    const claims = await Promise.all(Array.from({ length: 8 }, () => store.claim(scope, 'h1')));
    expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.kind === 'in-progress')).toHaveLength(7);
    expect(await store.result(scope)).toBeNull();

    await store.complete(scope, { ok: { orderId: 'o-1' } });
    expect(await store.result(scope)).toEqual({ ok: { orderId: 'o-1' } });
    expect(await store.claim(scope, 'h1')).toEqual({
      kind: 'replay',
      result: { ok: { orderId: 'o-1' } },
    });
  });

  it('links the keys that made or acted on a record, with their fingerprint time and outcome', async () => {
    const start = clock;
    const made = { ...scope, operation: 'requestOtp', key: 'key-made' };
    await store.claim(made, 'h1');
    expect(await store.usesOf(['o-1'])).toEqual([]);
    await store.progress(made, { orderId: 'o-1' });
    const fingerprintedAt = new Date(clock).toISOString();
    const expiresAt = new Date(clock + 24 * 3_600_000).toISOString();
    expect(await store.usesOf(['o-1'])).toEqual([
      {
        recordId: 'o-1',
        clientId: 'pos-1',
        operation: 'requestOtp',
        key: 'key-made',
        fingerprintedAt,
        expiresAt,
        outcome: 'RUNNING',
      },
    ]);
    await store.complete(made, { ok: { orderId: 'o-1' } });
    clock += 60_000;
    // A later request on the same record, answered with an error after it changed something.
    await store.claim(scope, 'h2');
    await store.progress(scope, { orderId: 'o-1' });
    await store.complete(scope, { error: { name: 'OtpIncorrect', fields: {} } });
    expect(
      (await store.usesOf(['o-1', 'o-2'])).map((u) => [u.operation, u.outcome, u.fingerprintedAt]),
    ).toEqual([
      ['requestOtp', 'SUCCEEDED', fingerprintedAt],
      ['registerWithOtp', 'FAILED', new Date(clock).toISOString()],
    ]);
    // A key is evidence until it expires.
    clock = start + 24 * 3_600_000 + 30_000;
    expect((await store.usesOf(['o-1'])).map((u) => u.operation)).toEqual(['registerWithOtp']);
    clock = start;
  });

  it('refuses the key for another fingerprint unless it is the one also accepted', async () => {
    await store.claim(scope, 'h1');
    expect(await store.claim(scope, 'h2')).toEqual({ kind: 'mismatch' });
    expect(await store.claim(scope, 'h2', 'h1')).toEqual({ kind: 'in-progress' });
  });

  it('scopes keys by client and operation', async () => {
    await store.claim(scope, 'h1');
    expect(await store.claim({ ...scope, clientId: 'pos-2' }, 'h9')).toEqual({ kind: 'claimed' });
    expect(await store.claim({ ...scope, operation: 'requestOtp' }, 'h9')).toEqual({
      kind: 'claimed',
    });
  });

  it('frees a claim without a result on release, but never a finished one', async () => {
    await store.claim(scope, 'h1');
    await store.release(scope);
    expect(await store.claim(scope, 'h2')).toEqual({ kind: 'claimed' });
    await store.complete(scope, { error: { name: 'OtpExpired', fields: { message: 'late' } } });
    await store.release(scope);
    expect(await store.claim(scope, 'h2')).toEqual({
      kind: 'replay',
      result: { error: { name: 'OtpExpired', fields: { message: 'late' } } },
    });
  });

  it('treats an expired key as free, and purges expired keys', async () => {
    await store.claim(scope, 'h1');
    await store.complete(scope, { ok: { orderId: 'o-1' } });
    clock += 25 * 3_600_000;
    expect(await store.claim(scope, 'h2')).toEqual({ kind: 'claimed' });
    await store.claim({ ...scope, key: 'key-0002' }, 'h3');
    clock += 25 * 3_600_000;
    expect(await store.purgeExpired()).toBe(2);
    expect(await store.result(scope)).toBeNull();
  });
});
