import { vi } from 'vitest';
import type { TestGateway } from '../../helpers/gateway.js';

/**
 * POSTs a raw body through `yoga.fetch`: a string, or a stream (sent chunked, of no declared
 * length). Like `TestGateway.graphql`, it asks for English messages unless `headers` says otherwise.
 */
export function postBody(
  t: TestGateway,
  body: string | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return Promise.resolve(
    t.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'en', ...headers },
      body,
      ...(typeof body === 'string' ? {} : { duplex: 'half' }),
    } as RequestInit),
  );
}

/** Counts the calls into the order ledger (its lists and counts): a refused request makes none. */
export function orderReads(t: TestGateway): () => number {
  const list = vi.spyOn(t.gateway.orders, 'list');
  const count = vi.spyOn(t.gateway.orders, 'count');
  return () => list.mock.calls.length + count.mock.calls.length;
}
