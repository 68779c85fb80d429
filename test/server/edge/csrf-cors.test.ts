import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { dmallSim } from '../../helpers/sales.js';

/** What another web page can make a visitor's browser do: nothing. */

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ CORS_ORIGINS: 'https://shop.example.vn,https://pos.example.vn' });
});
afterAll(async () => {
  await t.close();
});

const MUTATION =
  'mutation { requestOtp(input: { phone: "0936004420", packageCode: "C120", idempotencyKey: "csrf-test-0001" }) { __typename } }';
const fetchGraphql = (init: RequestInit, query = '') =>
  t.gateway.yoga.fetch(`http://gateway.test/graphql${query}`, init);

describe('CSRF', () => {
  it('refuses form-encoded and multipart POSTs, with or without a header, and changes nothing', async () => {
    const { otpCalls } = dmallSim(t);
    const multipart = new FormData();
    multipart.set('operations', JSON.stringify({ query: MUTATION }));
    multipart.set('map', '{}');
    const attempts: RequestInit[] = [
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: MUTATION }).toString(),
      },
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-client-id': 'shop' },
        body: new URLSearchParams({ query: MUTATION }).toString(),
      },
      { method: 'POST', body: multipart },
      { method: 'POST', headers: { 'x-client-id': 'shop' }, body: multipart },
      {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ query: MUTATION }),
      },
    ];
    for (const init of attempts) {
      const res = await fetchGraphql(init);
      expect([403, 415]).toContain(res.status);
      const body = (await res.json()) as { data?: unknown; errors: unknown[] };
      expect(body.data).toBeUndefined();
      expect(body.errors).toHaveLength(1);
    }
    expect(otpCalls()).toBe(0);
    expect(await t.gateway.orders.count({})).toBe(0);
  });

  it('refuses a GET without a custom header and serves one with it', async () => {
    const query = `?query=${encodeURIComponent('{ packages(telco: MOBIFONE) { code } }')}`;
    const bare = await fetchGraphql(
      { method: 'GET', headers: { accept: 'application/json' } },
      query,
    );
    expect(bare.status).toBe(403);
    const withHeader = await fetchGraphql(
      { method: 'GET', headers: { accept: 'application/json', 'x-client-id': 'graphiql' } },
      query,
    );
    expect(withHeader.status).toBe(200);
  });

  it('serves a JSON POST, which a browser can only send cross-origin after a preflight', async () => {
    const res = await t.graphql('{ packages(telco: MOBIFONE) { code } }');
    expect(res.errors).toBeUndefined();
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    fetchGraphql({
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-client-id',
      },
    });

  it('allows a listed origin, without credentials', async () => {
    const res = await preflight('https://pos.example.vn');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://pos.example.vn');
    expect(res.headers.get('access-control-allow-headers')).toContain('x-client-id');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    const post = await fetchGraphql({
      method: 'POST',
      headers: { origin: 'https://shop.example.vn', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ packages { code } }' }),
    });
    expect(post.headers.get('access-control-allow-origin')).toBe('https://shop.example.vn');
  });

  it('lets a front end send its key: authorization allowed, the preflight kept 600 s, varied by origin', async () => {
    const res = await fetchGraphql({
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example.vn',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example.vn');
    expect(res.headers.get('access-control-allow-headers')).toBe(
      'authorization, content-type, accept, x-graphql-yoga-csrf, x-client-id',
    );
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('vary')).toBe('Origin');
    // A refused origin's answer differs too (no CORS headers): caches must key it by origin.
    const refused = await preflight('https://evil.example');
    expect(refused.headers.get('vary')).toBe('Origin');
    const post = await fetchGraphql({
      method: 'POST',
      headers: { origin: 'https://pos.example.vn', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ packages { code } }' }),
    });
    expect(post.headers.get('vary')).toContain('Origin');
  });

  it('gives any other origin no CORS header at all', async () => {
    for (const origin of ['https://evil.example', 'null', 'https://shop.example.vn.evil.example']) {
      const res = await preflight(origin);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('allows any origin without credentials by default outside production, none in production', async () => {
    const dev = await startTestGateway();
    const prod = await startTestGateway({ NODE_ENV: 'production', SANDBOX: 'true' });
    try {
      const req = () =>
        new Request('http://gateway.test/graphql', {
          method: 'OPTIONS',
          headers: { origin: 'https://anywhere.example', 'access-control-request-method': 'POST' },
        });
      const open = await dev.gateway.yoga.fetch(req());
      expect(open.headers.get('access-control-allow-origin')).not.toBeNull();
      expect(open.headers.get('access-control-allow-credentials')).toBeNull();
      const closed = await prod.gateway.yoga.fetch(req());
      expect(closed.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await dev.close();
      await prod.close();
    }
  });
});
