import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { message } from '../../src/domain/messages/index.js';
import { VOICE_CALL_LIMIT_WINDOWS } from '../../src/domain/voice-limits.js';
import { VoiceStore } from '../../src/store/voice.js';
import { type CallRules, VoiceGuardStore } from '../../src/store/voice-guard.js';
import { DIALECTS, type TestDatabase } from '../helpers/db.js';

const RULES: CallRules = {
  limits: { perPhone10Min: 3, perPhoneDay: 10, perClientMinute: 30, perClientDay: 1000 },
  guard: { windowSeconds: 3600, maxUnconverted: 0, cooldownSeconds: 3600 },
};
const VERIFY = { validitySeconds: 600, maxSends: 3, perPhoneHour: 100 };
const T0 = Date.parse('2026-11-23T01:00:00.000Z');

describe.each(DIALECTS)('voice call limits and the prefix guard on $name', ({ create }) => {
  let t: TestDatabase;
  let clock = T0;
  let store: VoiceStore;
  let guard: VoiceGuardStore;
  beforeEach(async () => {
    t = create();
    await t.database.migrate();
    clock = T0;
    store = new VoiceStore(t.database, () => new Date(clock));
    guard = new VoiceGuardStore(t.database, () => new Date(clock));
  });
  afterEach(async () => {
    await t.dispose();
  });

  const call = (phone: string, clientId = 'app-1', rules = RULES) =>
    store.createCall({ clientId, phone, verificationId: null }, rules);
  /** Starts a verification (its call recorded), approved or left to lapse. */
  const verify = (phone: string, rules: CallRules, clientId = 'app-1') =>
    store.openVerification(
      { clientId, phone, channel: 'VOICE', codeHash: (id) => `hash-${id}` },
      VERIFY,
      rules,
    );

  it('caps calls to one phone by every client: 3 in 10 minutes, 10 in a day', async () => {
    const kinds: string[] = [];
    for (const client of ['a', 'b', 'a', 'b']) kinds.push((await call('0936000001', client)).kind);
    expect(kinds).toEqual(['recorded', 'recorded', 'recorded', 'limited']);
    clock += 60_000;
    expect(await call('0936000001', 'c')).toEqual({
      kind: 'limited',
      refusal: {
        limit: 'PHONE_PER_10_MINUTES',
        retryAfterSeconds: 540,
        message: message('VoiceCallRateLimited.PHONE_PER_10_MINUTES', {
          max: 3,
          windowMs: 600_000,
          retryAfterSeconds: 540,
        }),
      },
    });
    // Three more every 10 minutes, up to 10 in 24 hours.
    for (let round = 0; round < 2; round++) {
      clock += 600_000;
      for (let n = 0; n < 3; n++) await call('0936000001', `c${n}`);
    }
    clock += 600_000;
    expect((await call('0936000001', 'd')).kind).toBe('recorded');
    clock += 600_000;
    const refused = await call('0936000001', 'e');
    expect(refused).toMatchObject({ kind: 'limited', refusal: { limit: 'PHONE_PER_DAY' } });
    // The first call of the day leaves the window 24 hours after it was placed.
    const elapsed = (clock - T0) / 1000;
    expect(refused.kind === 'limited' && refused.refusal.retryAfterSeconds).toBe(86_400 - elapsed);
    // Another phone is not affected.
    expect((await call('0936000002', 'e')).kind).toBe('recorded');
  });

  it('caps one client’s calls per minute and per day, over every phone', async () => {
    const rules = { ...RULES, limits: { ...RULES.limits, perClientMinute: 5, perClientDay: 7 } };
    for (let n = 0; n < 5; n++) {
      expect((await call(`093600010${n}`, 'app-1', rules)).kind).toBe('recorded');
    }
    expect(await call('0936000109', 'app-1', rules)).toMatchObject({
      kind: 'limited',
      refusal: { limit: 'CLIENT_PER_MINUTE', retryAfterSeconds: 60 },
    });
    expect((await call('0936000109', 'app-2', rules)).kind).toBe('recorded');
    clock += 60_000;
    await call('0936000105', 'app-1', rules);
    await call('0936000106', 'app-1', rules);
    clock += 60_000;
    expect(await call('0936000107', 'app-1', rules)).toMatchObject({
      kind: 'limited',
      refusal: { limit: 'CLIENT_PER_DAY', retryAfterSeconds: 86_400 - 120 },
    });
    // A verification's call counts too, and a refused one changes nothing.
    expect(await verify('0936000108', rules)).toMatchObject({
      kind: 'call-refused',
      refused: { kind: 'limited', refusal: { limit: 'CLIENT_PER_DAY' } },
    });
    expect(await t.database.db.selectFrom('phone_verifications').selectAll().execute()).toEqual([]);
    clock = T0 + 86_400_000;
    expect((await call('0936000107', 'app-1', rules)).kind).toBe('recorded');
  });

  it('counts over the windows it is given (the domain’s by default)', async () => {
    const rules = { ...RULES, limits: { ...RULES.limits, perPhoneDay: 1, perClientDay: 2 } };
    const twoDays = { ...VOICE_CALL_LIMIT_WINDOWS, PHONE_PER_DAY: 2 * 86_400_000 };
    expect((await call('0936000201', 'app-1', rules)).kind).toBe('recorded');
    expect((await call('0936000202', 'app-2', rules)).kind).toBe('recorded');
    clock += 36 * 3_600_000;
    expect(await call('0936000201', 'app-3', { ...rules, windows: twoDays })).toMatchObject({
      kind: 'limited',
      refusal: {
        limit: 'PHONE_PER_DAY',
        retryAfterSeconds: 12 * 3_600,
        message: message('VoiceCallRateLimited.PHONE_PER_DAY', {
          max: 1,
          windowMs: 2 * 86_400_000,
          retryAfterSeconds: 43_200,
        }),
      },
    });
    expect((await call('0936000201', 'app-3', rules)).kind).toBe('recorded');
    const clientWeek = { ...VOICE_CALL_LIMIT_WINDOWS, CLIENT_PER_DAY: 7 * 86_400_000 };
    expect((await call('0936000203', 'app-2', rules)).kind).toBe('recorded');
    expect(await call('0936000204', 'app-2', { ...rules, windows: clientWeek })).toMatchObject({
      kind: 'limited',
      refusal: { limit: 'CLIENT_PER_DAY' },
    });
  });

  it('blocks a prefix once its unconverted calls reach the threshold, until the cool-down ends', async () => {
    const rules: CallRules = {
      limits: { ...RULES.limits, perClientMinute: 1000 },
      guard: { windowSeconds: 3600, maxUnconverted: 4, cooldownSeconds: 1800 },
    };
    // Two verifications approved: their calls converted and do not count.
    for (const phone of ['0936100001', '0936100002']) {
      const v = await verify(phone, rules);
      if (v.kind !== 'created') throw new Error(v.kind);
      await store.moveVerification(v.verification, 'APPROVED', { checks: 1 }, 'Approved');
    }
    // Plain calls (sendVoiceOtp) carry no conversion: they never count either.
    for (const phone of ['0936100003', '0936100004', '0936100005']) await call(phone, 'x', rules);
    // Four verification calls that convert to nothing.
    for (const phone of ['0936100011', '0936100012', '0936100013', '0936100014']) {
      expect((await verify(phone, rules)).kind).toBe('created');
    }
    clock += 10_000;
    const tripped = await verify('0936100015', rules);
    expect(tripped).toEqual({
      kind: 'call-refused',
      refused: {
        kind: 'prefix-blocked',
        prefix: '09361',
        retryAfterSeconds: 1800,
        tripped: true,
        unconverted: 4,
      },
    });
    // Every call to the prefix is refused now, whoever places it; other prefixes are not.
    expect(await call('0936199999', 'other-client', rules)).toMatchObject({
      kind: 'prefix-blocked',
      tripped: false,
      retryAfterSeconds: 1800,
    });
    expect((await call('0936200001', 'x', rules)).kind).toBe('recorded');
    expect(await guard.active()).toEqual([
      {
        prefix: '09361',
        unconverted: 4,
        blockedAt: '2026-11-23T01:00:10.000Z',
        until: '2026-11-23T01:30:10.000Z',
        liftedAt: null,
        liftedBy: null,
      },
    ]);
    clock += 1_799_000;
    expect(await call('0936100016', 'x', rules)).toMatchObject({
      kind: 'prefix-blocked',
      retryAfterSeconds: 1,
    });
    // Cooled down: calls go through, and counting starts again from the block's end.
    clock += 1_000;
    expect(await guard.active()).toEqual([]);
    for (const phone of ['0936100021', '0936100022', '0936100023', '0936100024']) {
      expect((await verify(phone, rules)).kind).toBe('created');
    }
    expect(await verify('0936100025', rules)).toMatchObject({
      kind: 'call-refused',
      refused: { kind: 'prefix-blocked', tripped: true },
    });
  });

  it('lets an operator lift a block; the calls counted before it no longer count', async () => {
    const rules: CallRules = {
      limits: RULES.limits,
      guard: { windowSeconds: 3600, maxUnconverted: 2, cooldownSeconds: 3600 },
    };
    await verify('0936300001', rules);
    await verify('0936300002', rules);
    expect(await verify('0936300003', rules)).toMatchObject({ kind: 'call-refused' });
    clock += 1_000;
    expect(await guard.lift('09363', 'ops-alice')).toBe(1);
    expect(await guard.lift('09363', 'ops-alice')).toBe(0);
    expect(await guard.active()).toEqual([]);
    expect((await verify('0936300003', rules)).kind).toBe('created');
    const [block] = await t.database.db.selectFrom('voice_prefix_blocks').selectAll().execute();
    expect(block).toMatchObject({ prefix: '09363', lifted_by: 'ops-alice' });
  });
});
