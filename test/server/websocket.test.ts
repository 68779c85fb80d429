import { randomUUID } from 'node:crypto';
import type { FormattedExecutionResult } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { REQUEST_OTP, sales } from '../helpers/sales.js';

const ORDER_UPDATED =
  'subscription ($c: String!) { orderUpdated(orderCode: $c) { orderCode status events { status } } }';

/** A graphql-ws client for the gateway; `headers` go on the upgrade request. */
function wsClient(
  url: string,
  options: { connectionParams?: Record<string, unknown>; headers?: Record<string, string> } = {},
) {
  const closes: number[] = [];
  const { headers } = options;
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers });
      }
    },
    connectionParams: options.connectionParams,
    // Kept open with no operation running, as an app does, to see the server close it.
    lazy: false,
    onNonLazyError: () => {},
    retryAttempts: 0,
    on: { closed: (event) => closes.push((event as { code: number }).code) },
  });
  return { client, closes };
}

/** Runs one operation to completion and returns its results (one, or one per event). */
function run<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
): Promise<FormattedExecutionResult<T, unknown>[]> {
  return new Promise((resolve, reject) => {
    const results: FormattedExecutionResult<T, unknown>[] = [];
    client.subscribe<T>(
      { query, variables },
      {
        next: (r) => results.push(r),
        error: (err) => (Array.isArray(err) ? resolve([{ errors: err }]) : reject(err)),
        complete: () => resolve(results),
      },
    );
  });
}

let t: TestGateway;
let url: string;
const clients: Client[] = [];
beforeAll(async () => {
  t = await startTestGateway();
  url = await t.gateway.listen();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(async () => {
  await t.close();
});

function connect(options?: Parameters<typeof wsClient>[1]) {
  const c = wsClient(url, options);
  clients.push(c.client);
  return c;
}

describe('GraphQL over WebSocket (graphql-transport-ws) on /graphql', () => {
  it('answers a query', async () => {
    const { client } = connect();
    expect(await run(client, '{ packages(telco: MOBIFONE) { code } }')).toEqual([
      { data: { packages: [{ code: 'C120' }, { code: '3C120' }, { code: '6C120' }] } },
    ]);
  });

  it('streams orderUpdated through a sale', async () => {
    const s = sales(t);
    const { order } = await s.requestOtp('0936000311', 'C120');
    const { client } = connect();
    const seen: string[] = [];
    const errors: unknown[] = [];
    const unsubscribe = client.subscribe<{ orderUpdated: { orderCode: string; status: string } }>(
      { query: ORDER_UPDATED, variables: { c: order!.orderCode } },
      {
        next: (r) => {
          expect(r.data!.orderUpdated.orderCode).toBe(order!.orderCode);
          seen.push(r.data!.orderUpdated.status);
        },
        error: (err) => errors.push(err),
        complete: () => {},
      },
    );
    await expect.poll(() => seen).toEqual(['OTP_SENT']);
    await s.register(order!.orderCode, '123456');
    await expect.poll(() => seen).toEqual(['OTP_SENT', 'REGISTERING', 'REGISTERED']);
    unsubscribe();
    expect(errors).toEqual([]);
  });

  it('carries each payload’s eventId, completes at the final state, and resumes with `after:`', async () => {
    const s = sales(t);
    const { order } = await s.requestOtp('0936000312', 'C120');
    const { client } = connect();
    const query =
      'subscription ($c: String!, $after: String) { orderUpdated(code: $c, after: $after) { status } }';
    // Away after the first payload; the sale goes on meanwhile.
    const seen: FormattedExecutionResult<Record<string, unknown>, { eventId?: string }>[] = [];
    const stop = client.subscribe<Record<string, unknown>, { eventId?: string }>(
      { query, variables: { c: order!.orderCode } },
      { next: (r) => seen.push(r), error: () => {}, complete: () => {} },
    );
    await expect.poll(() => seen.length).toBe(1);
    stop();
    const first = seen[0]!;
    expect(first).toMatchObject({
      data: { orderUpdated: { status: 'OTP_SENT' } },
      extensions: { eventId: '2' },
    });
    await s.register(order!.orderCode, '123456');
    // Back with `after:`: what changed since, once, then `complete` (REGISTERED is final).
    const resumed = await run(client, query, {
      c: order!.orderCode,
      after: first.extensions!.eventId,
    });
    expect(resumed).toEqual([
      { data: { orderUpdated: { status: 'REGISTERED' } }, extensions: { eventId: '4' } },
    ]);
  });

  it('applies the validation rules and the error masking of HTTP', async () => {
    const { client } = connect();
    const twice = `mutation { a: registerWithOtp(input: { orderCode: "x", otp: "1", idempotencyKey: "k-000001" }) { __typename }
      b: registerWithOtp(input: { orderCode: "y", otp: "1", idempotencyKey: "k-000002" }) { __typename } }`;
    const [invalid] = await run(client, twice);
    expect(invalid!.errors![0]!.extensions).toMatchObject({ code: 'TOO_MANY_SENSITIVE_MUTATIONS' });
    const [unparsable] = await run(client, '{ packages(');
    expect(unparsable!.errors![0]!.message).toMatch(/^Syntax Error/);

    // An unknown order ends the stream with the error SSE gives, masked the same way.
    const [overWs] = await run(client, ORDER_UPDATED, { c: 'DG-NOPE' });
    const sse = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: ORDER_UPDATED, variables: { c: 'DG-NOPE' } }),
    });
    const text = await sse.text();
    const first = /event: next\ndata: (.*)\n/.exec(text)![1]!;
    expect(overWs).toEqual(JSON.parse(first));
  });

  it('identifies the client by connectionParams, else by the upgrade request header', async () => {
    // The idempotency key is scoped to the client id: the same key from the same client over
    // HTTP replays the order made over WebSocket; from another client it is a new request.
    const sale = async (client: Client, phone: string, key: string) => {
      const input = { phone, packageCode: 'C120', idempotencyKey: key };
      const [r] = await run<{ requestOtp: { order: { orderCode: string } } }>(client, REQUEST_OTP, {
        input,
      });
      return r!.data!.requestOtp.order.orderCode;
    };
    const overHttp = async (clientId: string, phone: string, key: string) => {
      const input = { phone, packageCode: 'C120', idempotencyKey: key };
      const r = await t.graphql<{
        requestOtp: { __typename: string; order?: { orderCode: string } };
      }>(REQUEST_OTP, { input }, { 'x-client-id': clientId });
      return r.data!.requestOtp;
    };

    const byParams = connect({
      connectionParams: { 'x-client-id': 'shop-ws' },
      headers: { 'x-client-id': 'shop-header' },
    });
    const key1 = randomUUID();
    const code1 = await sale(byParams.client, '0936000312', key1);
    expect((await overHttp('shop-ws', '0936000312', key1)).order?.orderCode).toBe(code1);

    const byHeader = connect({ headers: { 'x-client-id': 'shop-header' } });
    const key2 = randomUUID();
    const code2 = await sale(byHeader.client, '0936000313', key2);
    expect((await overHttp('shop-header', '0936000313', key2)).order?.orderCode).toBe(code2);
    // Another client with the same key: not a replay (the phone's OTP is already open).
    expect((await overHttp('shop-other', '0936000313', key2)).__typename).toBe('OtpAlreadySent');

    const invalid = connect({ connectionParams: { 'x-client-id': 'no spaces allowed' } });
    const key3 = randomUUID();
    const code3 = await sale(invalid.client, '0936000314', key3);
    expect((await overHttp('anonymous', '0936000314', key3)).order?.orderCode).toBe(code3);
  });
});

describe('shutdown over WebSocket', () => {
  it('ends the live streams, closes the sockets with 1001 and closes the server', async () => {
    const own = await startTestGateway();
    const ownUrl = await own.gateway.listen();
    const { order } = await sales(own).requestOtp('0936000315', 'C120');
    const { client, closes } = wsClient(ownUrl);
    const seen: string[] = [];
    let completed = false;
    client.subscribe<{ orderUpdated: { status: string } }>(
      { query: ORDER_UPDATED, variables: { c: order!.orderCode } },
      {
        next: (r) => seen.push(r.data!.orderUpdated.status),
        error: () => {},
        complete: () => {
          completed = true;
        },
      },
    );
    await expect.poll(() => seen).toEqual(['OTP_SENT']);

    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(completed).toBe(true);
    await expect.poll(() => closes).toEqual([1001]);
    expect(own.gateway.server.listening).toBe(false);
    await client.dispose();
  });
});

describe('WebSocket upgrades from browsers', () => {
  it('accepts only the origins of CORS_ORIGINS (and clients that send none)', async () => {
    const g = await startTestGateway({ CORS_ORIGINS: 'https://shop.example.vn' });
    const wsUrl = (await g.gateway.listen()).replace(/^http/, 'ws');
    const open = (origin?: string) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(wsUrl, 'graphql-transport-ws', {
          headers: origin ? { origin } : {},
        });
        socket.on('open', () => {
          socket.close();
          resolve('open');
        });
        socket.on('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
        socket.on('error', () => {});
      });
    try {
      expect(await open('https://evil.example')).toBe('refused 401');
      expect(await open('https://shop.example.vn')).toBe('open');
      expect(await open()).toBe('open');
    } finally {
      await g.close();
    }
  });
});
