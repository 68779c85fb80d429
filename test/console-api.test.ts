import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VascloudSimulator } from '../src/vendors/vascloud/simulator.js';
import { DIALECTS } from './helpers/db.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { sales } from './helpers/sales.js';

/**
 * What the console reads, through the public API: totals of a filter (orders and VAS), the
 * ledger-wide lists of OA purchases and voice calls, and the evidence of a record (its
 * idempotency keys, a call's events, the SDP's notifications for one package with replays).
 */

// biome-ignore lint/suspicious/noExplicitAny: answers are read by path and checked whole by toEqual
type Data = Record<string, any>;

describe.each(DIALECTS)('the console’s reads on $name', ({ create }) => {
  let t: TestGateway;
  // 23:00 in Vietnam on 2026-03-14: an hour later it is the 15th there.
  let clock = Date.parse('2026-03-14T16:00:00.000Z');
  const tick = () => {
    clock += 1000;
  };
  const q = async (query: string, variables?: Record<string, unknown>) => {
    const res = await t.graphql<Data>(query, variables, { 'x-client-id': 'pos-console' });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };
  const keys = { request: '', register: '' };
  let registeredCode = '';
  const vas = (phone: string, price: string | null, packageId = '1003013') =>
    q(
      `mutation ($input: RegisterVasPackageInput!) { registerVasPackage(input: $input) { __typename } }`,
      {
        input: {
          phone,
          serviceId: '1000161',
          packageId,
          channel: 'APP',
          ...(price && { price }),
          idempotencyKey: randomUUID(),
        },
      },
    );

  beforeAll(async () => {
    t = await startTestGateway(
      {
        DMALL_TIMEOUT_MS: '400',
        ESMS_TIMEOUT_MS: '400',
        VASCLOUD_TIMEOUT_MS: '400',
        VOICE_OTP_TIMEOUT_MS: '400',
        VENDOR_BREAKER_FAILURES: '1000',
      },
      create(),
      { now: () => new Date(clock) },
    );
    const s = sales(t, 'pos-console');
    keys.request = `console-request-${randomUUID()}`;
    keys.register = `console-register-${randomUUID()}`;
    tick();
    const sold = await s.requestOtp('0936004420', 'C120', keys.request);
    tick();
    await s.register(sold.order!.orderCode, '123456', keys.register);
    registeredCode = sold.order!.orderCode;
    tick();
    await s.requestOtp('0930000001', '3C120'); // refused: FAILED
    clock += 3_600_000; // the 15th in Vietnam
    const late = await s.requestOtp('0936004421', '3C120');
    await s.register(late.order!.orderCode, '123456');

    tick();
    await vas('0912345678', '3000');
    tick();
    await vas('0912345679', '5000', '1003014');
    tick();
    await vas('0910000001', '3000'); // refused: FAILED
    tick();
    await vas('0912345680', null);
  });
  afterAll(async () => {
    await t.close();
  });

  it('totals orders per status, package and Vietnam day, priced from the catalogue', async () => {
    const { orderTotals } = await q(`{ orderTotals { count amountVnd
      byStatus { status count amountVnd } byPackage { packageCode count amountVnd }
      byDay { day status count } } }`);
    expect(orderTotals).toEqual({
      count: 3,
      amountVnd: 120_000 + 360_000 + 360_000,
      byStatus: [
        { status: 'REGISTERED', count: 2, amountVnd: 480_000 },
        { status: 'FAILED', count: 1, amountVnd: 360_000 },
      ],
      byPackage: [
        { packageCode: '3C120', count: 2, amountVnd: 720_000 },
        { packageCode: 'C120', count: 1, amountVnd: 120_000 },
      ],
      byDay: [
        { day: '2026-03-14', status: 'REGISTERED', count: 1 },
        { day: '2026-03-14', status: 'FAILED', count: 1 },
        { day: '2026-03-15', status: 'REGISTERED', count: 1 },
      ],
    });
    // The same filter as `orders`: one Vietnam day.
    const day = { createdFrom: '2026-03-14T17:00:00.000Z', createdTo: '2026-03-15T17:00:00.000Z' };
    const one = await q(
      'query ($f: OrderFilter) { orderTotals(filter: $f) { count } orders(filter: $f) { totalCount } }',
      { f: day },
    );
    expect(one).toEqual({ orderTotals: { count: 1 }, orders: { totalCount: 1 } });
  });

  it('totals VAS transactions with the prices they were sent with', async () => {
    const { vasTransactionTotals } = await q(`{ vasTransactionTotals { count amountVnd
      byStatus { status count amountVnd } byPackage { serviceId packageId count amountVnd }
      byDay { day status count } } }`);
    expect(vasTransactionTotals).toEqual({
      count: 4,
      amountVnd: 11_000,
      byStatus: [
        { status: 'SUCCEEDED', count: 3, amountVnd: 8000 },
        { status: 'FAILED', count: 1, amountVnd: 3000 },
      ],
      byPackage: [
        { serviceId: '1000161', packageId: '1003013', count: 3, amountVnd: 6000 },
        { serviceId: '1000161', packageId: '1003014', count: 1, amountVnd: 5000 },
      ],
      byDay: [
        { day: '2026-03-15', status: 'SUCCEEDED', count: 3 },
        { day: '2026-03-15', status: 'FAILED', count: 1 },
      ],
    });
  });

  it('lists OA purchases ledger-wide, newest first, filtered and counted', async () => {
    const buy = (oaId: string) =>
      q(
        `mutation ($input: PurchaseOAPackageInput!) { purchaseOAPackage(input: $input) { __typename } }`,
        {
          input: {
            oaId,
            tier: 'ADVANCED',
            // The simulator checks the day against its own clock, the real one.
            activeFrom: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10),
            duration: 3,
            idempotencyKey: randomUUID(),
          },
        },
      );
    tick();
    await buy('4368496041230001');
    tick();
    await buy('4368496040000001'); // refused: REJECTED
    tick();
    await buy('4368496041230002');
    const all = await q(`{ oaPackages(first: 2) { totalCount pageInfo { hasNextPage endCursor }
      edges { node { oaId status client events { status } idempotencyKeys { operation outcome } } } } }`);
    expect(all.oaPackages.totalCount).toBe(3);
    expect(all.oaPackages.edges.map((e: Data) => e.node.oaId)).toEqual([
      '4368496041230002',
      '4368496040000001',
    ]);
    expect(all.oaPackages.edges[0].node).toMatchObject({
      status: 'ACCEPTED',
      client: 'pos-console',
      idempotencyKeys: [{ operation: 'purchaseOAPackage', outcome: 'SUCCEEDED' }],
    });
    const rest = await q(
      'query ($a: String) { oaPackages(after: $a) { edges { node { oaId } } } }',
      {
        a: all.oaPackages.pageInfo.endCursor,
      },
    );
    expect(rest.oaPackages.edges).toEqual([{ node: { oaId: '4368496041230001' } }]);
    const rejected = await q(
      '{ oaPackages(filter: { status: REJECTED, tier: ADVANCED }) { totalCount edges { node { oaId } } } }',
    );
    expect(rejected.oaPackages).toEqual({
      totalCount: 1,
      edges: [{ node: { oaId: '4368496040000001' } }],
    });
    const res = await t.graphql(
      '{ oaPackages(oaId: "4368496041230001", filter: { oaId: "4368496041230002" }) { totalCount } }',
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
  });

  it('lists voice calls ledger-wide, newest first, with their events', async () => {
    const call = (phone: string) =>
      q(`mutation ($input: SendVoiceOtpInput!) { sendVoiceOtp(input: $input) { __typename } }`, {
        input: { phone, code: '4821', idempotencyKey: randomUUID() },
      });
    tick();
    await call('0936000011');
    tick();
    await call('0930000001'); // the subscriber refuses: FAILED
    const { voiceCalls } = await q(`{ voiceCalls { totalCount edges { node { phone status client
      events { sequence status } idempotencyKeys { operation } } } } }`);
    expect(voiceCalls.totalCount).toBe(2);
    expect(voiceCalls.edges.map((e: Data) => [e.node.phone, e.node.status])).toEqual([
      ['0930000001', 'FAILED'],
      ['0936000011', 'PENDING'],
    ]);
    expect(voiceCalls.edges[1].node).toMatchObject({
      client: 'pos-console',
      events: [
        { sequence: 1, status: 'PENDING' },
        { sequence: 2, status: 'PENDING' },
      ],
      idempotencyKeys: [{ operation: 'sendVoiceOtp' }],
    });
    const failed = await q(
      '{ voiceCalls(filter: { status: FAILED, phone: "+84 930 000 001" }) { totalCount } }',
    );
    expect(failed.voiceCalls.totalCount).toBe(1);
  });

  it('shows the idempotency keys that made and acted on an order, with their fingerprint time', async () => {
    const { order } = await q(
      'query ($c: String!) { order(code: $c) { createdAt idempotencyKeys { operation key fingerprintedAt outcome } } }',
      { c: registeredCode },
    );
    expect(order.idempotencyKeys).toEqual([
      {
        operation: 'requestOtp',
        key: keys.request,
        fingerprintedAt: order.createdAt,
        outcome: 'SUCCEEDED',
      },
      {
        operation: 'registerWithOtp',
        key: keys.register,
        fingerprintedAt: new Date(Date.parse(order.createdAt) + 1000).toISOString(),
        outcome: 'SUCCEEDED',
      },
    ]);
  });

  it('lists the SDP’s notifications for one package, with replays counted', async () => {
    const notifyUrl = (await t.gateway.listen()).replace('/graphql', '/vascloud/v1/notify_sub');
    const sim = t.gateway.sandbox.simulators.vascloud as VascloudSimulator;
    const notify = (packageId: string, queueId?: string) =>
      sim.notifySubscription({
        msisdn: '84912345699',
        serviceId: '1000161',
        packageId,
        action: 'register',
        url: notifyUrl,
        ...(queueId && { queueId }),
      });
    tick();
    await notify('1003013', '7000001');
    tick();
    await notify('1003014', '7000002');
    tick();
    await notify('1003013', '7000001'); // the same queueID again
    const { subscriber } = await q(`{ subscriber(phone: "0912345699") {
      vasEvents(serviceId: "1000161", packageId: "1003013") { totalCount
        edges { node { queueId receivedAt replays lastReplayedAt } } } } }`);
    const first = new Date(clock - 2000).toISOString();
    expect(subscriber.vasEvents).toEqual({
      totalCount: 1,
      edges: [
        {
          node: {
            queueId: '7000001',
            receivedAt: first,
            replays: 1,
            lastReplayedAt: new Date(clock).toISOString(),
          },
        },
      ],
    });
  });
});
