import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OTP_LIMIT_WINDOWS } from '../../src/domain/otp-limits.js';
import { OrderStore } from '../../src/store/orders.js';
import { DIALECTS, type TestDatabase } from '../helpers/db.js';

const LIMITS = { perPhoneHour: 5, perPhone10Min: 3, perClientMinute: 30 };
const RULES = { limits: LIMITS, validitySeconds: 600 };
const UTM = { source: 'shop', medium: '', content: '', campaign: '' };
const newOrder = (phone: string, packageCode = 'C120', clientId = 'pos-1') => ({
  clientId,
  phone,
  telco: 'MOBIFONE' as const,
  packageCode,
  utm: UTM,
});

describe.each(DIALECTS)('the order store on $name', ({ create }) => {
  let t: TestDatabase;
  let clock = Date.parse('2026-11-23T01:00:00.000Z');
  let orders: OrderStore;
  beforeEach(async () => {
    t = create();
    await t.database.migrate();
    orders = new OrderStore(t.database, () => new Date(clock));
  });
  afterEach(async () => {
    await t.dispose();
  });

  async function created(phone: string, packageCode?: string) {
    const result = await orders.createPending(newOrder(phone, packageCode), RULES);
    if (result.kind !== 'created') throw new Error(`expected created, got ${result.kind}`);
    return result.order;
  }

  it('records a new order as PENDING with its first event', async () => {
    const order = await created('0936000001');
    expect(order).toMatchObject({
      status: 'PENDING',
      phone: '0936000001',
      packageCode: 'C120',
      version: 1,
      orderCode: null,
      utm: UTM,
    });
    expect(order.partnerTransId).toMatch(/^GW20261123010000[0-9A-F]{8}$/);
    expect(await orders.eventsFor([order.id])).toEqual([
      {
        orderId: order.id,
        version: 1,
        status: 'PENDING',
        detail: 'OTP requested; calling the vendor',
        at: '2026-11-23T01:00:00.000Z',
      },
    ]);
  });

  it('answers the open order instead of a second one for the same phone and package', async () => {
    const first = await created('0936000002');
    const again = await orders.createPending(newOrder('0936000002'), RULES);
    expect(again).toEqual({ kind: 'open', order: first });
    expect((await orders.createPending(newOrder('0936000002', '3C120'), RULES)).kind).toBe(
      'created',
    );
  });

  it('moves an order only from the version it was read at, with an event per change', async () => {
    const order = await created('0936000003');
    clock += 1000;
    const sent = await orders.transition(order, 'OTP_SENT', { orderCode: 'DG1' }, 'sent');
    expect(sent).toMatchObject({ status: 'OTP_SENT', orderCode: 'DG1', version: 2 });
    // A second writer still holding version 1 loses.
    expect(await orders.transition(order, 'FAILED', {}, 'late writer')).toBeNull();
    expect((await orders.eventsFor([order.id])).map((e) => [e.version, e.status])).toEqual([
      [1, 'PENDING'],
      [2, 'OTP_SENT'],
    ]);
    expect(await orders.findByCode('DG1')).toEqual(sent);
    expect(await orders.findByCode(order.partnerTransId)).toEqual(sent);
  });

  it('limits OTP requests per phone in ten minutes', async () => {
    const kinds: string[] = [];
    for (const pkg of ['C120', '3C120', '6C120', 'MP5X']) {
      const result = await orders.createPending(newOrder('0936000004', pkg), RULES);
      kinds.push(result.kind);
      if (result.kind === 'created') {
        await orders.transition(result.order, 'FAILED', {}, 'refused');
      }
    }
    expect(kinds).toEqual(['created', 'created', 'created', 'limited']);
  });

  it('blocks a new OTP while the open order’s OTP is valid, counted from when it was sent', async () => {
    const order = await created('0936000010');
    clock += 30_000;
    await orders.transition(
      order,
      'OTP_SENT',
      { orderCode: 'DG10', otpSentAt: new Date(clock).toISOString() },
      'sent',
    );
    // 600 s after the request but 570 s after the OTP: still valid.
    clock += 570_000;
    expect((await orders.createPending(newOrder('0936000010'), RULES)).kind).toBe('open');
    clock += 30_000;
    expect((await orders.createPending(newOrder('0936000010'), RULES)).kind).toBe('created');
  });

  it('blocks on an unsettled registration however old, not on an OTP request of unknown outcome', async () => {
    const request = await created('0936000011');
    await orders.transition(request, 'UNKNOWN', {}, 'timeout');
    const registration = await created('0936000011', '3C120');
    await orders.transition(registration, 'UNKNOWN', { orderCode: 'DG11' }, 'timeout');
    clock += 3 * 86_400_000;
    expect((await orders.createPending(newOrder('0936000011'), RULES)).kind).toBe('created');
    const again = await orders.createPending(newOrder('0936000011', '3C120'), RULES);
    expect(again).toMatchObject({ kind: 'open', order: { id: registration.id } });
  });

  it('counts toward the phone limits what the domain counts, over the windows it is given', async () => {
    const rules = { limits: { ...LIMITS, perPhoneHour: 2 }, validitySeconds: 600 };
    const windows = { ...OTP_LIMIT_WINDOWS, PHONE_PER_HOUR: 2 * 3_600_000 };
    for (const phone of ['0936000012', '0936000013']) {
      // The first is never sent (REFUSED): it does not count.
      for (const [pkg, status] of [
        ['6C120', 'REFUSED'],
        ['C120', 'FAILED'],
        ['3C120', 'FAILED'],
      ] as const) {
        const result = await orders.createPending(newOrder(phone, pkg), rules);
        if (result.kind !== 'created') throw new Error(result.kind);
        await orders.transition(result.order, status, {}, status);
      }
    }
    clock += 90 * 60_000;
    // The domain's hour has passed; a window of two hours still holds both attempts.
    expect((await orders.createPending(newOrder('0936000012', 'MP5X'), rules)).kind).toBe(
      'created',
    );
    const limited = await orders.createPending(newOrder('0936000013', 'MP5X'), {
      ...rules,
      windows,
    });
    expect(limited).toMatchObject({
      kind: 'limited',
      error: { limit: 'PHONE_PER_HOUR', retryAfterSeconds: 30 * 60 },
    });
    if (limited.kind === 'limited') {
      expect(limited.error.message).toBe(
        'This phone was sent 2 OTPs in the last 2 hours; try again in 1800 s.',
      );
    }
  });

  it('sweeps calls cut short into UNKNOWN and lapsed OTPs into EXPIRED, and nothing else', async () => {
    const stuck = await created('0936000005');
    const sent = await orders.transition(
      await created('0936000006'),
      'OTP_SENT',
      { orderCode: 'DG2', otpSentAt: new Date(clock).toISOString() },
      'sent',
    );
    const fresh = await created('0936000007', '3C120');
    clock += 601_000;
    const recent = await created('0936000008');
    const changed = await orders.sweep({ staleAfterMs: 60_000, validitySeconds: 600 });
    expect(changed.map((o) => [o.id, o.status]).sort()).toEqual(
      [
        [stuck.id, 'UNKNOWN'],
        [sent!.id, 'EXPIRED'],
        [fresh.id, 'UNKNOWN'],
      ].sort(),
    );
    expect((await orders.findById(recent.id))!.status).toBe('PENDING');
  });
});
