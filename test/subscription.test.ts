import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDatabase, TEST_DATABASE_URL } from './helpers/db.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { sales } from './helpers/sales.js';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL;

/** Opens `orderUpdated` over SSE and collects the statuses it streams. */
async function watch(
  t: TestGateway,
  orderCode: string,
  arg: 'code' | 'orderCode' = 'code',
  headers: Record<string, string> = {},
) {
  const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({
      query: `subscription ($c: String!) { orderUpdated(${arg}: $c) { orderCode status events { sequence status } } }`,
      variables: { c: orderCode },
    }),
  });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const statuses: string[] = [];
  const payloads: Array<{ status: string; events: Array<{ sequence: number; status: string }> }> =
    [];
  const errors: Array<{ message: string; extensions?: Record<string, unknown> }> = [];
  /** The SSE `id:` of each payload, and whether the stream said `complete`. */
  const ids: string[] = [];
  const extensionIds: unknown[] = [];
  let completed = false;
  let buffer = '';
  const pump = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (block.includes('event: complete')) completed = true;
        if (data && block.includes('event: next')) {
          const payload = JSON.parse(data.slice(6));
          const id = block.split('\n').find((l) => l.startsWith('id: '));
          if (id) ids.push(id.slice(4));
          extensionIds.push(payload.extensions?.eventId);
          if (payload.errors) errors.push(...payload.errors);
          if (payload.data?.orderUpdated) {
            statuses.push(payload.data.orderUpdated.status);
            payloads.push(payload.data.orderUpdated);
          }
        }
        end = buffer.indexOf('\n\n');
      }
    }
  })();
  return {
    statuses,
    payloads,
    errors,
    ids,
    extensionIds,
    get completed() {
      return completed;
    },
    async stop() {
      await reader.cancel();
      await pump.catch(() => {});
    },
  };
}

describe('Subscription.orderUpdated over SSE', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends the current state, then every change until the order settles', async () => {
    const s = sales(t);
    const { order } = await s.requestOtp('0936000301', 'C120');
    const w = await watch(t, order!.orderCode);
    await expect.poll(() => w.statuses).toEqual(['OTP_SENT']);
    await s.register(order!.orderCode, '123456');
    await expect.poll(() => w.statuses).toEqual(['OTP_SENT', 'REGISTERING', 'REGISTERED']);
    // Each payload is read afresh: the last one carries the whole history, not the first's.
    expect(w.payloads.map((p) => p.events.map((e) => e.status))).toEqual([
      ['PENDING', 'OTP_SENT'],
      ['PENDING', 'OTP_SENT', 'REGISTERING'],
      ['PENDING', 'OTP_SENT', 'REGISTERING', 'REGISTERED'],
    ]);
    expect(w.payloads[2]!.events.map((e) => e.sequence)).toEqual([1, 2, 3, 4]);
    // REGISTERED is final: the stream completes after sending it.
    await expect.poll(() => w.completed).toBe(true);
    // Each payload's event id is its latest ledger event's sequence, as SSE `id:` and in extensions.
    expect(w.ids).toEqual(['2', '3', '4']);
    expect(w.extensionIds).toEqual(['2', '3', '4']);
    await w.stop();
  });

  it('resumes with Last-Event-ID: what changed while away once, then completes at the final state', async () => {
    const s = sales(t);
    const { order } = await s.requestOtp('0936000304', 'C120');
    const first = await watch(t, order!.orderCode);
    await expect.poll(() => first.ids).toEqual(['2']);
    await first.stop();
    // Away: the order is registered.
    await s.register(order!.orderCode, '123456');
    const back = await watch(t, order!.orderCode, 'code', { 'last-event-id': '2' });
    await expect.poll(() => back.completed).toBe(true);
    // The state now, once (its events hold the two missed changes), then the end.
    expect(back.statuses).toEqual(['REGISTERED']);
    expect(back.ids).toEqual(['4']);
    expect(back.payloads[0]!.events.map((e) => e.status).slice(2)).toEqual([
      'REGISTERING',
      'REGISTERED',
    ]);
    await back.stop();

    // Resuming after the final event: nothing more will come, the stream completes empty.
    const done = await watch(t, order!.orderCode, 'code', { 'last-event-id': '4' });
    await expect.poll(() => done.completed).toBe(true);
    expect(done.statuses).toEqual([]);
    await done.stop();
  });

  it('takes `after:` as Last-Event-ID, and refuses a malformed one with INVALID_INPUT', async () => {
    const { order } = await sales(t).requestOtp('0936000305', 'C120');
    const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({
        query: 'subscription ($c: String!) { orderUpdated(code: $c, after: "nope") { status } }',
        variables: { c: order!.orderCode },
      }),
    });
    expect(await res.json()).toMatchObject({
      errors: [{ path: ['orderUpdated'], extensions: { code: 'INVALID_INPUT' } }],
    });
  });

  it('sends a final state once and completes when subscribed after it', async () => {
    const s = sales(t);
    const { order } = await s.requestOtp('0936000306', 'C120');
    await s.register(order!.orderCode, '123456');
    const w = await watch(t, order!.orderCode);
    await expect.poll(() => w.completed).toBe(true);
    expect(w.statuses).toEqual(['REGISTERED']);
    await w.stop();
  });

  it('ends with a typed ORDER_NOT_FOUND error for an unknown order', async () => {
    const w = await watch(t, 'DG-NOPE');
    await expect.poll(() => w.errors.length).toBe(1);
    expect(w.errors).toEqual([
      {
        // In the default language: this stream's request sends no Accept-Language.
        message: 'Không có đơn hàng DG-NOPE.',
        locations: [{ line: 1, column: 30 }],
        path: ['orderUpdated'],
        extensions: { code: 'ORDER_NOT_FOUND', typename: 'OrderNotFound' },
      },
    ]);
    expect(w.statuses).toEqual([]);
    await w.stop();
  });

  it('still takes the deprecated `orderCode` argument, and refuses neither with INVALID_INPUT', async () => {
    const { order } = await sales(t).requestOtp('0936000303', 'C120');
    const w = await watch(t, order!.orderCode, 'orderCode');
    await expect.poll(() => w.statuses).toEqual(['OTP_SENT']);
    await w.stop();
    const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: 'subscription { orderUpdated { status } }' }),
    });
    expect(await res.json()).toMatchObject({
      errors: [{ path: ['orderUpdated'], extensions: { code: 'INVALID_INPUT' } }],
    });
  });
});

describe.skipIf(!TEST_REDIS_URL || !TEST_DATABASE_URL)(
  'orderUpdated across instances through Redis',
  () => {
    it('reaches a subscriber on another gateway sharing the database and Redis', async () => {
      const db = postgresDatabase();
      await db.database.migrate();
      const env = { REDIS_URL: TEST_REDIS_URL!, DATABASE_URL: TEST_DATABASE_URL! };
      const a = await startTestGateway(env, db);
      const b = await startTestGateway(env, { database: db.database, dispose: async () => {} });
      try {
        const { order } = await sales(a).requestOtp('0936000302', 'C120');
        const w = await watch(b, order!.orderCode);
        await expect.poll(() => w.statuses).toEqual(['OTP_SENT']);
        // Registered through instance A (its own simulator knows the order), seen on instance B.
        await sales(a).register(order!.orderCode, '123456');
        await expect.poll(() => w.statuses).toEqual(['OTP_SENT', 'REGISTERING', 'REGISTERED']);
        await w.stop();

        // A phone that dropped after the first event and comes back to the other instance,
        // while the change was made through the first: it gets what it missed, once.
        const second = await sales(a).requestOtp('0936000307', 'C120');
        const code = second.order!.orderCode;
        const away = await watch(b, code);
        await expect.poll(() => away.ids).toEqual(['2']);
        await away.stop();
        await sales(a).register(code, '123456');
        const back = await watch(a, code, 'code', { 'last-event-id': '2' });
        await expect.poll(() => back.completed).toBe(true);
        expect(back.statuses).toEqual(['REGISTERED']);
        await back.stop();
      } finally {
        await b.close();
        await a.close();
      }
    });
  },
);

if (!TEST_REDIS_URL || !TEST_DATABASE_URL) {
  console.warn('orderUpdated through Redis: skipped (TEST_REDIS_URL or TEST_DATABASE_URL unset)');
}
