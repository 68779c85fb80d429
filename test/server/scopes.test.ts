import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientStore } from '../../src/store/clients.js';
import { createDmallSimulator } from '../../src/vendors/dmall/simulator.js';
import { GET_OTP_PATH, REGISTER_PATH } from '../../src/vendors/dmall/wire.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { REGISTER, REQUEST_OTP } from '../helpers/sales.js';

/** What each client may do: scopes per field, and a `ledger` client's own orders only. */

const SECRET = 'scopes-test-secret-of-32-characters!!!';
const sim = createDmallSimulator({ apiKey: 'scopes-dmall-key' });
let t: TestGateway;
const keys: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestGateway({
    DMALL_BASE_URL: await sim.listen(),
    DMALL_API_KEY: 'scopes-dmall-key',
    GATEWAY_SECRET: SECRET,
  });
  const clients = new ClientStore(t.gateway.db, SECRET);
  for (const [name, scopes] of Object.entries({
    shopA: ['sales', 'ledger', 'oa', 'vas', 'voice'],
    shopB: ['sales', 'ledger', 'oa', 'vas', 'voice'],
    cashier: ['sales'],
    auditor: ['ledger:all'],
    reader: ['ledger'],
    developer: ['explore'],
  } as const)) {
    keys[name] = (await clients.create(name, [...scopes])).key;
  }
});
afterAll(async () => {
  await t.close();
  await sim.close();
});

async function as<T = Record<string, unknown>>(
  client: string,
  query: string,
  variables?: Record<string, unknown>,
) {
  const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[client]}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as {
    data?: T | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

async function sale(client: string, phone: string) {
  const res = await as<{ requestOtp: { order: { orderCode: string; id: string } } }>(
    client,
    REQUEST_OTP,
    { input: { phone, packageCode: 'C120', idempotencyKey: randomUUID() } },
  );
  return res.data!.requestOtp.order;
}

const FORBIDDEN = expect.objectContaining({ extensions: { code: 'FORBIDDEN' } });

describe('scopes', () => {
  it('refuses a field outside the caller’s scopes, doing nothing and calling no vendor', async () => {
    const otpCalls = sim.callsTo(GET_OTP_PATH).length;
    const res = await as('reader', REQUEST_OTP, {
      input: { phone: '0936000801', packageCode: 'C120', idempotencyKey: randomUUID() },
    });
    expect(res.errors).toEqual([FORBIDDEN]);
    expect(sim.callsTo(GET_OTP_PATH).length).toBe(otpCalls);
    expect(await t.gateway.orders.count({ phone: '0936000801' })).toBe(0);

    const ledger = await as('cashier', '{ orders(first: 5) { totalCount } }');
    expect(ledger.errors).toEqual([FORBIDDEN]);
  });

  it('keeps introspection for the explore scope', async () => {
    expect((await as('cashier', '{ __schema { queryType { name } } }')).errors).toEqual([
      FORBIDDEN,
    ]);
    expect(await as('developer', '{ __schema { queryType { name } } }')).toEqual({
      data: { __schema: { queryType: { name: 'Query' } } },
    });
  });
});

describe('OA package purchases', () => {
  const PURCHASE = `mutation ($input: PurchaseOAPackageInput!) { purchaseOAPackage(input: $input) {
    __typename ... on PurchaseOAPackageSuccess { oaPackage { id status } } } }`;
  const input = (oaId: string) => ({
    input: {
      oaId,
      tier: 'TRIAL',
      activeFrom: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10),
      duration: 1,
    },
  });

  it('need the oa scope, and show a client only its own', async () => {
    const calls = t.gateway.sandbox.simulators.esms!.requests.length;
    expect((await as('cashier', PURCHASE, input('4368496040001111'))).errors).toEqual([FORBIDDEN]);
    expect(t.gateway.sandbox.simulators.esms!.requests.length).toBe(calls);

    const bought = await as<{ purchaseOAPackage: { oaPackage: { id: string } } }>(
      'shopA',
      PURCHASE,
      input('4368496040001112'),
    );
    const id = bought.data!.purchaseOAPackage.oaPackage.id;
    const read = (client: string) =>
      as<{ oaPackage: { id: string } | null; oaPackages: { edges: unknown[] } }>(
        client,
        `{ oaPackage(id: "${id}") { id } oaPackages(oaId: "4368496040001112") { edges { cursor } } }`,
      );
    expect((await read('shopA')).data).toEqual({
      oaPackage: { id },
      oaPackages: { edges: [expect.anything()] },
    });
    expect((await read('shopB')).data).toEqual({ oaPackage: null, oaPackages: { edges: [] } });
    expect((await read('auditor')).data?.oaPackage).toEqual({ id });
  });
});

describe('VAS transactions', () => {
  const REGISTER_VAS = `mutation ($input: RegisterVasPackageInput!) { registerVasPackage(input: $input) {
    __typename ... on RegisterVasPackageSuccess { transaction { id status } } } }`;

  it('need the vas scope, and show a client only its own', async () => {
    const input = (phone: string) => ({
      input: { phone, serviceId: '1000161', packageId: '1003013', channel: 'APP' },
    });
    expect((await as('cashier', REGISTER_VAS, input('0912000901'))).errors).toEqual([FORBIDDEN]);
    const done = await as<{ registerVasPackage: { transaction: { id: string } } }>(
      'shopA',
      REGISTER_VAS,
      input('0912000902'),
    );
    const id = done.data!.registerVasPackage.transaction.id;
    const read = (client: string) =>
      as<{ node: { id: string } | null; vasTransactions: { totalCount: number } }>(
        client,
        `{ node(id: "${id}") { id } vasTransactions(filter: { phone: "0912000902" }) { totalCount } }`,
      );
    expect((await read('shopA')).data).toEqual({
      node: { id },
      vasTransactions: { totalCount: 1 },
    });
    expect((await read('shopB')).data).toEqual({ node: null, vasTransactions: { totalCount: 0 } });
    expect((await read('auditor')).data).toEqual({
      node: { id },
      vasTransactions: { totalCount: 1 },
    });
  });
});

describe('voice calls', () => {
  it('need the voice scope, and show a client only its own', async () => {
    const SEND = `mutation ($input: SendVoiceOtpInput!) { sendVoiceOtp(input: $input) {
      __typename ... on SendVoiceOtpSuccess { voiceCall { id status } } } }`;
    const calls = t.gateway.sandbox.simulators.voiceOtp!.requests.length;
    expect(
      (await as('cashier', SEND, { input: { phone: '0936000951', code: '4321' } })).errors,
    ).toEqual([FORBIDDEN]);
    expect(t.gateway.sandbox.simulators.voiceOtp!.requests.length).toBe(calls);
    const sent = await as<{ sendVoiceOtp: { voiceCall: { id: string } } }>('shopA', SEND, {
      input: { phone: '0936000952', code: '4321' },
    });
    const id = sent.data!.sendVoiceOtp.voiceCall.id;
    const read = (client: string) =>
      as<{ voiceCall: { id: string } | null; node: { id: string } | null }>(
        client,
        `{ voiceCall(id: "${id}") { id } node(id: "${id}") { id } }`,
      );
    expect((await read('shopA')).data).toEqual({ voiceCall: { id }, node: { id } });
    expect((await read('shopB')).data).toEqual({ voiceCall: null, node: null });
  });
});

describe('a ledger client', () => {
  it('sees its own orders only: by code, by id, in lists and in subscriptions', async () => {
    const mine = await sale('shopA', '0936000811');
    const theirs = await sale('shopB', '0936000812');

    const byCode = (client: string, code: string) =>
      as<{ order: { orderCode: string } | null }>(
        client,
        `{ order(code: "${code}") { orderCode } }`,
      );
    expect((await byCode('shopA', mine.orderCode)).data?.order?.orderCode).toBe(mine.orderCode);
    expect((await byCode('shopA', theirs.orderCode)).data).toEqual({ order: null });
    expect((await byCode('auditor', theirs.orderCode)).data?.order?.orderCode).toBe(
      theirs.orderCode,
    );

    const byId = await as<{ node: unknown }>('shopA', `{ node(id: "${theirs.id}") { id } }`);
    expect(byId.data).toEqual({ node: null });

    const list = await as<{ orders: { edges: Array<{ node: { orderCode: string } }> } }>(
      'shopA',
      '{ orders(first: 100) { edges { node { orderCode } } } }',
    );
    const codes = list.data!.orders.edges.map((e) => e.node.orderCode);
    expect(codes).toContain(mine.orderCode);
    expect(codes).not.toContain(theirs.orderCode);
    const bySubscriber = await as<{ subscriber: { orders: { totalCount: number } } }>(
      'shopA',
      '{ subscriber(phone: "0936000812") { orders { totalCount } } }',
    );
    expect(bySubscriber.data!.subscriber.orders.totalCount).toBe(0);

    const stream = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${keys.shopA}`,
      },
      body: JSON.stringify({
        query: `subscription { orderUpdated(code: "${theirs.orderCode}") { status } }`,
      }),
    });
    const text = await stream.text();
    expect(text).toContain('ORDER_NOT_FOUND');
    expect(text).not.toContain('OTP_SENT');
  });

  it('cannot register or lock another client’s order', async () => {
    const theirs = await sale('shopB', '0936000813');
    const calls = sim.callsTo(REGISTER_PATH).length;
    for (const otp of ['000000', '000001', '000002', '000003', '000004', '123456']) {
      const res = await as<{ registerWithOtp: { __typename: string } }>('shopA', REGISTER, {
        input: { orderCode: theirs.orderCode, otp, idempotencyKey: randomUUID() },
      });
      expect(res.data!.registerWithOtp.__typename).toBe('OrderNotFound');
    }
    expect(sim.callsTo(REGISTER_PATH).length).toBe(calls);
    const own = await as<{ registerWithOtp: { __typename: string } }>('shopB', REGISTER, {
      input: { orderCode: theirs.orderCode, otp: '123456', idempotencyKey: randomUUID() },
    });
    expect(own.data!.registerWithOtp.__typename).toBe('RegisterWithOtpSuccess');
  });
});
