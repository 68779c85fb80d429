import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogEligibility, type EligibilityProvider } from '../../src/domain/eligibility.js';
import type { PhoneNumber } from '../../src/domain/phone.js';
import { dmallSells } from '../../src/vendors/dmall/index.js';
import type { VascloudSimulator } from '../../src/vendors/vascloud/simulator.js';
import { CHECK_PATH } from '../../src/vendors/vascloud/wire.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * The cacheable catalogue (README "Caching"): hinted queries carry Cache-Control and an ETag on
 * GET and revalidate to 304; their answers are kept server-side (per scopes when PUBLIC, per
 * client when PRIVATE) until their max-age on the gateway's clock; a kept answer is served,
 * marked stale, while the vendor's circuit is open.
 */

/** The catalogue rule, counting how often it is asked. */
class CountingEligibility implements EligibilityProvider {
  calls = 0;
  private readonly inner = new CatalogEligibility(dmallSells);
  eligiblePackages(p: PhoneNumber) {
    this.calls++;
    return this.inner.eligiblePackages(p);
  }
}

let t: TestGateway;
let url: string;
let sim: VascloudSimulator;
let clock = new Date('2026-12-04T08:00:00Z').getTime();
const eligibility = new CountingEligibility();

beforeAll(async () => {
  t = await startTestGateway(
    {
      VENDOR_BREAKER_FAILURES: '1',
      VENDOR_READ_RETRIES: '0',
      VENDOR_BREAKER_HALF_OPEN_MS: '600000',
    },
    undefined,
    { now: () => new Date(clock), eligibility },
  );
  url = await t.gateway.listen();
  sim = t.gateway.sandbox.simulators.vascloud as VascloudSimulator;
});

afterAll(async () => {
  await t?.close();
});

const get = (query: string, headers: Record<string, string> = {}) =>
  fetch(`${url}?${new URLSearchParams({ query })}`, {
    headers: { accept: 'application/json', 'x-client-id': 'cache-test', ...headers },
  });

describe('HTTP caching of catalogue GETs', () => {
  const CATALOGUE = '{ packages(telco: MOBIFONE) { id code price } }';

  it('answers with Cache-Control, an ETag and Vary, and 304 to a matching If-None-Match', async () => {
    const res = await get(CATALOGUE);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(res.headers.get('vary')).toMatch(/Authorization/);
    const body = await res.json();
    expect(body.data.packages).toHaveLength(3);

    const again = await get(CATALOGUE, { 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const changed = await get(CATALOGUE, { 'if-none-match': '"something-else"' });
    expect(changed.status).toBe(200);
  });

  it('says nothing cacheable about a query with a field that has no hint', async () => {
    const res = await get('{ packages { code } orders(first: 1) { totalCount } }');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control') ?? '').not.toMatch(/max-age=[1-9]/);
    expect(res.headers.get('etag')).toBeNull();
  });
});

describe('the server-side answer cache', () => {
  const ELIGIBLE = '{ subscriber(phone: "0936004420") { telco eligiblePackages { code } } }';

  it('answers a hinted query from a kept answer until its max-age, for any caller with the same scopes', async () => {
    const before = eligibility.calls;
    const first = await t.graphql(ELIGIBLE, {}, { 'x-client-id': 'counter-1' });
    expect(first.errors).toBeUndefined();
    expect(eligibility.calls).toBe(before + 1);
    const second = await t.graphql(ELIGIBLE, {}, { 'x-client-id': 'counter-2' });
    expect(second).toEqual(first);
    expect(eligibility.calls).toBe(before + 1);
    clock += 301_000;
    const third = await t.graphql(ELIGIBLE, {}, { 'x-client-id': 'counter-1' });
    expect(third).toEqual(first);
    expect(eligibility.calls).toBe(before + 2);
  });

  it('serves the last VAS check, marked stale, while the SDP circuit is open (to the same client only)', async () => {
    const CHECK = `query ($phone: String!) { subscriber(phone: $phone) {
      vasSubscription(serviceId: "1000161", packageId: "1003013") { id active errorId } } }`;
    const mine = { 'x-client-id': 'stale-shop' };
    const checks = () => sim.callsTo(CHECK_PATH).length;

    const fresh = await t.graphql(CHECK, { phone: '0912300001' }, mine);
    expect(fresh.errors).toBeUndefined();
    expect(fresh).not.toHaveProperty('extensions.stale');
    // PRIVATE with max-age 0: asked anew every time while the SDP answers.
    const n = checks();
    await t.graphql(CHECK, { phone: '0912300001' }, mine);
    expect(checks()).toBe(n + 1);

    // One failure (0000002 answers 503) opens the circuit (VENDOR_BREAKER_FAILURES=1).
    const broken = await t.graphql(CHECK, { phone: '0910000002' }, mine);
    expect(broken.errors?.[0]?.extensions?.code).toBe('VAS_UNAVAILABLE');

    clock += 42_000;
    const stale = (await t.graphql(CHECK, { phone: '0912300001' }, mine)) as Record<
      string,
      unknown
    >;
    expect(stale).toMatchObject({
      data: fresh.data,
      extensions: { stale: { ageSeconds: 42, reason: 'VAS_UNAVAILABLE' } },
    });
    expect(stale).not.toHaveProperty('errors');

    // Another client never gets this client's answer.
    const other = await t.graphql(CHECK, { phone: '0912300001' }, { 'x-client-id': 'other-shop' });
    expect(other.errors?.[0]?.extensions?.code).toBe('VAS_UNAVAILABLE');
    expect(other).not.toHaveProperty('extensions.stale');
  });
});

const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
if (!TEST_REDIS_URL) console.warn('response cache in Redis: skipped (TEST_REDIS_URL unset)');

describe.skipIf(!TEST_REDIS_URL)('the answer cache with REDIS_URL', () => {
  it('is shared by two instances: the second answers from what the first kept', async () => {
    const counting = new CountingEligibility();
    const env = { REDIS_URL: TEST_REDIS_URL!, REDIS_REQUIRED: 'true' };
    const a = await startTestGateway(env, undefined, { eligibility: counting });
    const b = await startTestGateway(env, undefined, { eligibility: counting });
    try {
      // Redis commands fail fast until the connection is up (no offline queue): wait for it
      // (with REDIS_REQUIRED, /readyz says 503 until then).
      for (const g of [a, b]) {
        await expect
          .poll(async () => (await g.gateway.yoga.fetch('http://gateway.test/readyz')).status)
          .toBe(200);
      }
      // A phone no other run asks about, so the kept answer is this test's.
      const phone = `0936${String(Date.now()).slice(-6)}`;
      const query = `{ subscriber(phone: "${phone}") { telco eligiblePackages { code } } }`;
      const first = await a.graphql(query, {}, { 'x-client-id': 'redis-cache' });
      expect(first.errors).toBeUndefined();
      expect(counting.calls).toBe(1);
      const second = await b.graphql(query, {}, { 'x-client-id': 'redis-cache' });
      expect(second).toEqual(first);
      expect(counting.calls).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
