import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VascloudSimulator } from '../src/vendors/vascloud/simulator.js';
import { CHECK_PATH, REG_PATH } from '../src/vendors/vascloud/wire.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

/** VAS packages end to end: the gateway in process, the SDP simulator on a loopback port. */

const TX = `id databaseId phone serviceId packageId action status queueId vendorCode vendorMessage
  failureReason price autoRenew createdAt settledAt events { sequence status detail }`;
const RESULT = `__typename
  ... on Error { code message }
  ... on VendorError {
    vendor reason outcomeUnknown vendorCode vendorMessage record { ... on VasTransaction { ${TX} } }
  }
  ... on VasTransactionInDoubt { transaction { id status } }
  ... on InvalidInput { field }`;
const REGISTER = `mutation ($input: RegisterVasPackageInput!) {
  registerVasPackage(input: $input) { ${RESULT} ... on RegisterVasPackageSuccess { transaction { ${TX} } } } }`;
const CANCEL = `mutation ($input: CancelVasPackageInput!) {
  cancelVasPackage(input: $input) { ${RESULT} ... on CancelVasPackageSuccess { transaction { ${TX} } } } }`;
const SETTLE = `mutation ($id: ID!) {
  settleVasTransaction(id: $id) { __typename ... on Error { code message }
    ... on VendorUnavailable { reason outcomeUnknown record { ... on VasTransaction { ${TX} } } }
    ... on SettleVasTransactionSuccess { transaction { ${TX} } } } }`;
const CHECK = `query ($phone: String!, $s: ID!, $p: ID!) {
  subscriber(phone: $phone) { vasSubscription(serviceId: $s, packageId: $p) {
    id serviceId packageId active checkedAt errorId errorDesc } } }`;

type Tx = Record<string, unknown> & {
  id: string;
  databaseId: string;
  status: string;
  events: Array<{ status: string; detail: string }>;
};
type Result = Record<string, unknown> & { __typename: string; transaction?: Tx };

/** The vendor errors give the transaction as `record`, the other members as `transaction`. */
function asTransaction(result: Result): Result {
  const { record, ...rest } = result;
  return record ? { ...rest, transaction: record as Tx } : result;
}

const SERVICE = '1000161';
const PACKAGE = '1003013';

describe('VAS packages through the gateway', () => {
  let t: TestGateway;
  let sim: VascloudSimulator;
  const headers = { 'x-client-id': 'vas-test' };

  beforeAll(async () => {
    t = await startTestGateway({ VASCLOUD_TIMEOUT_MS: '1000', VENDOR_BREAKER_FAILURES: '1000' });
    sim = t.gateway.sandbox.simulators.vascloud as VascloudSimulator;
  });
  afterAll(async () => {
    await t.close();
  });

  const checks = (msisdn?: string) =>
    sim.callsTo(CHECK_PATH).filter((c) => !msisdn || c.body.includes(`<msisdn>${msisdn}<`)).length;
  const regs = () => sim.callsTo(REG_PATH).length;

  async function change(
    kind: 'register' | 'cancel',
    phone: string,
    extra: Record<string, unknown> = {},
  ): Promise<Result> {
    const res = await t.graphql<Record<string, Result>>(
      kind === 'register' ? REGISTER : CANCEL,
      {
        input: {
          phone,
          serviceId: SERVICE,
          packageId: PACKAGE,
          channel: 'APP',
          idempotencyKey: randomUUID(),
          ...extra,
        },
      },
      headers,
    );
    expect(res.errors).toBeUndefined();
    return asTransaction(
      res.data![kind === 'register' ? 'registerVasPackage' : 'cancelVasPackage']!,
    );
  }

  async function check(phone: string, s = SERVICE, p = PACKAGE) {
    const res = await t.graphql<{
      subscriber: { vasSubscription: Record<string, unknown> | null };
    }>(CHECK, { phone, s, p });
    return res;
  }

  it('checks, registers, checks active, cancels, checks inactive', async () => {
    const phone = '0912345678';
    const before = await check(phone);
    expect(before.data?.subscriber.vasSubscription).toMatchObject({
      serviceId: SERVICE,
      packageId: PACKAGE,
      active: false,
      errorId: null,
    });

    const registered = await change('register', phone, { price: '3000' });
    expect(registered.__typename).toBe('RegisterVasPackageSuccess');
    expect(registered.transaction).toMatchObject({
      phone,
      action: 'REGISTER',
      status: 'SUCCEEDED',
      vendorCode: '0',
      price: '3000',
      autoRenew: true,
    });
    expect(registered.transaction!.events.map((e) => e.status)).toEqual(['PENDING', 'SUCCEEDED']);
    // The queueID recorded before the call is the one the SDP got.
    expect(sim.subscription('84912345678', SERVICE, PACKAGE)?.history.at(-1)?.queueId).toBe(
      registered.transaction!.queueId,
    );
    const active = (await check(phone)).data?.subscriber.vasSubscription;
    expect(active).toMatchObject({ active: true });
    // Its global id hides the number, and node(id:) checks again.
    expect(Buffer.from(String(active?.id), 'base64').toString()).not.toContain('912345678');
    const again = await t.graphql<{ node: { active: boolean; packageId: string } }>(
      'query ($id: ID!) { node(id: $id) { ... on VasSubscription { active packageId } } }',
      { id: active?.id },
    );
    expect(again.data?.node).toEqual({ active: true, packageId: PACKAGE });

    const cancelled = await change('cancel', phone);
    expect(cancelled.transaction).toMatchObject({
      action: 'CANCEL',
      status: 'SUCCEEDED',
      autoRenew: null,
    });
    expect((await check(phone)).data?.subscriber.vasSubscription).toMatchObject({ active: false });

    // The ledger: newest first, per subscriber and in the back office.
    const ledger = await t.graphql<{
      subscriber: { vasTransactions: { totalCount: number; edges: Array<{ node: Tx }> } };
      vasTransactions: { edges: Array<{ node: Tx }> };
    }>(
      `query ($phone: String!) {
        subscriber(phone: $phone) { vasTransactions(first: 10) { totalCount edges { node { id action status } } } }
        vasTransactions(filter: { phone: $phone, action: CANCEL }) { edges { node { id action } } }
      }`,
      { phone },
    );
    expect(ledger.data?.subscriber.vasTransactions.totalCount).toBe(2);
    expect(ledger.data?.subscriber.vasTransactions.edges.map((e) => e.node.action)).toEqual([
      'CANCEL',
      'REGISTER',
    ]);
    expect(ledger.data?.vasTransactions.edges.map((e) => e.node.id)).toEqual([
      cancelled.transaction!.id,
    ]);
    // A global id finds the transaction again.
    const node = await t.graphql<{ node: { status: string } }>(
      'query ($id: ID!) { node(id: $id) { ... on VasTransaction { status action } } }',
      { id: registered.transaction!.id },
    );
    expect(node.data?.node).toEqual({ status: 'SUCCEEDED', action: 'REGISTER' });
  });

  it('keeps MSISDNs and ids with leading zeros as exact strings', async () => {
    const phone = '0910012345';
    const res = await change('register', phone, { serviceId: '0001000', packageId: '00300' });
    expect(res.transaction).toMatchObject({ serviceId: '0001000', packageId: '00300' });
    const sent = sim.callsTo(REG_PATH).at(-1)!.body;
    expect(sent).toContain('<msisdn>84910012345</msisdn>');
    expect(sent).toContain('<service_id>0001000</service_id>');
    expect(sent).toContain('<package_id>00300</package_id>');
    expect((await check(phone, '0001000', '00300')).data?.subscriber.vasSubscription).toMatchObject(
      { serviceId: '0001000', packageId: '00300', active: true },
    );
  });

  it('maps error_id 1 to VendorRejected with the SDP’s code and message', async () => {
    const res = await change('register', '0910000001');
    expect(res).toMatchObject({
      __typename: 'VendorRejected',
      code: 'VAS_REJECTED',
      vendor: 'vascloud',
      reason: 'VENDOR_REJECTED',
      outcomeUnknown: false,
      vendorCode: '1',
      vendorMessage: 'Thue bao khong du dieu kien dang ky',
      transaction: { status: 'FAILED', vendorCode: '1' },
    });
    expect((await check('0910000001')).data?.subscriber.vasSubscription).toMatchObject({
      active: null,
      errorId: '1',
      errorDesc: 'Thue bao khong ton tai hoac bi chan',
    });
  });

  it('answers a 5xx as VendorUnavailable, and a check of it as a top-level error', async () => {
    const res = await change('register', '0910000002');
    expect(res).toMatchObject({
      __typename: 'VendorUnavailable',
      code: 'VAS_UNAVAILABLE',
      vendor: 'vascloud',
      reason: 'VENDOR_HTTP',
    });
    expect(res.transaction?.status).toBe(res.outcomeUnknown ? 'UNKNOWN' : 'FAILED');
    const checked = await check('0910000002');
    expect(checked.errors?.[0]?.extensions?.code).toBe('VAS_UNAVAILABLE');
  });

  it('leaves an unreadable reply UNKNOWN (the SDP may have acted)', async () => {
    const res = await change('register', '0910000004');
    expect(res).toMatchObject({
      __typename: 'VendorUnavailable',
      reason: 'VENDOR_BAD_RESPONSE',
      outcomeUnknown: true,
      transaction: { status: 'UNKNOWN' },
    });
  });

  it('a timeout leaves the transaction UNKNOWN; the sweeper settles it to SUCCEEDED from CheckServiceInfo', async () => {
    const phone = '0910000005'; // acts, then hangs
    const res = await change('register', phone);
    expect(res).toMatchObject({
      __typename: 'VendorUnavailable',
      reason: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
      transaction: { status: 'UNKNOWN' },
    });
    // While it is in doubt, another register of the package is refused without a call.
    const callsBefore = regs();
    const again = await change('register', phone);
    expect(again).toMatchObject({
      __typename: 'VasTransactionInDoubt',
      transaction: { id: res.transaction!.id },
    });
    expect(regs()).toBe(callsBefore);

    const checksBefore = checks('84910000005');
    await t.gateway.sweep();
    expect(checks('84910000005')).toBe(checksBefore + 1);
    const settled = await t.gateway.vasStore.findById(res.transaction!.databaseId);
    expect(settled).toMatchObject({ status: 'SUCCEEDED' });
    const events = await t.gateway.vasStore.eventsFor([settled!.id]);
    expect(events.map((e) => e.status)).toEqual(['PENDING', 'UNKNOWN', 'SUCCEEDED']);
    expect(events.at(-1)?.detail).toMatch(/CheckServiceInfo.*holds the package/);
    // Settled rows are not checked again.
    await t.gateway.sweep();
    expect(checks('84910000005')).toBe(checksBefore + 1);
  });

  it('a timeout the SDP did not act on is settled to FAILED, on demand by settleVasTransaction', async () => {
    const phone = '0910000006'; // hangs once without acting
    const res = await change('register', phone);
    expect(res.transaction?.status).toBe('UNKNOWN');
    const settled = await t.graphql<{ settleVasTransaction: Result }>(SETTLE, {
      id: res.transaction!.id,
    });
    expect(settled.errors).toBeUndefined();
    expect(settled.data?.settleVasTransaction).toMatchObject({
      __typename: 'SettleVasTransactionSuccess',
      transaction: { status: 'FAILED' },
    });
    expect(settled.data?.settleVasTransaction.transaction?.settledAt).toBeTruthy();
    // Now a new register goes through (the simulator's hang was once only).
    expect((await change('register', phone)).transaction?.status).toBe('SUCCEEDED');
    const missing = await t.graphql<{ settleVasTransaction: Result }>(SETTLE, {
      id: Buffer.from(`VasTransaction:${randomUUID()}`).toString('base64'),
    });
    expect(missing.data?.settleVasTransaction.__typename).toBe('VasTransactionNotFound');
  });

  it('replays a request with the same idempotency key without calling the SDP again', async () => {
    const input = {
      phone: '0913000111',
      serviceId: SERVICE,
      packageId: PACKAGE,
      channel: 'WEB',
      idempotencyKey: randomUUID(),
    };
    const first = await t.graphql<{ registerVasPackage: Result }>(REGISTER, { input }, headers);
    const calls = regs();
    const second = await t.graphql<{ registerVasPackage: Result }>(REGISTER, { input }, headers);
    expect(regs()).toBe(calls);
    expect(second.data?.registerVasPackage.transaction?.id).toBe(
      first.data?.registerVasPackage.transaction?.id,
    );
    const reused = await t.graphql<{ registerVasPackage: Result }>(
      REGISTER,
      { input: { ...input, channel: 'APP' } },
      headers,
    );
    expect(reused.data?.registerVasPackage.__typename).toBe('IdempotencyKeyReused');
  });

  it('3 subscribers x 2 packages with one duplicate pair make exactly 5 checks, each on its field', async () => {
    for (const phone of ['0914000001', '0914000002', '0914000003']) {
      sim.subscriptions.delete(`84${phone.slice(1)}|${SERVICE}|${PACKAGE}`);
    }
    await change('register', '0914000002'); // only this one holds PACKAGE
    const before = checks();
    const res = await t.graphql<
      Record<string, Record<string, { active: boolean; packageId: string }>>
    >(`{
      a: subscriber(phone: "0914000001") { x: vasSubscription(serviceId: "${SERVICE}", packageId: "${PACKAGE}") { active packageId }
                                           y: vasSubscription(serviceId: "${SERVICE}", packageId: "2000") { active packageId } }
      b: subscriber(phone: "0914000002") { x: vasSubscription(serviceId: "${SERVICE}", packageId: "${PACKAGE}") { active packageId }
                                           y: vasSubscription(serviceId: "${SERVICE}", packageId: "2000") { active packageId } }
      c: subscriber(phone: "0914000003") { x: vasSubscription(serviceId: "${SERVICE}", packageId: "${PACKAGE}") { active packageId }
                                           y: vasSubscription(serviceId: "${SERVICE}", packageId: "${PACKAGE}") { active packageId } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(checks() - before).toBe(5);
    expect(res.data).toEqual({
      a: { x: { active: false, packageId: PACKAGE }, y: { active: false, packageId: '2000' } },
      b: { x: { active: true, packageId: PACKAGE }, y: { active: false, packageId: '2000' } },
      c: { x: { active: false, packageId: PACKAGE }, y: { active: false, packageId: PACKAGE } },
    });
    const msisdns = sim
      .callsTo(CHECK_PATH)
      .slice(before)
      .map((c) =>
        /<msisdn>(\d+)<\/msisdn><service>\d+<\/service><package>(\d+)</
          .exec(c.body)
          ?.slice(1)
          .join('/'),
      )
      .sort();
    expect(msisdns).toEqual([
      `84914000001/${PACKAGE}`,
      '84914000001/2000',
      `84914000002/${PACKAGE}`,
      '84914000002/2000',
      `84914000003/${PACKAGE}`,
    ]);
  });

  it('refuses two VAS mutations in one document before anything runs', async () => {
    const calls = regs();
    const res = await t.graphql(
      `mutation { a: registerVasPackage(input: { phone: "0915000001", serviceId: "1", packageId: "1", channel: "APP", idempotencyKey: "key-aaaaaaaa" }) { __typename }
                  b: cancelVasPackage(input: { phone: "0915000001", serviceId: "1", packageId: "1", channel: "APP", idempotencyKey: "key-bbbbbbbb" }) { __typename } }`,
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('TOO_MANY_SENSITIVE_MUTATIONS');
    expect(regs()).toBe(calls);
  });
});
