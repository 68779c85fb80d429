import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagesForTelco } from '../src/domain/catalog.js';
import { dmall } from '../src/vendors/dmall/index.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { dmallSim, REGISTER, REQUEST_OTP, type Result, sales } from './helpers/sales.js';

/**
 * The four steps of the retail programme, through `yoga.fetch`, against the dmall simulator on a
 * real loopback port (the gateway's sandbox). Vendor calls are counted at the simulator.
 */

const ENV = {
  // The sweeper and duplicate waits follow the slowest vendor with a client.
  DMALL_TIMEOUT_MS: '400',
  ESMS_TIMEOUT_MS: '400',
  VENDOR_BREAKER_FAILURES: '1000',
};

let t: TestGateway;
let clock = Date.now();
beforeAll(async () => {
  t = await startTestGateway(ENV, undefined, { now: () => new Date(clock) });
});
afterAll(async () => {
  await t.close();
});

describe('the four steps', () => {
  it('sells 6C120 to a MobiFone subscriber end to end, and the ledger shows it', async () => {
    const { sim, otpCalls, registerCalls } = dmallSim(t);
    const step1 = await t.graphql(
      '{ subscriber(phone: "0936004420") { telco eligiblePackages { code price } } }',
    );
    expect(step1).toEqual({
      data: {
        subscriber: {
          telco: 'MOBIFONE',
          eligiblePackages: [
            { code: 'C120', price: 120000 },
            { code: '3C120', price: 360000 },
            { code: '6C120', price: 720000 },
          ],
        },
      },
    });

    const s = sales(t);
    const otp = await s.requestOtp('+84 93 600 4420', '6c120', randomUUID(), {
      utm: { source: 'fptshop', campaign: 'tet' },
    });
    expect(otp.__typename).toBe('RequestOtpSuccess');
    const order = otp.order!;
    expect(order).toMatchObject({
      status: 'OTP_SENT',
      phone: '0936004420',
      telco: 'MOBIFONE',
      packageCode: '6C120',
      otpAttempts: 0,
      otpAttemptsLeft: 5,
      failure: null,
      registration: null,
      utm: { source: 'fptshop', medium: '', content: '', campaign: 'tet' },
      package: { code: '6C120', price: 720000 },
    });
    expect(order.orderCode).toMatch(/^DG\d{20}$/);
    expect(order.telcoTransId).toMatch(/^\d{9}$/);
    expect(order.partnerTransId).toMatch(/^GW\d{14}[0-9A-F]{8}$/);

    // The exact request dmall received.
    expect(otpCalls()).toBe(1);
    const received = sim.callsTo('/api-customer/public/order/partner/get-otp')[0]!;
    expect(received.method).toBe('POST');
    expect(received.headers['api-key']).toBe(dmall.sandbox?.credentials.apiKey);
    expect(received.headers['content-type']).toBe('application/json');
    expect(JSON.parse(received.body)).toEqual({
      phone: '0936004420',
      productCode: '6C120',
      telcoCode: 'MOBIFONE',
      utmSource: 'fptshop',
      utmMedium: '',
      utmContent: '',
      utmCampaign: 'tet',
    });

    const reg = await s.register(order.orderCode, '123456');
    expect(reg.__typename).toBe('RegisterWithOtpSuccess');
    expect(reg.order).toMatchObject({
      status: 'REGISTERED',
      registration: { type: 'CALL/SMS', code: '6C120' },
    });
    expect(reg.order!.registeredAt).toEqual(expect.any(String));
    expect(registerCalls()).toBe(1);
    expect(
      JSON.parse(sim.callsTo('/api-customer/public/order/partner/register_with_otp')[0]!.body),
    ).toEqual({
      orderCode: order.orderCode,
      otp: '123456',
    });

    const ledger = await t.graphql<{
      orders: {
        totalCount: number;
        edges: Array<{ node: { orderCode: string; events: Array<{ status: string }> } }>;
      };
    }>(
      `{ orders(filter: { status: REGISTERED, phone: "0936004420" }) {
           totalCount edges { node { orderCode events { status } } } } }`,
    );
    expect(ledger.data!.orders.totalCount).toBe(1);
    expect(ledger.data!.orders.edges[0]!.node).toEqual({
      orderCode: order.orderCode,
      events: [
        { status: 'PENDING' },
        { status: 'OTP_SENT' },
        { status: 'REGISTERING' },
        { status: 'REGISTERED' },
      ],
    });

    const byPartnerId = await t.graphql(
      `{ order(code: "${order.partnerTransId}") { orderCode status } }`,
    );
    expect(byPartnerId).toEqual({
      data: { order: { orderCode: order.orderCode, status: 'REGISTERED' } },
    });

    // A second registration of a registered order is refused without reaching dmall.
    const again = await s.register(order.orderCode, '123456');
    expect(again).toMatchObject({ __typename: 'OrderNotOpen', order: { status: 'REGISTERED' } });
    expect(registerCalls()).toBe(1);
  });

  it('gives no eligible packages, and no error, for carriers dmall does not sell', async () => {
    const res = await t.graphql(
      '{ subscriber(phone: "0911234567") { telco eligiblePackages { code } } }',
    );
    expect(res).toEqual({ data: { subscriber: { telco: 'VINAPHONE', eligiblePackages: [] } } });
  });
});

describe('refusals before the vendor', () => {
  it('refuses a package of another carrier, an unknown package and a bad phone', async () => {
    const s = sales(t);
    const before = dmallSim(t).otpCalls();
    expect(await s.requestOtp('0936000001', 'MP5X')).toMatchObject({
      __typename: 'PackageNotAvailable',
      code: 'PACKAGE_NOT_AVAILABLE',
      packageCode: 'MP5X',
      telco: 'MOBIFONE',
    });
    expect(await s.requestOtp('0936000001', 'NOPE')).toMatchObject({
      __typename: 'PackageNotAvailable',
    });
    expect(await s.requestOtp('0911234567', 'C120')).toMatchObject({
      __typename: 'PackageNotAvailable',
      telco: 'VINAPHONE',
    });
    expect(await s.requestOtp('12345', 'C120')).toMatchObject({
      __typename: 'InvalidPhoneNumber',
      code: 'INVALID_PHONE_NUMBER',
    });
    expect(await s.requestOtp('0936000001', 'C120', 'short')).toMatchObject({
      __typename: 'InvalidInput',
      field: 'idempotencyKey',
    });
    expect(dmallSim(t).otpCalls()).toBe(before);
  });

  it('answers OtpAlreadySent with the open order instead of texting again', async () => {
    const s = sales(t);
    const first = await s.requestOtp('0936000002', 'C120');
    const calls = dmallSim(t).otpCalls();
    const second = await s.requestOtp('0936000002', 'C120');
    expect(second).toMatchObject({
      __typename: 'OtpAlreadySent',
      order: { id: first.order!.id, orderCode: first.order!.orderCode, status: 'OTP_SENT' },
    });
    expect(dmallSim(t).otpCalls()).toBe(calls);
  });
});

describe('wrong OTP and expiry', () => {
  it('counts wrong OTPs down to LOCKED, then refuses without calling dmall', async () => {
    const s = sales(t);
    const { order } = await s.requestOtp('0936000003', 'C120');
    const left: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await s.register(order!.orderCode, '000000');
      expect(res.__typename).toBe('OtpIncorrect');
      expect(res.vendorCode).toBe('1006');
      expect(res.order).toMatchObject({ failure: { code: 'OTP_INCORRECT', vendorCode: '1006' } });
      left.push(res.attemptsLeft as number);
    }
    expect(left).toEqual([4, 3, 2, 1, 0]);
    const calls = dmallSim(t).registerCalls();
    const locked = await s.register(order!.orderCode, '123456');
    expect(locked).toMatchObject({ __typename: 'OrderLocked', order: { status: 'LOCKED' } });
    expect(dmallSim(t).registerCalls()).toBe(calls);
  });

  it('refuses an expired order without reaching dmall and marks it EXPIRED', async () => {
    const s = sales(t);
    const { order } = await s.requestOtp('0936000004', 'C120');
    const calls = dmallSim(t).registerCalls();
    clock += 601_000;
    try {
      const res = await s.register(order!.orderCode, '123456');
      expect(res).toMatchObject({ __typename: 'OtpExpired', order: { status: 'EXPIRED' } });
      expect(dmallSim(t).registerCalls()).toBe(calls);
    } finally {
      clock -= 601_000;
    }
  });
});

describe('vendor failures', () => {
  it('records a rejection as FAILED with the vendor code and message', async () => {
    const res = await sales(t).requestOtp('0930000001', 'C120');
    expect(res).toMatchObject({
      __typename: 'VendorRejected',
      vendorCode: '1001',
      vendorMessage: 'Thuê bao không đủ điều kiện đăng ký gói cước',
      order: {
        status: 'FAILED',
        failure: {
          code: 'VENDOR_REJECTED',
          vendorCode: '1001',
          message: 'Thuê bao không đủ điều kiện đăng ký gói cước',
        },
      },
    });
  });

  it('records a 5xx as FAILED: dmall did not act', async () => {
    const res = await sales(t).requestOtp('0930000002', 'C120');
    expect(res).toMatchObject({
      __typename: 'VendorUnavailable',
      reason: 'VENDOR_HTTP',
      outcomeUnknown: false,
      order: { status: 'FAILED', failure: { code: 'VENDOR_HTTP', vendorCode: null } },
    });
  });

  it('records a timeout as UNKNOWN, and garbage too', async () => {
    const s = sales(t);
    const before = dmallSim(t).otpCalls();
    expect(await s.requestOtp('0930000003', 'C120')).toMatchObject({
      __typename: 'VendorUnavailable',
      reason: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
      order: { status: 'UNKNOWN', orderCode: null, failure: { code: 'VENDOR_TIMEOUT' } },
    });
    expect(await s.requestOtp('0930000004', 'C120')).toMatchObject({
      __typename: 'VendorUnavailable',
      reason: 'VENDOR_BAD_RESPONSE',
      outcomeUnknown: true,
      order: { status: 'UNKNOWN' },
    });
    // Calls that create something are made once.
    expect(dmallSim(t).otpCalls()).toBe(before + 2);
  });

  it('lets a new OTP request through after one whose outcome is unknown', async () => {
    const s = sales(t);
    const first = await s.requestOtp('0900000003', '3C120');
    expect(first.order!.status).toBe('UNKNOWN');
    const before = dmallSim(t).otpCalls();
    const second = await s.requestOtp('0900000003', '3C120');
    expect(second).toMatchObject({ __typename: 'VendorUnavailable', order: { status: 'UNKNOWN' } });
    expect(second.order!.id).not.toBe(first.order!.id);
    expect(dmallSim(t).otpCalls()).toBe(before + 1);
  });

  it('refuses a new sale while a registration of the same package is UNKNOWN, however old', async () => {
    const s = sales(t);
    const { order } = await s.requestOtp('0900000005', '6C120');
    const lost = await s.register(order!.orderCode, '123456');
    expect(lost).toMatchObject({ order: { status: 'UNKNOWN' } });
    const start = clock;
    clock += 2 * 3_600_000;
    try {
      const again = await s.requestOtp('0900000005', '6C120');
      expect(again).toMatchObject({
        __typename: 'OtpAlreadySent',
        message: expect.stringContaining('unknown outcome'),
        order: { id: order!.id, status: 'UNKNOWN' },
      });
      // Settling it is what the message asks for, and it works.
      expect(await s.register(order!.orderCode, '123456')).toMatchObject({
        __typename: 'RegisterWithOtpSuccess',
      });
    } finally {
      clock = start;
    }
  });

  it.each([
    ['0930000005', 'the first call registered but its reply was lost'],
    ['0930000006', 'the first call never reached the registration'],
  ])('settles a registration timeout with a second call (%s: %s)', async (phone) => {
    const s = sales(t);
    const { order } = await s.requestOtp(phone, 'C120');
    const before = dmallSim(t).registerCalls();
    const first = await s.register(order!.orderCode, '123456');
    expect(first).toMatchObject({
      __typename: 'VendorUnavailable',
      reason: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
      order: { status: 'UNKNOWN' },
    });
    const second = await s.register(order!.orderCode, '123456');
    expect(second).toMatchObject({
      __typename: 'RegisterWithOtpSuccess',
      order: { status: 'REGISTERED', registration: { code: 'C120' } },
    });
    expect(dmallSim(t).registerCalls()).toBe(before + 2);
  });
});

describe('idempotency', () => {
  it('runs a request without a key once, as a new request each time (GraphiQL tabs)', async () => {
    const send = (phone: string) =>
      t.graphql<{ requestOtp: Result }>(
        REQUEST_OTP,
        { input: { phone, packageCode: 'C120' } },
        { 'x-client-id': 'graphiql' },
      );
    const calls = dmallSim(t).otpCalls();
    const first = await send('0936000021');
    const colleague = await send('0936000022');
    expect(first.data!.requestOtp.__typename).toBe('RequestOtpSuccess');
    expect(colleague.data!.requestOtp.__typename).toBe('RequestOtpSuccess');
    // No key: the repeat is a new request, and the open order answers it without a new SMS.
    const again = await send('0936000021');
    expect(again.data!.requestOtp).toMatchObject({
      __typename: 'OtpAlreadySent',
      order: { orderCode: first.data!.requestOtp.order!.orderCode },
    });
    expect(dmallSim(t).otpCalls()).toBe(calls + 2);
  });

  it('replays the first result for a repeat, and refuses the key for a different input', async () => {
    const s = sales(t);
    const key = randomUUID();
    const first = await s.requestOtp('0936000006', 'C120', key);
    const calls = dmallSim(t).otpCalls();
    const repeat = await s.requestOtp('0936000006', 'C120', key);
    expect(repeat).toEqual(first);
    expect(dmallSim(t).otpCalls()).toBe(calls);

    const reused = await s.requestOtp('0936000006', '3C120', key);
    expect(reused).toMatchObject({
      __typename: 'IdempotencyKeyReused',
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(dmallSim(t).otpCalls()).toBe(calls);

    // Scoped per client: another client's identical key is a different request.
    const other = await sales(t, 'another-client').requestOtp('0936000007', 'C120', key);
    expect(other.__typename).toBe('RequestOtpSuccess');
  });

  it('replays a failure too, without calling the vendor again', async () => {
    const s = sales(t);
    const key = randomUUID();
    const first = await s.requestOtp('0390000001', 'MP5X', key);
    expect(first.__typename).toBe('VendorRejected');
    const calls = dmallSim(t).otpCalls();
    expect(await s.requestOtp('0390000001', 'MP5X', key)).toEqual(first);
    expect(dmallSim(t).otpCalls()).toBe(calls);
  });
});

describe('one sensitive mutation per document', () => {
  it('rejects two aliased registerWithOtp at validation, with no vendor call', async () => {
    const before = dmallSim(t).registerCalls();
    const res = await t.graphql(`mutation {
      a: registerWithOtp(input: { orderCode: "DG1", otp: "111111", idempotencyKey: "key-aaaaaaaa" }) { __typename }
      b: registerWithOtp(input: { orderCode: "DG1", otp: "222222", idempotencyKey: "key-bbbbbbbb" }) { __typename }
    }`);
    expect(res.data).toBeUndefined();
    expect(res.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('at most one of'),
        extensions: { code: 'TOO_MANY_SENSITIVE_MUTATIONS' },
      }),
    ]);
    expect(dmallSim(t).registerCalls()).toBe(before);
  });

  it('counts through fragments and across operations in the document', async () => {
    const viaFragment = await t.graphql(`
      mutation M { ...F requestOtp(input: { phone: "0936000009", packageCode: "C120", idempotencyKey: "key-cccccccc" }) { __typename } }
      fragment F on Mutation { registerWithOtp(input: { orderCode: "DG1", otp: "1111", idempotencyKey: "key-dddddddd" }) { __typename } }`);
    expect(viaFragment.errors?.[0]?.extensions).toEqual({ code: 'TOO_MANY_SENSITIVE_MUTATIONS' });
    const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        operationName: 'A',
        query: `
          mutation A { registerWithOtp(input: { orderCode: "DG1", otp: "1111", idempotencyKey: "key-eeeeeeee" }) { __typename } }
          mutation B { registerWithOtp(input: { orderCode: "DG1", otp: "2222", idempotencyKey: "key-ffffffff" }) { __typename } }`,
      }),
    });
    const twoOps = (await res.json()) as { errors?: Array<{ extensions?: unknown }> };
    expect(twoOps.errors?.[0]?.extensions).toEqual({ code: 'TOO_MANY_SENSITIVE_MUTATIONS' });
  });

  it('refuses a batched request (an array of operations) before anything runs', async () => {
    const before = dmallSim(t).registerCalls();
    const op = {
      query: REGISTER,
      variables: { input: { orderCode: 'DG1', otp: '123456', idempotencyKey: randomUUID() } },
    };
    const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([op, op]),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: [expect.objectContaining({ message: 'Batching is not supported.' })],
    });
    expect(dmallSim(t).registerCalls()).toBe(before);
  });

  it('answers OrderNotOpen for an order whose OTP request never got an order code', async () => {
    const timedOut = await sales(t).requestOtp('0900000003', 'C120');
    expect(timedOut.order!.status).toBe('UNKNOWN');
    const order = await t.gateway.orders.findById(timedOut.order!.databaseId);
    const res = await sales(t).register(order!.partnerTransId, '123456');
    expect(res).toMatchObject({ __typename: 'OrderNotOpen', order: { status: 'UNKNOWN' } });
  });

  it('lets one sensitive mutation through', async () => {
    const res = await t.graphql(REGISTER, {
      input: { orderCode: 'DG-NOPE', otp: '123456', idempotencyKey: randomUUID() },
    });
    expect(res.data).toMatchObject({ registerWithOtp: { __typename: 'OrderNotFound' } });
  });
});

describe('OTP limits', () => {
  it('limits a phone to 3 OTPs per 10 minutes and 5 per hour', async () => {
    const s = sales(t);
    const phone = '0936000010';
    const start = clock;
    try {
      for (const pkg of ['C120', '3C120', '6C120']) {
        expect((await s.requestOtp(phone, pkg)).__typename).toBe('RequestOtpSuccess');
      }
      const calls = dmallSim(t).otpCalls();
      clock += 11 * 60_000; // the three OTPs expire; the 10-minute window has moved on
      await t.gateway.sweep();
      expect((await s.requestOtp(phone, 'C120')).__typename).toBe('RequestOtpSuccess');
      expect((await s.requestOtp(phone, '3C120')).__typename).toBe('RequestOtpSuccess');
      const hourly = await s.requestOtp(phone, '6C120');
      expect(hourly).toMatchObject({ __typename: 'OtpRateLimited', limit: 'PHONE_PER_HOUR' });
      // The oldest of the five leaves the hour 49 minutes from now.
      expect(hourly.retryAfterSeconds).toBe(49 * 60);
      expect(dmallSim(t).otpCalls()).toBe(calls + 2);
    } finally {
      clock = start;
    }
  });

  it('returns retryAfterSeconds for the 10-minute window', async () => {
    const s = sales(t);
    const phone = '0936000011';
    for (const pkg of ['C120', '3C120', '6C120']) await s.requestOtp(phone, pkg);
    const orders = await t.graphql<{
      orders: { edges: Array<{ node: { orderCode: string; packageCode: string } }> };
    }>(`{ orders(filter: { phone: "${phone}" }) { edges { node { orderCode packageCode } } } }`);
    const c120 = orders.data!.orders.edges.find((e) => e.node.packageCode === 'C120')!.node;
    await s.register(c120.orderCode, '123456');
    const res = await s.requestOtp(phone, 'C120');
    expect(res).toMatchObject({ __typename: 'OtpRateLimited', limit: 'PHONE_PER_10_MINUTES' });
    expect(res.retryAfterSeconds).toBeGreaterThan(590);
    expect(res.retryAfterSeconds).toBeLessThanOrEqual(600);
  });
});

describe('a telco eligibility provider in place of the catalog rule', () => {
  let own: TestGateway;
  beforeAll(async () => {
    own = await startTestGateway(ENV, undefined, {
      // As a telco API might answer: this subscriber may buy C120 only.
      eligibility: {
        eligiblePackages: async () => packagesForTelco('MOBIFONE').filter((p) => p.code === 'C120'),
      },
    });
  });
  afterAll(async () => {
    await own.close();
  });

  it('decides both what eligiblePackages lists and what requestOtp sells', async () => {
    const listed = await own.graphql(
      '{ subscriber(phone: "0936000030") { eligiblePackages { code } } }',
    );
    expect(listed).toEqual({ data: { subscriber: { eligiblePackages: [{ code: 'C120' }] } } });
    const s = sales(own);
    expect(await s.requestOtp('0936000030', '6C120')).toMatchObject({
      __typename: 'PackageNotAvailable',
      message: '6C120 is not available for this subscriber.',
    });
    expect(dmallSim(own).otpCalls()).toBe(0);
    expect((await s.requestOtp('0936000030', 'C120')).__typename).toBe('RequestOtpSuccess');
  });
});

describe('a client making too many OTP requests', () => {
  let small: TestGateway;
  beforeAll(async () => {
    small = await startTestGateway({ ...ENV, OTP_LIMIT_PER_CLIENT_MINUTE: '2' });
  });
  afterAll(async () => {
    await small.close();
  });

  it('is limited per minute while other clients are not', async () => {
    const s = sales(small, 'busy-shop');
    expect((await s.requestOtp('0936000020', 'C120')).__typename).toBe('RequestOtpSuccess');
    expect((await s.requestOtp('0936000021', 'C120')).__typename).toBe('RequestOtpSuccess');
    const calls = dmallSim(small).otpCalls();
    const limited = await s.requestOtp('0936000022', 'C120');
    expect(limited).toMatchObject({ __typename: 'OtpRateLimited', limit: 'CLIENT_PER_MINUTE' });
    expect(dmallSim(small).otpCalls()).toBe(calls);
    const other = await sales(small, 'quiet-shop').requestOtp('0936000022', 'C120');
    expect(other.__typename).toBe('RequestOtpSuccess');
  });
});
