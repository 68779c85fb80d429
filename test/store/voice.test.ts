import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VoiceStore } from '../../src/store/voice.js';
import type { CallRules } from '../../src/store/voice-guard.js';
import { DIALECTS, type TestDatabase } from '../helpers/db.js';

const RULES = { validitySeconds: 600, maxSends: 3, perPhoneHour: 2 };
/** Caps high enough that these tests never reach them (test/store/voice-guard.test.ts does). */
const CALLS: CallRules = {
  limits: { perPhone10Min: 100, perPhoneDay: 100, perClientMinute: 100, perClientDay: 100 },
  guard: { windowSeconds: 3600, maxUnconverted: 0, cooldownSeconds: 3600 },
};
const open = (phone: string, clientId = 'app-1') => ({
  clientId,
  phone,
  channel: 'VOICE' as const,
  codeHash: (id: string) => `hash-of-${id}`,
});

describe.each(DIALECTS)('the voice store on $name', ({ create }) => {
  let t: TestDatabase;
  let clock = Date.parse('2026-11-23T01:00:00.000Z');
  let store: VoiceStore;
  beforeEach(async () => {
    t = create();
    await t.database.migrate();
    clock = Date.parse('2026-11-23T01:00:00.000Z');
    store = new VoiceStore(t.database, () => new Date(clock));
  });
  const record = async (input: { clientId: string; phone: string; verificationId: null }) => {
    const recorded = await store.createCall(input, CALLS);
    if (recorded.kind !== 'recorded') throw new Error(`refused: ${recorded.kind}`);
    return recorded.call;
  };
  afterEach(async () => {
    await t.dispose();
  });

  it('records a call before the vendor, moves it with an event per change and a version check', async () => {
    const call = await record({
      clientId: 'app-1',
      phone: '0936000001',
      verificationId: null,
    });
    expect(call).toMatchObject({ status: 'PENDING', requestId: null, settledAt: null, version: 1 });
    const placed = await store.moveCall(
      call,
      'PENDING',
      { requestId: 'r-1', vendorCode: '1' },
      'Placed',
    );
    expect(placed).toMatchObject({ requestId: 'r-1', settledAt: null, version: 2 });
    clock += 5_000;
    const answered = await store.moveCall(placed!, 'ANSWERED', { vendorCode: '1' }, 'Answered');
    expect(answered).toMatchObject({ status: 'ANSWERED', settledAt: '2026-11-23T01:00:05.000Z' });
    // A writer holding the old version loses.
    expect(await store.moveCall(placed!, 'FAILED', {}, 'late')).toBeNull();
    expect((await store.callEvents(call.id)).map((e) => [e.version, e.status])).toEqual([
      [1, 'PENDING'],
      [2, 'PENDING'],
      [3, 'ANSWERED'],
    ]);
  });

  it('lists a number’s calls newest first', async () => {
    const a = await record({ clientId: 'c', phone: '0936000002', verificationId: null });
    clock += 1_000;
    const b = await record({ clientId: 'c', phone: '0936000002', verificationId: null });
    await record({ clientId: 'c', phone: '0936000003', verificationId: null });
    expect((await store.callsForPhone('0936000002', 10)).map((c) => c.id)).toEqual([b.id, a.id]);
  });

  it('settles a call never answered by postSMS as UNKNOWN, and leaves placed ones alone', async () => {
    const lost = await record({
      clientId: 'c',
      phone: '0936000004',
      verificationId: null,
    });
    const placed = await record({
      clientId: 'c',
      phone: '0936000005',
      verificationId: null,
    });
    await store.moveCall(placed, 'PENDING', { requestId: 'r-2' }, 'Placed');
    clock += 120_000;
    const swept = await store.sweepCalls(60_000);
    expect(swept.map((c) => [c.id, c.status])).toEqual([[lost.id, 'UNKNOWN']]);
  });

  it('reuses the open verification for a resend, up to the send limit', async () => {
    const first = await store.openVerification(open('0936000010'), RULES, CALLS);
    expect(first).toMatchObject({ kind: 'created', verification: { sends: 1, checks: 0 } });
    if (first.kind !== 'created') throw new Error('not created');
    expect(first.verification.codeHash).toBe(`hash-of-${first.verification.id}`);
    expect(first.verification.expiresAt).toBe('2026-11-23T01:10:00.000Z');
    const second = await store.openVerification(open('0936000010'), RULES, CALLS);
    expect(second).toMatchObject({
      kind: 'resend',
      verification: { id: first.verification.id, sends: 2 },
    });
    await store.openVerification(open('0936000010'), RULES, CALLS);
    expect(await store.openVerification(open('0936000010'), RULES, CALLS)).toMatchObject({
      kind: 'sends-exhausted',
    });
  });

  it('limits verifications per phone per hour, counting from the oldest in the window', async () => {
    const a = await store.openVerification(open('0936000011'), RULES, CALLS);
    if (a.kind !== 'created') throw new Error('not created');
    await store.moveVerification(a.verification, 'CANCELED', {}, 'Canceled');
    clock += 600_000;
    const b = await store.openVerification(open('0936000011'), RULES, CALLS);
    if (b.kind !== 'created') throw new Error('not created');
    await store.moveVerification(b.verification, 'APPROVED', { checks: 1 }, 'Approved');
    clock += 60_000;
    expect(await store.openVerification(open('0936000011'), RULES, CALLS)).toEqual({
      kind: 'phone-limited',
      retryAfterSeconds: 3_600 - 660,
    });
    clock += 3_000_000;
    expect((await store.openVerification(open('0936000011'), RULES, CALLS)).kind).toBe('created');
  });

  it('counts a phone’s verifications over the window it is given (the domain’s hour by default)', async () => {
    const rules = { ...RULES, perPhoneHour: 1 };
    const a = await store.openVerification(open('0936000013'), rules, CALLS);
    if (a.kind !== 'created') throw new Error('not created');
    await store.moveVerification(a.verification, 'CANCELED', {}, 'Canceled');
    clock += 90 * 60_000;
    expect(
      await store.openVerification(
        open('0936000013'),
        { ...rules, phoneWindowMs: 2 * 3_600_000 },
        CALLS,
      ),
    ).toEqual({ kind: 'phone-limited', retryAfterSeconds: 30 * 60 });
    expect((await store.openVerification(open('0936000013'), rules, CALLS)).kind).toBe('created');
  });

  it('lets only one of two writers holding the same version move a verification', async () => {
    const a = await store.openVerification(open('0936000012'), RULES, CALLS);
    if (a.kind !== 'created') throw new Error('not created');
    const results = await Promise.all([
      store.moveVerification(a.verification, 'APPROVED', { checks: 1 }, 'Approved'),
      store.moveVerification(a.verification, 'PENDING', { checks: 1 }, 'Wrong code'),
    ]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });
});
