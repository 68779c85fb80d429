import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { orderReads, postBody } from './helpers.js';

/** POST bodies: JSON only, read up to `MAX_REQUEST_BODY_BYTES`, parsed with a fixed message. */

let t: TestGateway;
let resolverCalls: () => number;
beforeAll(async () => {
  t = await startTestGateway();
  resolverCalls = orderReads(t);
});
afterAll(async () => {
  await t.close();
});

describe('request bodies', () => {
  it('refuses a 20 MB streamed body with 413 after reading at most the cap', async () => {
    const max = t.config.limits.maxBodyBytes;
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= 20 * 1024 * 1024) return controller.close();
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const before = resolverCalls();
    const res = await postBody(t, stream);
    expect(res.status).toBe(413);
    expect(
      ((await res.json()) as { errors: Array<{ extensions: object }> }).errors[0]!.extensions,
    ).toMatchObject({
      code: 'REQUEST_TOO_LARGE',
    });
    expect(pulled).toBeLessThan(max + 4 * chunk.byteLength);
    expect(resolverCalls()).toBe(before);
  });

  it('answers 413 to a declared 20 MB body over HTTP without waiting for it', async () => {
    const url = new URL(await t.gateway.listen());
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(20 * 1024 * 1024) },
      });
      req.on('response', (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        req.destroy();
      });
      req.on('error', reject);
      req.write('{"query":"');
    });
    expect(status).toBe(413);
  });

  it('answers a malformed JSON body with a fixed message', async () => {
    const res = await postBody(t, '{"query": "{ packages { code } }"');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: [{ message: 'POST body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('refuses a POST that is not JSON with 415, even with the CSRF header', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', '']) {
      const res = await postBody(t, JSON.stringify({ query: '{ packages { code } }' }), {
        'content-type': type,
        'x-client-id': 'shop',
      });
      expect(res.status, type).toBe(415);
      expect(await res.json()).toEqual({
        errors: [
          {
            message: 'POST bodies must be JSON (content-type: application/json).',
            extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' },
          },
        ],
      });
    }
  });

  it('answers a JSON body that is not an object with a fixed message', async () => {
    for (const body of ['null', '42', '"{ packages { code } }"']) {
      const res = await postBody(t, body);
      expect(res.status, body).toBe(400);
      expect(await res.json()).toEqual({
        errors: [
          { message: 'POST body must be a JSON object.', extensions: { code: 'BAD_REQUEST' } },
        ],
      });
    }
  });

  it('reads JSON in either media type, declared or streamed under the cap', async () => {
    const query = JSON.stringify({ query: '{ packages(telco: MOBIFONE) { code } }' });
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(query));
        controller.close();
      },
    });
    for (const res of [
      await postBody(t, query, { 'content-type': 'application/json; charset=utf-8' }),
      await postBody(t, query, { 'content-type': 'application/graphql+json' }),
      await postBody(t, streamed),
    ]) {
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ data: { packages: expect.any(Array) } });
    }
  });
});
