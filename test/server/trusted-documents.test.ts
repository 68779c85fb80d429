import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MANIFEST, readManifest } from '../../src/server/trusted-documents.js';
import { ClientStore } from '../../src/store/clients.js';
import { createDmallSimulator } from '../../src/vendors/dmall/simulator.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * Trusted documents on: a client without `explore` runs only the published operations (the
 * manifest codegen writes for `operations/`), by hash; `explore` may still send its own.
 */

const SECRET = 'trusted-docs-secret-of-32-characters!!';
const sim = createDmallSimulator({ apiKey: 'td-dmall-key' });
let t: TestGateway;
let shopKey: string;
let exploreKey: string;
const manifest = readManifest(DEFAULT_MANIFEST);
const [subscriberHash, subscriberDoc] = [...manifest].find(([, d]) =>
  d.startsWith('query Subscriber'),
)!;

beforeAll(async () => {
  t = await startTestGateway({
    DMALL_BASE_URL: await sim.listen(),
    DMALL_API_KEY: 'td-dmall-key',
    GATEWAY_SECRET: SECRET,
    TRUSTED_DOCUMENTS: 'true',
  });
  const clients = new ClientStore(t.gateway.db, SECRET);
  shopKey = (await clients.create('shop-app', ['sales'])).key;
  exploreKey = (await clients.create('developer', ['sales', 'explore'])).key;
});
afterAll(async () => {
  await t.close();
  await sim.close();
});

async function post(key: string | null, body: unknown) {
  const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
const byHash = (hash: string, variables = {}) => ({
  variables,
  extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
});

describe('trusted documents', () => {
  it('publishes every operation of operations/, keyed by the SHA-256 of its text', () => {
    expect(manifest.size).toBeGreaterThanOrEqual(5);
    expect(createHash('sha256').update(subscriberDoc).digest('hex')).toBe(subscriberHash);
  });

  it('runs a published operation by its hash', async () => {
    expect(await post(shopKey, byHash(subscriberHash, { phone: '0936004420' }))).toMatchObject({
      status: 200,
      body: { data: { subscriber: { telco: 'MOBIFONE' } } },
    });
    expect(await post(shopKey, byHash(`sha256:${subscriberHash}`))).toMatchObject({ status: 200 });
  });

  it('refuses a document of its own, or an unknown hash, from a client without explore', async () => {
    expect(await post(shopKey, { query: '{ subscriber(phone: "0936004420") { telco } }' })).toEqual(
      {
        status: 403,
        body: {
          errors: [expect.objectContaining({ extensions: { code: 'PERSISTED_QUERY_ONLY' } })],
        },
      },
    );
    expect(await post(shopKey, byHash('0'.repeat(64)))).toEqual({
      status: 400,
      body: {
        errors: [expect.objectContaining({ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } })],
      },
    });
  });

  it('lets a client with explore send its own documents', async () => {
    expect(
      await post(exploreKey, { query: '{ subscriber(phone: "0936004420") { telco } }' }),
    ).toMatchObject({ status: 200, body: { data: { subscriber: { telco: 'MOBIFONE' } } } });
  });

  it('answers a published catalogue query by GET with Cache-Control and an ETag, and 304 after', async () => {
    const [hash] = [...manifest].find(([, d]) => /^query \w+[^{]*\{\s*packages\(/.test(d))!;
    const params = new URLSearchParams({
      extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }),
    });
    const get = (headers: Record<string, string> = {}) =>
      t.gateway.yoga.fetch(`http://gateway.test/graphql?${params}`, {
        // A GET carries the CSRF header browsers cannot send cross-site without a preflight.
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${shopKey}`,
          'x-graphql-yoga-csrf': '1',
          ...headers,
        },
      });
    const res = await get();
    expect(res.status).toBe(200);
    expect((await res.json()).data.packages.length).toBeGreaterThan(0);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const etag = res.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect((await get({ 'if-none-match': etag })).status).toBe(304);
  });

  it('checks the key before the document: no key or a bad key is 401, whatever is sent', async () => {
    const unauthenticated = {
      status: 401,
      body: { errors: [expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })] },
    };
    const freeForm = { query: '{ subscriber(phone: "0936004420") { telco } }' };
    for (const key of [null, 'not-a-key', `${shopKey}x`]) {
      expect(await post(key, freeForm)).toEqual(unauthenticated);
      expect(await post(key, byHash('0'.repeat(64)))).toEqual(unauthenticated);
      expect(await post(key, byHash(subscriberHash, { phone: '0936004420' }))).toEqual(
        unauthenticated,
      );
    }
  });
});
