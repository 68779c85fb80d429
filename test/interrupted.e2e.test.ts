import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotentRunner } from '../src/services/idempotent.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { dmallSim, sales } from './helpers/sales.js';

/**
 * What a crash or an outage at the vendor leaves behind must not lock customers out: a claim left
 * by a killed process ends, and requests the gateway never sent do not count as attempts.
 */

let t: TestGateway;
let clock = Date.parse('2026-11-23T04:00:00.000Z');
beforeAll(async () => {
  t = await startTestGateway(
    {
      // Every vendor fast: a duplicate waits as long as the slowest vendor call can take.
      DMALL_TIMEOUT_MS: '1000',
      VASCLOUD_TIMEOUT_MS: '1000',
      VOICE_OTP_TIMEOUT_MS: '1000',
      ESMS_TIMEOUT_MS: '1000',
      VENDOR_BREAKER_FAILURES: '2',
      VENDOR_BREAKER_HALF_OPEN_MS: '400',
      OTP_LIMIT_PER_CLIENT_MINUTE: '1000',
    },
    undefined,
    { now: () => new Date(clock) },
  );
});
afterAll(async () => {
  await t.close();
});

const NO_UTM = { source: '', medium: '', content: '', campaign: '' };

describe('a claim left by a killed process', () => {
  it('is settled by the sweeper, and the retry then gets a real answer', async () => {
    const { orders, idempotency } = t.gateway;
    const key = randomUUID();
    const scope = { clientId: 'pos-test', operation: 'requestOtp', key };
    // What a process killed during the vendor call leaves: the order PENDING, and the key claimed
    // with that order recorded as its progress but no result.
    const created = await orders.createPending(
      {
        clientId: 'pos-test',
        phone: '0936000311',
        telco: 'MOBIFONE',
        packageCode: 'C120',
        utm: NO_UTM,
      },
      {
        limits: { perPhoneHour: 5, perPhone10Min: 3, perClientMinute: 1000 },
        validitySeconds: 600,
      },
    );
    if (created.kind !== 'created') throw new Error(created.kind);
    const fingerprint = new IdempotentRunner({
      store: idempotency,
      secret: t.config.secret,
      duplicateWaitMs: 0,
    }).fingerprint({ phone: '0936000311', packageCode: 'C120', utm: NO_UTM });
    expect(await idempotency.claim(scope, fingerprint)).toEqual({ kind: 'claimed' });
    await idempotency.progress(scope, { orderId: created.order.id });

    const s = sales(t);
    // Within the slowest call's time the claim may still be running: the retry is told when to
    // come back (the slowest vendor timeout, 1 s, + the 30 s margin).
    const res = await t.graphql<{ requestOtp: { __typename: string; retryAfterSeconds: number } }>(
      `mutation ($input: RequestOtpInput!) {
        requestOtp(input: $input) { __typename ... on RequestInProgress { retryAfterSeconds } }
      }`,
      { input: { phone: '0936000311', packageCode: 'C120', idempotencyKey: key } },
      { 'x-client-id': 'pos-test' },
    );
    expect(res.data!.requestOtp).toEqual({
      __typename: 'RequestInProgress',
      retryAfterSeconds: 31,
    });

    // Past it, the sweeper settles the order and the claim; the retry answers from the order,
    // without calling the vendor.
    clock += 32_000;
    const calls = dmallSim(t).otpCalls();
    await t.gateway.sweep();
    expect((await orders.findById(created.order.id))!.status).toBe('UNKNOWN');
    expect(await idempotency.result(scope)).toEqual({ interrupted: { orderId: created.order.id } });
    const retry = await s.requestOtp('0936000311', 'C120', key);
    expect(retry).toMatchObject({
      __typename: 'VendorUnavailable',
      outcomeUnknown: true,
      order: { status: 'UNKNOWN' },
    });
    // The order the killed request had recorded (a global id: `Order:<database id>`).
    expect(Buffer.from(retry.order!.id, 'base64').toString()).toBe(`Order:${created.order.id}`);
    expect(dmallSim(t).otpCalls()).toBe(calls);
  });

  it('that had changed nothing is released, and the retry runs the request', async () => {
    const key = randomUUID();
    const scope = { clientId: 'pos-test', operation: 'requestOtp', key };
    const fingerprint = new IdempotentRunner({
      store: t.gateway.idempotency,
      secret: t.config.secret,
      duplicateWaitMs: 0,
    }).fingerprint({ phone: '0936000313', packageCode: 'C120', utm: NO_UTM });
    await t.gateway.idempotency.claim(scope, fingerprint);
    clock += 32_000;
    const retry = await sales(t).requestOtp('0936000313', 'C120', key);
    expect(retry).toMatchObject({ __typename: 'RequestOtpSuccess', order: { status: 'OTP_SENT' } });
  });
});

describe('requests the gateway refused before calling the vendor', () => {
  it('are recorded as REFUSED and do not use up the phone’s limit', async () => {
    const s = sales(t);
    // Two 503s in a row open dmall's circuit.
    for (const pkg of ['C120', '3C120']) {
      clock += 1000;
      expect(await s.requestOtp('0930000002', pkg)).toMatchObject({
        __typename: 'VendorUnavailable',
        order: { status: 'FAILED' },
      });
    }
    const calls = dmallSim(t).otpCalls();
    const refused = [];
    for (let i = 0; i < 5; i++) {
      clock += 1000;
      refused.push(await s.requestOtp('0936000320', 'C120'));
    }
    expect(dmallSim(t).otpCalls()).toBe(calls);
    for (const r of refused) {
      expect(r).toMatchObject({
        __typename: 'VendorUnavailable',
        outcomeUnknown: false,
        order: { status: 'REFUSED', failure: { code: 'VENDOR_UNAVAILABLE' } },
      });
    }

    // Once the circuit lets calls through again, the phone still has its whole limit (3 per
    // 10 minutes): the five refusals were not attempts.
    await new Promise((r) => setTimeout(r, 500));
    const kinds = [];
    for (const pkg of ['C120', '3C120', '6C120']) {
      clock += 1000;
      kinds.push((await s.requestOtp('0936000320', pkg)).__typename);
    }
    expect(kinds).toEqual(['RequestOtpSuccess', 'RequestOtpSuccess', 'RequestOtpSuccess']);
    expect(dmallSim(t).otpCalls()).toBe(calls + 3);
  });
});
