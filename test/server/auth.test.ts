import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientStore } from '../../src/store/clients.js';
import { createDmallSimulator } from '../../src/vendors/dmall/simulator.js';
import { GET_OTP_PATH } from '../../src/vendors/dmall/wire.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { REQUEST_OTP } from '../helpers/sales.js';

/**
 * Who is calling. With a real vendor configured (here dmall, pointed at a simulator the gateway
 * does not own), every request needs an API key; in an all-sandbox gateway a key is optional.
 */

const SECRET = 'auth-test-secret-of-at-least-32-chars!';
const sim = createDmallSimulator({ apiKey: 'auth-dmall-key' });
let t: TestGateway;
let clients: ClientStore;
let posKey: string;
let otherKey: string;

beforeAll(async () => {
  t = await startTestGateway({
    DMALL_BASE_URL: await sim.listen(),
    DMALL_API_KEY: 'auth-dmall-key',
    GATEWAY_SECRET: SECRET,
    API_KEY_CACHE_MS: '0',
    CLIENT_REQUESTS_PER_MINUTE: '8',
    CLIENT_COST_PER_MINUTE: '300',
  });
  clients = new ClientStore(t.gateway.db, SECRET);
  posKey = (await clients.create('pos-hanoi-01', ['sales', 'ledger'])).key;
  otherKey = (await clients.create('pos-saigon-02', ['sales'])).key;
});
afterAll(async () => {
  await t.close();
  await sim.close();
});

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    wwwAuthenticate: res.headers.get('www-authenticate'),
    body: (await res.json()) as {
      data?: Record<string, unknown> | null;
      errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    },
  };
}
const TELCO = { query: '{ subscriber(phone: "0936004420") { telco } }' };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('authentication', () => {
  it('serves a valid key', async () => {
    expect(await post(TELCO, bearer(posKey))).toEqual({
      status: 200,
      wwwAuthenticate: null,
      body: { data: { subscriber: { telco: 'MOBIFONE' } } },
    });
  });

  it('gives every failure the same 401 answer, and runs nothing', async () => {
    const revoked = (await clients.create('pos-revoked', ['sales'])).key;
    await clients.revokeKey(revoked.slice(4, 16));
    const disabled = (await clients.create('pos-disabled', ['sales'])).key;
    await clients.setDisabled('pos-disabled', true);
    const cases: Record<string, Record<string, string>> = {
      missing: {},
      'not bearer': { authorization: `Basic ${posKey}` },
      malformed: bearer('not-a-key'),
      unknown: bearer(`tgw_AAAAAAAAAAAA.${'A'.repeat(43)}`),
      'wrong secret': bearer(`${posKey.slice(0, 17)}${'B'.repeat(43)}`),
      revoked: bearer(revoked),
      disabled: bearer(disabled),
      'x-client-id only': { 'x-client-id': 'pos-hanoi-01' },
    };
    const calls = sim.callsTo(GET_OTP_PATH).length;
    for (const [reason, headers] of Object.entries(cases)) {
      const mutation = {
        query: REQUEST_OTP,
        variables: {
          input: { phone: '0936000901', packageCode: 'C120', idempotencyKey: randomUUID() },
        },
      };
      expect(await post(mutation, headers), reason).toEqual({
        status: 401,
        wwwAuthenticate: 'Bearer',
        body: {
          errors: [
            {
              // In the default language: these requests send no Accept-Language.
              message: 'Cần một API key hợp lệ: hãy gửi Authorization: Bearer <key>.',
              extensions: { code: 'UNAUTHENTICATED' },
            },
          ],
        },
      });
    }
    expect(sim.callsTo(GET_OTP_PATH).length).toBe(calls);
    expect(await t.gateway.orders.count({ phone: '0936000901' })).toBe(0);
  });

  it('rotates keys: old and new both work until the old is revoked', async () => {
    const rotated = (await clients.create('pos-rotating', ['sales'])).key;
    const fresh = (await clients.addKey('pos-rotating'))!;
    expect((await post(TELCO, bearer(rotated))).status).toBe(200);
    expect((await post(TELCO, bearer(fresh))).status).toBe(200);
    expect(await clients.revokeKey(rotated.slice(4, 16))).toBe(true);
    expect((await post(TELCO, bearer(rotated))).status).toBe(401);
    expect((await post(TELCO, bearer(fresh))).status).toBe(200);
  });

  it('takes the caller from the key, not from x-client-id', async () => {
    const res = await post(
      {
        query: REQUEST_OTP,
        variables: {
          input: { phone: '0936000902', packageCode: 'C120', idempotencyKey: randomUUID() },
        },
      },
      { ...bearer(otherKey), 'x-client-id': 'pos-hanoi-01' },
    );
    expect(res.body.data?.requestOtp).toMatchObject({ __typename: 'RequestOtpSuccess' });
    const [order] = await t.gateway.orders.list(
      { phone: '0936000902' },
      { limit: 1, inverted: false },
    );
    expect(order!.clientId).toBe('pos-saigon-02');
  });
});

describe('per-client budgets', () => {
  it('refuses a client over its requests per minute while another is served', async () => {
    const budget = (await clients.create('pos-busy', ['sales'])).key;
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await post(TELCO, bearer(budget))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429]);
    const refused = await post(TELCO, bearer(budget));
    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({
          code: 'RATE_LIMITED',
          retryAfterSeconds: expect.any(Number),
        }),
      }),
    ]);
    const quiet = (await clients.create('pos-quiet', ['sales'])).key;
    expect((await post(TELCO, bearer(quiet))).status).toBe(200);
  });

  it('spends a document’s cost: heavy reconciliation queries run out before light ones', async () => {
    const heavy = (await clients.create('backoffice', ['ledger'])).key;
    // orders(first: 100) costs well over 100; two fit in 300 points at most.
    const query = { query: '{ orders(first: 100) { totalCount edges { node { id status } } } }' };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(query, bearer(heavy))).status);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(2);
    expect((await post(TELCO, bearer(posKey))).status).toBe(200);
  });
});

describe('an all-sandbox gateway', () => {
  it('serves requests without a key, and still refuses a bad key', async () => {
    const sandbox = await startTestGateway();
    try {
      const anon = await sandbox.gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(TELCO),
      });
      expect(await anon.json()).toEqual({ data: { subscriber: { telco: 'MOBIFONE' } } });
      const bad = await sandbox.gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
        body: JSON.stringify(TELCO),
      });
      expect(bad.status).toBe(401);
    } finally {
      await sandbox.close();
    }
  });
});
