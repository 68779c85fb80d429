import { randomUUID } from 'node:crypto';
import type { FormattedExecutionResult } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ClientStore } from '../../src/store/clients.js';
import { createDmallSimulator } from '../../src/vendors/dmall/simulator.js';
import { sqliteDatabase } from '../helpers/db.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { REQUEST_OTP } from '../helpers/sales.js';

/**
 * Open streams while access changes: real servers on port 0, real SSE (fetch) and WebSocket
 * (graphql-ws) clients. A real vendor (dmall, a simulator the gateway does not own) makes keys
 * required. Keys are re-checked every 100 ms here; the tests wait for the events, not the time.
 */

const SECRET = 'streams-test-secret-of-32-characters!!';
const DMALL_KEY = 'streams-dmall-key';
const REDIS_URL = process.env.TEST_REDIS_URL;
const sim = createDmallSimulator({ apiKey: DMALL_KEY });
let simUrl: string;
const ORDER_UPDATED = 'subscription ($c: String!) { orderUpdated(code: $c) { orderCode status } }';

type Payload = FormattedExecutionResult<{ orderUpdated?: { status: string } }>;
const codes = (payloads: Payload[]) =>
  payloads.flatMap((p) => (p.errors ?? []).map((e) => e.extensions?.code));

function gateway(env: Record<string, string> = {}, database = sqliteDatabase()) {
  return startTestGateway(
    {
      DMALL_BASE_URL: simUrl,
      DMALL_API_KEY: DMALL_KEY,
      GATEWAY_SECRET: SECRET,
      API_KEY_CACHE_MS: '100',
      CLIENT_MAX_SUBSCRIPTIONS: '3',
      ...env,
    },
    database,
  );
}

let phones = 0;
/** An order of the key's client (so it may stream it), on a phone no other test uses. */
async function order(url: string, key: string): Promise<string> {
  const phone = `0936001${String(500 + phones++).padStart(3, '0')}`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({
      query: REQUEST_OTP,
      variables: { input: { phone, packageCode: 'C120', idempotencyKey: randomUUID() } },
    }),
  });
  const body = (await res.json()) as {
    data: { requestOtp: { order: { orderCode: string } } };
  };
  return body.data.requestOtp.order.orderCode;
}

const opened: Array<() => unknown> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((close) => close()));
});

/** `orderUpdated` over SSE (a real HTTP request): its status, payloads, and whether it completed. */
async function sse(url: string, key: string, orderCode: string) {
  const abort = new AbortController();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${key}`,
    },
    body: JSON.stringify({ query: ORDER_UPDATED, variables: { c: orderCode } }),
    signal: abort.signal,
  });
  const stream = { status: res.status, payloads: [] as Payload[], completed: false };
  const pump = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith('event: complete')) stream.completed = true;
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data && block.startsWith('event: next'))
          stream.payloads.push(JSON.parse(data.slice(6)));
      }
    }
  })().catch(() => {});
  const close = async () => {
    abort.abort();
    await pump;
  };
  opened.push(close);
  return Object.assign(stream, { close });
}

/** A graphql-ws connection sending `key` in its connection payload. */
function socket(url: string, key?: string) {
  const state = { connected: false, closes: [] as number[] };
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    lazy: false,
    onNonLazyError: () => {},
    retryAttempts: 0,
    on: {
      connected: () => {
        state.connected = true;
      },
      closed: (event) => state.closes.push((event as { code: number }).code),
    },
  });
  opened.push(() => client.dispose());
  /** `orderUpdated` on this connection: its payloads, and whether it completed. */
  const subscribe = (orderCode: string) => {
    const sub = { payloads: [] as Payload[], completed: false, errored: false };
    const unsubscribe = client.subscribe<{ orderUpdated: { status: string } }>(
      { query: ORDER_UPDATED, variables: { c: orderCode } },
      {
        next: (r) => sub.payloads.push(r as Payload),
        error: () => {
          sub.errored = true;
        },
        complete: () => {
          sub.completed = true;
        },
      },
    );
    return Object.assign(sub, { unsubscribe });
  };
  return Object.assign(state, { subscribe });
}

const firstStatus = (payloads: Payload[]) => payloads[0]?.data?.orderUpdated?.status;

beforeAll(async () => {
  simUrl = await sim.listen();
});
afterAll(async () => {
  await sim.close();
});

describe('open streams when access ends', () => {
  let t: TestGateway;
  let url: string;
  let clients: ClientStore;
  beforeAll(async () => {
    t = await gateway();
    url = await t.gateway.listen();
    clients = new ClientStore(t.gateway.db, SECRET);
  });
  afterAll(async () => {
    await t.close();
  });

  it('a revoked key: its SSE and WebSocket streams end with UNAUTHENTICATED, its socket closes 4403', async () => {
    const { key } = await clients.create(`revoked-${randomUUID()}`, ['sales', 'ledger']);
    const other = await clients.create(`kept-${randomUUID()}`, ['sales', 'ledger']);
    const code = await order(url, key);
    const otherCode = await order(url, other.key);

    const overSse = await sse(url, key, code);
    const ws = socket(url, key);
    const overWs = ws.subscribe(code);
    const kept = await sse(url, other.key, otherCode);
    await expect.poll(() => firstStatus(overSse.payloads)).toBe('OTP_SENT');
    await expect.poll(() => firstStatus(overWs.payloads)).toBe('OTP_SENT');
    await expect.poll(() => firstStatus(kept.payloads)).toBe('OTP_SENT');

    expect(await clients.revokeKey(key.slice(4, 16))).toBe(true);
    await expect.poll(() => overSse.completed).toBe(true);
    expect(codes(overSse.payloads)).toEqual(['UNAUTHENTICATED']);
    await expect.poll(() => ws.closes).toEqual([4403]);
    expect(codes(overWs.payloads)).toEqual(['UNAUTHENTICATED']);
    // Another client's stream runs on.
    expect(kept.completed).toBe(false);
    expect(codes(kept.payloads)).toEqual([]);
  });

  it('a disabled client: the streams of each of its keys end the same way', async () => {
    const name = `disabled-${randomUUID()}`;
    const { key } = await clients.create(name, ['sales', 'ledger']);
    const second = (await clients.addKey(name))!;
    const code = await order(url, key);

    const overSse = await sse(url, key, code);
    const ws = socket(url, second);
    const overWs = ws.subscribe(code);
    await expect.poll(() => firstStatus(overSse.payloads)).toBe('OTP_SENT');
    await expect.poll(() => firstStatus(overWs.payloads)).toBe('OTP_SENT');

    await clients.setDisabled(name, true);
    await expect.poll(() => overSse.completed).toBe(true);
    expect(codes(overSse.payloads)).toEqual(['UNAUTHENTICATED']);
    await expect.poll(() => ws.closes).toEqual([4403]);
    expect(codes(overWs.payloads)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses at connection_init a socket with no key, a bad key or a revoked key (4403)', async () => {
    const { key } = await clients.create(`refused-${randomUUID()}`, ['sales', 'ledger']);
    const revoked = (await clients.create(`refused-revoked-${randomUUID()}`, ['ledger'])).key;
    await clients.revokeKey(revoked.slice(4, 16));

    const accepted = socket(url, key);
    await expect.poll(() => accepted.connected).toBe(true);
    for (const [reason, bad] of [
      ['none', undefined],
      ['malformed', 'not-a-key'],
      ['unknown', `tgw_AAAAAAAAAAAA.${'A'.repeat(43)}`],
      ['revoked', revoked],
    ] as const) {
      const refused = socket(url, bad);
      await expect.poll(() => refused.closes, { message: reason }).toEqual([4403]);
      expect(refused.connected, reason).toBe(false);
    }
  });
});

describe('CLIENT_MAX_SUBSCRIPTIONS', () => {
  let t: TestGateway;
  let url: string;
  let clients: ClientStore;
  beforeAll(async () => {
    t = await gateway();
    url = await t.gateway.listen();
    clients = new ClientStore(t.gateway.db, SECRET);
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses the 4th open subscription (SSE 429 or WebSocket) with TOO_MANY_SUBSCRIPTIONS, and takes one again once one ends', async () => {
    const { key } = await clients.create(`capped-${randomUUID()}`, ['sales', 'ledger']);
    const other = await clients.create(`uncapped-${randomUUID()}`, ['sales', 'ledger']);
    const code = await order(url, key);
    const ws = socket(url, key);

    const first = await sse(url, key, code);
    const second = ws.subscribe(code);
    const third = ws.subscribe(code);
    await expect.poll(() => firstStatus(first.payloads)).toBe('OTP_SENT');
    await expect.poll(() => firstStatus(second.payloads)).toBe('OTP_SENT');
    await expect.poll(() => firstStatus(third.payloads)).toBe('OTP_SENT');

    const overSse = await sse(url, key, code);
    expect(overSse.status).toBe(429);
    await expect.poll(() => overSse.completed).toBe(true);
    expect(overSse.payloads).toEqual([
      {
        errors: [
          {
            // In the default language: this stream's request sends no Accept-Language.
            message:
              'Client này đang giữ 3 subscription đang mở (CLIENT_MAX_SUBSCRIPTIONS); hãy đóng bớt một subscription trước khi mở thêm.',
            extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 3 },
          },
        ],
      },
    ]);
    const overWs = ws.subscribe(code);
    await expect.poll(() => overWs.completed).toBe(true);
    expect(codes(overWs.payloads)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
    // The cap is per client.
    const others = await sse(url, other.key, await order(url, other.key));
    expect(others.status).toBe(200);

    // The client leaves an SSE stream: its slot is free again.
    await first.close();
    const again = async () => {
      const s = await sse(url, key, code);
      if (s.status !== 200) await s.close();
      return s.status;
    };
    await expect.poll(again).toBe(200);
    expect(await again()).toBe(429);
    // And a WebSocket subscription it completes.
    second.unsubscribe();
    const onSocket = async () => {
      const s = ws.subscribe(code);
      await expect.poll(() => s.payloads.length).toBeGreaterThan(0);
      return codes(s.payloads);
    };
    await expect.poll(onSocket).toEqual([]);
    expect(await onSocket()).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
  });

  it('gives the slots of streams ended by revocation back', async () => {
    const name = `capped-revoked-${randomUUID()}`;
    const { key } = await clients.create(name, ['sales', 'ledger']);
    const fresh = (await clients.addKey(name))!;
    const code = await order(url, key);
    const streams = [await sse(url, key, code), await sse(url, key, code)];
    const ws = socket(url, key);
    const sub = ws.subscribe(code);
    await expect.poll(() => firstStatus(sub.payloads)).toBe('OTP_SENT');
    expect((await sse(url, fresh, code)).status).toBe(429);

    await clients.revokeKey(key.slice(4, 16));
    await expect.poll(() => streams.every((s) => s.completed)).toBe(true);
    await expect.poll(() => ws.closes).toEqual([4403]);
    const kept = [await sse(url, fresh, code), await sse(url, fresh, code)];
    kept.push(await sse(url, fresh, code));
    expect(kept.map((s) => s.status)).toEqual([200, 200, 200]);
  });
});

describe.skipIf(!REDIS_URL)('CLIENT_MAX_SUBSCRIPTIONS across instances sharing Redis', () => {
  it('counts the subscriptions of both instances, and frees a slot closed on either', async () => {
    const database = sqliteDatabase();
    const a = await gateway({ REDIS_URL: REDIS_URL! }, database);
    const b = await gateway({ REDIS_URL: REDIS_URL! }, database);
    try {
      const [urlA, urlB] = [await a.gateway.listen(), await b.gateway.listen()];
      const clients = new ClientStore(database.database, SECRET);
      const { key } = await clients.create(`shared-${randomUUID()}`, ['sales', 'ledger']);
      const code = await order(urlA, key);

      const onA = await sse(urlA, key, code);
      const wsA = socket(urlA, key);
      const subA = wsA.subscribe(code);
      const wsB = socket(urlB, key);
      const subB = wsB.subscribe(code);
      for (const s of [onA, subA, subB]) {
        await expect.poll(() => firstStatus(s.payloads)).toBe('OTP_SENT');
      }
      expect((await sse(urlB, key, code)).status).toBe(429);
      const refusedOnA = wsA.subscribe(code);
      await expect.poll(() => refusedOnA.completed).toBe(true);
      expect(codes(refusedOnA.payloads)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);

      await onA.close();
      const onB = async () => {
        const s = await sse(urlB, key, code);
        if (s.status !== 200) await s.close();
        return s.status;
      };
      await expect.poll(onB).toBe(200);

      // Revoked on the shared key store: the streams of both instances end.
      await clients.revokeKey(key.slice(4, 16));
      await expect.poll(() => [...wsA.closes, ...wsB.closes]).toEqual([4403, 4403]);
      expect(codes(subA.payloads)).toEqual(['UNAUTHENTICATED']);
      expect(codes(subB.payloads)).toEqual(['UNAUTHENTICATED']);
    } finally {
      await Promise.all(opened.splice(0).map((close) => close()));
      await a.gateway.close();
      await b.close();
    }
  });
});
if (!REDIS_URL) {
  console.warn('streams across instances: skipped (TEST_REDIS_URL unset)');
}
