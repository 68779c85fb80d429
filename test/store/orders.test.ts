import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
