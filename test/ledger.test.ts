import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS, TEST_DATABASE_URL } from './helpers/db.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { dmallSim, ORDER_FIELDS, sales } from './helpers/sales.js';

if (!TEST_DATABASE_URL) console.warn('ledger: PostgreSQL case skipped (TEST_DATABASE_URL unset)');

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{
    cursor: string;
    node: { orderCode: string | null; phone: string; status: string };
  }>;
}

const PAGE = `totalCount pageInfo { hasNextPage endCursor } edges { cursor node { orderCode phone status } }`;

describe.each(DIALECTS)('the order ledger on $name', ({ create }) => {
  let t: TestGateway;
  let clock = Date.parse('2026-11-22T03:00:00.000Z');
  const registered: string[] = [];
  const failed: string[] = [];

  beforeAll(async () => {
    t = await startTestGateway(
      {
        // The sweeper and duplicate waits follow the slowest vendor with a client.
        DMALL_TIMEOUT_MS: '400',
        ESMS_TIMEOUT_MS: '400',
        VASCLOUD_TIMEOUT_MS: '400',
        VOICE_OTP_TIMEOUT_MS: '400',
        VENDOR_BREAKER_FAILURES: '1000',
        OTP_LIMIT_PER_CLIENT_MINUTE: '1000',
      },
      create(),
      { now: () => new Date(clock) },
    );
    const s = sales(t);
    // Five registered MobiFone orders, two refused ones, one Viettel order left open; a second
    // apart so "newest first" is well defined.
    for (let i = 0; i < 5; i++) {
      clock += 1000;
      const { order } = await s.requestOtp(`093600010${i}`, 'C120');
      await s.register(order!.orderCode, '123456');
      registered.push(order!.orderCode);
    }
    for (const phone of ['0930000001', '0900000001']) {
      clock += 1000;
      const res = await s.requestOtp(phone, '3C120');
      failed.push(res.order!.status);
    }
    clock += 1000;
    await s.requestOtp('0337880699', 'MP5X');
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists orders newest first with a total, and pages with first/after', async () => {
    const all = await t.graphql<{ orders: Page }>(`{ orders { ${PAGE} } }`);
    expect(all.data!.orders.totalCount).toBe(8);
    expect(all.data!.orders.edges.map((e) => e.node.phone)).toEqual([
      '0337880699',
      '0900000001',
      '0930000001',
      '0936000104',
      '0936000103',
      '0936000102',
      '0936000101',
      '0936000100',
    ]);

    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 5; pages++) {
      const res: { data?: { orders: Page } } = await t.graphql<{ orders: Page }>(
        `query ($after: String) { orders(first: 3, after: $after, filter: { status: REGISTERED }) { ${PAGE} } }`,
        { after },
      );
      const page: Page = res.data!.orders;
      expect(page.totalCount).toBe(5);
      seen.push(...page.edges.map((e) => e.node.orderCode!));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([...registered].reverse());
  });

  it('filters by status, telco, phone, package and creation time', async () => {
    const q = async (filter: string) =>
      (await t.graphql<{ orders: Page }>(`{ orders(filter: ${filter}) { ${PAGE} } }`)).data!.orders;
    expect(failed).toEqual(['FAILED', 'FAILED']);
    expect((await q('{ status: FAILED }')).totalCount).toBe(2);
    expect((await q('{ telco: VIETTEL }')).edges.map((e) => e.node.status)).toEqual(['OTP_SENT']);
    expect((await q('{ phone: "+84 93 600 0102" }')).edges.map((e) => e.node.orderCode)).toEqual([
      registered[2],
    ]);
    expect((await q('{ packageCode: "3c120" }')).totalCount).toBe(2);
    expect(
      (
        await q('{ createdFrom: "2026-11-22T03:00:02Z", createdTo: "2026-11-22T03:00:04Z" }')
      ).edges.map((e) => e.node.orderCode),
    ).toEqual([registered[2], registered[1]]);
    const bad = await t.graphql(`{ orders(filter: { phone: "123" }) { totalCount } }`);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_PHONE_NUMBER' });
  });

  it('answers a cursor it never gave out with INVALID_CURSOR', async () => {
    const res = await t.graphql('{ orders(after: "not-a-cursor") { totalCount } }');
    expect(res.errors).toEqual([
      expect.objectContaining({
        message: 'The pagination cursor is not one this API gave out.',
        extensions: { code: 'INVALID_CURSOR' },
      }),
    ]);
  });

  it('shows a subscriber’s own orders', async () => {
    const res = await t.graphql<{ subscriber: { orders: Page } }>(
      `{ subscriber(phone: "0936000103") { orders { ${PAGE} } } }`,
    );
    expect(res.data!.subscriber.orders.totalCount).toBe(1);
    expect(res.data!.subscriber.orders.edges[0]!.node.orderCode).toBe(registered[3]);
    const count = async (args: string) =>
      (
        await t.graphql<{ subscriber: { orders: Page } }>(
          `{ subscriber(phone: "0936000103") { orders${args} { totalCount } } }`,
        )
      ).data!.subscriber.orders.totalCount;
    expect(await count('(filter: { status: REGISTERED })')).toBe(1);
    expect(await count('(filter: { status: FAILED })')).toBe(0);
    expect(await count('(filter: { packageCode: "nope" })')).toBe(0);
    // The deprecated argument still works.
    expect(await count('(status: REGISTERED)')).toBe(1);
    expect(await count('(status: FAILED)')).toBe(0);
  });

  it('refuses a page size above the maximum with an error that names it', async () => {
    for (const args of ['first: 500', 'first: -1', 'last: 101, before: "x"']) {
      const res = await t.graphql(`{ orders(${args}) { totalCount } }`);
      expect({ args, res }).toEqual({
        args,
        res: {
          data: null,
          errors: [
            expect.objectContaining({
              message: expect.stringContaining('between 0 and 100'),
              path: ['orders'],
              extensions: { code: 'INVALID_INPUT', typename: 'InvalidInput' },
            }),
          ],
        },
      });
    }
    const ok = await t.graphql<{ orders: Page }>('{ orders(first: 100) { totalCount } }');
    expect(ok.errors).toBeUndefined();
  });

  it('loads every order’s events in one batch', async () => {
    const spy = vi.spyOn(t.gateway.orders, 'eventsFor');
    try {
      const res = await t.graphql<{
        orders: {
          edges: Array<{
            node: {
              databaseId: string;
              status: string;
              events: Array<{ sequence: number; status: string }>;
            };
          }>;
        };
      }>(
        '{ orders(first: 4) { edges { node { id databaseId status events { sequence status at detail } } } } }',
      );
      const ids = res.data!.orders.edges.map((e) => e.node.databaseId);
      expect(spy.mock.calls).toEqual([[ids]]);
      // Each order's own history: numbered from 1, from PENDING to the status it has now.
      for (const { node } of res.data!.orders.edges) {
        expect(node.events.map((e) => e.sequence)).toEqual(node.events.map((_, i) => i + 1));
        expect(node.events[0]!.status).toBe('PENDING');
        expect(node.events.at(-1)!.status).toBe(node.status);
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('finds an order by its code or its partnerTransId, and null for neither', async () => {
    const res = await t.graphql<{ order: { orderCode: string; partnerTransId: string } }>(
      `{ order(code: "${registered[0]}") { ${ORDER_FIELDS} } }`,
    );
    expect(res.data!.order.orderCode).toBe(registered[0]);
    const again = await t.graphql<{ order: { orderCode: string } }>(
      `{ order(code: "${res.data!.order.partnerTransId}") { orderCode } }`,
    );
    expect(again.data!.order.orderCode).toBe(registered[0]);
    expect(await t.graphql('{ order(code: "DG-NOPE") { id } }')).toEqual({ data: { order: null } });
  });

  it('lets only one of concurrent OTP requests for a phone through', async () => {
    const s = sales(t);
    const before = dmallSim(t).otpCalls();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => s.requestOtp('0936000198', 'C120')),
    );
    const kinds = results.map((r) => r.__typename).sort();
    expect(kinds.filter((k) => k === 'RequestOtpSuccess')).toHaveLength(1);
    expect(new Set(kinds.filter((k) => k !== 'RequestOtpSuccess'))).toEqual(
      new Set(['OtpAlreadySent']),
    );
    expect(dmallSim(t).otpCalls()).toBe(before + 1);
  });

  it('lets only one of concurrent OTP requests for a phone and package through, whichever clients ask', async () => {
    const before = dmallSim(t).otpCalls();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        sales(t, `shop-${i % 5}`).requestOtp('0936000194', 'C120'),
      ),
    );
    const kinds = results.map((r) => r.__typename);
    expect(kinds.filter((k) => k === 'RequestOtpSuccess')).toHaveLength(1);
    for (const k of kinds.filter((k) => k !== 'RequestOtpSuccess')) {
      expect(['OtpAlreadySent', 'OtpAlreadySentElsewhere']).toContain(k);
    }
    expect(dmallSim(t).otpCalls()).toBe(before + 1);
  });

  it('turns calls cut short by a stop into UNKNOWN, and lapsed OTPs into EXPIRED', async () => {
    const orders = t.gateway.orders;
    // A request recorded as PENDING whose vendor answer was never written (the process died).
    const created = await orders.createPending(
      {
        clientId: 'crash-test',
        phone: '0936000197',
        telco: 'MOBIFONE',
        packageCode: 'C120',
        utm: { source: '', medium: '', content: '', campaign: '' },
      },
      { limits: { perPhoneHour: 5, perPhone10Min: 3, perClientMinute: 30 }, validitySeconds: 600 },
    );
    expect(created.kind).toBe('created');
    const pending = created.kind === 'created' ? created.order : null;
    // A registration in flight when the process died.
    const s = sales(t);
    const { order: sent } = await s.requestOtp('0936000196', 'C120');
    const sentOrder = (await orders.findByCode(sent!.orderCode))!;
    const registering = await orders.transition(
      sentOrder,
      'REGISTERING',
      {},
      'Registration with OTP',
    );
    // An OTP that nobody used.
    const { order: idle } = await s.requestOtp('0936000195', 'C120');

    await t.gateway.sweep();
    expect((await orders.findById(pending!.id))!.status).toBe('PENDING');
    expect((await orders.findById(registering!.id))!.status).toBe('REGISTERING');

    clock += 31_000 + 400;
    await t.gateway.sweep();
    expect((await orders.findById(pending!.id))!.status).toBe('UNKNOWN');
    expect((await orders.findById(registering!.id))!.status).toBe('UNKNOWN');
    expect((await orders.findByCode(idle!.orderCode))!.status).toBe('OTP_SENT');

    clock += 600_000;
    await t.gateway.sweep();
    expect((await orders.findByCode(idle!.orderCode))!.status).toBe('EXPIRED');
    const events = await orders.eventsFor([registering!.id]);
    expect(events.map((e) => e.status)).toEqual(['PENDING', 'OTP_SENT', 'REGISTERING', 'UNKNOWN']);
    expect(events.at(-1)!.detail).toMatch(/gateway stopped during the call/);

    // The interrupted registration settles with a second call, as a timed-out one does.
    clock -= 600_000;
    const settled = await s.register(sent!.orderCode, '123456');
    expect(settled).toMatchObject({
      __typename: 'RegisterWithOtpSuccess',
      order: { status: 'REGISTERED' },
    });
  });
});

describe.each(DIALECTS)('a burst of sales on $name', ({ create }) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(
      {
        VENDOR_MAX_CONCURRENCY: '2',
        DMALL_TIMEOUT_MS: '5000',
        OTP_LIMIT_PER_CLIENT_MINUTE: '1000',
      },
      create(),
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('is queued by the vendor bulkhead, not refused: every sale goes through', async () => {
    // 30 OTP requests at once on 2 vendor slots, each call 20 ms: the queue drains in about
    // 300 ms, far within the vendor timeout every waiting call is allowed.
    dmallSim(t).sim.delayMs = 20;
    const s = sales(t, 'busy-shop');
    const phones = Array.from({ length: 30 }, (_, i) => `09361${String(i).padStart(5, '0')}`);
    const requested = await Promise.all(phones.map((p) => s.requestOtp(p, 'C120')));
    expect(requested.map((r) => r.__typename)).toEqual(phones.map(() => 'RequestOtpSuccess'));
    const registered = await Promise.all(
      requested.map((r) => s.register(r.order!.orderCode, '123456')),
    );
    expect(registered.map((r) => r.__typename)).toEqual(phones.map(() => 'RegisterWithOtpSuccess'));
    expect(dmallSim(t).otpCalls()).toBe(30);
  });
});
