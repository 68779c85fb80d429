import { randomUUID } from 'node:crypto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { FormattedExecutionResult } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { sales } from '../helpers/sales.js';
import {
  childrenOf,
  only,
  parentIdOf,
  recordedText,
  spanIdOf,
  startTracedGateway,
  type TracedGateway,
  traceIdOf,
  traceOf,
} from '../helpers/spans.js';

/**
 * Subscriptions traced: the setup is the operation's span, each payload sent a delivery span
 * beneath it, and the stream's end one more; over SSE and over WebSocket, each continuing the
 * caller's `traceparent` (for WebSocket, the upgrade request's).
 */

const ORDER_UPDATED =
  'subscription ($c: String!) { orderUpdated(code: $c) { status events { status } } }';

let t: TracedGateway;
let url: string;
beforeAll(async () => {
  t = await startTracedGateway();
  url = await t.gateway.listen();
});
afterAll(async () => {
  await t.close();
});

const traceparent = () => {
  const traceId = randomUUID().replaceAll('-', '');
  const spanId = traceId.slice(0, 16);
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
};

/** Reads an SSE response to its end: the event ids and statuses it carried. */
async function readStream(res: Response, onFirst: () => Promise<void>) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const ids: string[] = [];
  const statuses: string[] = [];
  let buffer = '';
  let started = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { ids, statuses };
    buffer += decoder.decode(value, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (!data || !block.includes('event: next')) continue;
      const payload = JSON.parse(data.slice(6));
      ids.push(payload.extensions.eventId);
      statuses.push(payload.data.orderUpdated.status);
      if (!started) {
        started = true;
        await onFirst();
      }
    }
  }
}

/** The setup span of a stream, its deliveries (in order) and its end, once it has ended. */
async function streamSpans(traceId: string) {
  const end = await vi.waitFor(() => only(traceOf(t.spans(), traceId), 'graphql.subscription.end'));
  const spans = traceOf(t.spans(), traceId);
  const setup = only(spans, 'subscription');
  const deliveries = spans
    .filter((s) => s.name === 'graphql.subscription.delivery')
    .sort(
      (a, b) =>
        Number(a.attributes['graphql.subscription.delivery']) -
        Number(b.attributes['graphql.subscription.delivery']),
    );
  return { spans, setup, deliveries, end };
}

function expectStream(
  stream: { setup: ReadableSpan; deliveries: ReadableSpan[]; end: ReadableSpan },
  eventIds: string[],
) {
  expect(stream.setup.attributes).toMatchObject({
    'graphql.operation.type': 'subscription',
    'graphql.operation.root_fields': ['orderUpdated'],
    'gateway.client.id': 'pos-streams',
    'gateway.outcome': 'OK',
  });
  expect(stream.deliveries.map((d) => d.attributes)).toEqual(
    eventIds.map((id, i) => ({
      'graphql.field': 'Subscription.orderUpdated',
      'graphql.subscription.delivery': i + 1,
      'graphql.subscription.event_id': id,
      'gateway.outcome': 'OK',
    })),
  );
  expect(stream.end.attributes).toMatchObject({
    'graphql.subscription.deliveries': eventIds.length,
  });
  for (const span of [...stream.deliveries, stream.end]) {
    expect(parentIdOf(span)).toBe(spanIdOf(stream.setup));
  }
}

describe('a subscription over SSE', () => {
  it('is traced: setup, each delivery, the end, in the caller’s trace', async () => {
    const s = sales(t, 'pos-streams');
    const otp = await s.requestOtp('0936004441', 'C120');
    const caller = traceparent();
    const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'x-client-id': 'pos-streams',
        traceparent: caller.header,
      },
      body: JSON.stringify({ query: ORDER_UPDATED, variables: { c: otp.order!.orderCode } }),
    });
    // The order now, then (once registered) each change until its final state ends the stream.
    const got = await readStream(res, async () => {
      await s.register(otp.order!.orderCode, '123456');
    });
    expect(got.statuses.at(-1)).toBe('REGISTERED');

    const stream = await streamSpans(caller.traceId);
    expect(parentIdOf(stream.setup)).toBe(caller.spanId);
    expectStream(stream, got.ids);
    expect(recordedText(stream.spans)).not.toContain('0936004441');
  });
});

describe('over WebSocket', () => {
  function connect(headers: Record<string, string>) {
    return createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers });
        }
      },
      connectionParams: { 'x-client-id': 'pos-streams' },
      retryAttempts: 0,
    });
  }
  function run(client: ReturnType<typeof connect>, query: string, c?: string, onNext = () => {}) {
    return new Promise<FormattedExecutionResult<Record<string, unknown>, unknown>[]>(
      (resolve, reject) => {
        const results: FormattedExecutionResult<Record<string, unknown>, unknown>[] = [];
        client.subscribe(
          { query, variables: c ? { c } : {} },
          {
            next: (r) => {
              results.push(r);
              if (results.length === 1) onNext();
            },
            error: reject,
            complete: () => resolve(results),
          },
        );
      },
    );
  }

  it('traces each operation, continuing the upgrade request’s traceparent', async () => {
    const caller = traceparent();
    const client = connect({ traceparent: caller.header });
    try {
      const s = sales(t, 'pos-streams');
      const otp = await s.requestOtp('0936004442', 'C120');
      const results = await run(client, ORDER_UPDATED, otp.order!.orderCode, () => {
        void s.register(otp.order!.orderCode, '123456');
      });
      expect(
        (results.at(-1)!.data as { orderUpdated: { status: string } }).orderUpdated.status,
      ).toBe('REGISTERED');
      const stream = await streamSpans(caller.traceId);
      expect(parentIdOf(stream.setup)).toBe(caller.spanId);
      expectStream(
        stream,
        results.map((r) => (r.extensions as { eventId: string }).eventId),
      );

      // A query's error over the socket carries its own operation's trace id.
      const before = t.spans().length;
      const [answer] = await run(client, '{ subscriber(phone: "x") { telco } }');
      const query = only(t.spans().slice(before), 'query');
      expect(traceIdOf(query)).toBe(caller.traceId);
      expect(query.attributes['gateway.outcome']).toBe('INVALID_PHONE_NUMBER');
      expect(answer!.errors![0]!.extensions).toMatchObject({ traceId: caller.traceId });
      expect(childrenOf(t.spans(), query).map((c) => c.name)).toEqual([
        'graphql.resolve Query.subscriber',
      ]);
    } finally {
      await client.dispose();
    }
  });
});
