import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client/core';
import { loadDevMessages, loadErrorMessages } from '@apollo/client/dev';
import { Client, fetchExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { gatewayCacheConfig } from '../clients/apollo.js';
import { gatewayGraphcacheConfig } from '../clients/urql.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

/**
 * The shipped client config (clients/, from schema/client-config.json) as apps use it: urql with
 * graphcache runs the sale and pages the ledger printing nothing, while graphcache's defaults warn
 * on the same operations (so the count can fail); Apollo Client pages `orders` with the
 * documented policy, appending pages to one list per filter.
 */

const read = (name: string) =>
  readFileSync(new URL(`../operations/${name}`, import.meta.url), 'utf8');
const vars = (name: string) => JSON.parse(read(name.replace('.graphql', '.variables.json')));

const PAGE = `query Page($first: Int!, $after: String) {
  orders(filter: { status: OTP_SENT }, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id orderCode status events { sequence status at } } }
  }
}`;

let t: TestGateway;
let url: string;
const headers = { 'x-client-id': 'client-config-app' };
const printed: unknown[][] = [];
let phoneSeq = 0;

beforeAll(async () => {
  loadDevMessages();
  loadErrorMessages();
  t = await startTestGateway();
  url = await t.gateway.listen();
  for (const method of ['warn', 'error', 'log', 'info', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      printed.push([method, ...args]);
    });
  }
});

beforeEach(() => {
  printed.length = 0;
});

afterAll(async () => {
  vi.restoreAllMocks();
  await t?.close();
});

function urql(config: Parameters<typeof cacheExchange>[0]) {
  return new Client({
    url,
    exchanges: [cacheExchange(config), fetchExchange],
    fetchOptions: { headers },
    requestPolicy: 'cache-and-network',
  });
}

/** The sale's operations, as the README's steps give them, then two pages of the ledger. */
async function saleAndPaging(client: Client) {
  const q = async (name: string, variables: Record<string, unknown> = {}) => {
    const res = await client.query(read(name), variables, { requestPolicy: 'network-only' });
    expect(res.error).toBeUndefined();
    return res.data;
  };
  const m = async (name: string, variables: Record<string, unknown>) => {
    const res = await client.mutation(read(name), variables);
    expect(res.error).toBeUndefined();
    return res.data;
  };
  await q('0-packages.graphql');
  await q('0-subscriber.graphql');
  await q('1-eligibility.graphql');
  const codes: string[] = [];
  for (let i = 0; i < 3; i++) {
    const phone = `0936${String(100000 + phoneSeq++)}`;
    const input = { ...vars('2-request-otp.graphql').input, phone, idempotencyKey: randomUUID() };
    const step2 = await m('2-request-otp.graphql', { input });
    expect(step2.requestOtp.__typename).toBe('RequestOtpSuccess');
    codes.push(step2.requestOtp.orderCode);
  }
  const orderCode = codes.shift();
  const input3 = {
    ...vars('3-register-with-otp.graphql').input,
    orderCode,
    idempotencyKey: randomUUID(),
  };
  const step3 = await m('3-register-with-otp.graphql', { input: input3 });
  expect(step3.registerWithOtp.__typename).toBe('RegisterWithOtpSuccess');
  const step4 = await q('4-reconcile.graphql');
  expect(
    step4.orders.edges.map((e: { node: { orderCode: string } }) => e.node.orderCode),
  ).toContain(orderCode);

  const first = await client.query(PAGE, { first: 1 }, { requestPolicy: 'network-only' });
  expect(first.error).toBeUndefined();
  const { endCursor } = first.data.orders.pageInfo;
  const second = await client.query(PAGE, { first: 1, after: endCursor });
  expect(second.error).toBeUndefined();
  return { pages: [first.data.orders, second.data.orders], openCodes: codes };
}

describe('urql graphcache with the shipped config', () => {
  it('runs the sale and pages the ledger with no warning, merging pages into one list', async () => {
    const { pages, openCodes } = await saleAndPaging(urql(gatewayGraphcacheConfig()));
    expect(printed).toEqual([]);
    expect(pages[0].totalCount).toBe(2);
    // relayPagination: the second page's answer is the list so far, both orders, newest first.
    expect(pages[1].edges.map((e: { node: { orderCode: string } }) => e.node.orderCode)).toEqual(
      [...openCodes].reverse(),
    );
  });

  it('warns with graphcache’s defaults on the same operations (the count above can fail)', async () => {
    await saleAndPaging(urql({}));
    const warnings = printed.filter(([method]) => method === 'warn').map((p) => String(p[1]));
    expect(warnings.some((w) => w.includes('Invalid key'))).toBe(true);
  });
});

describe('Apollo Client 3 with the shipped config', () => {
  it('pages `orders` into one list, keyed by the filter', async () => {
    const own = { 'x-client-id': 'client-config-apollo' };
    for (let i = 0; i < 3; i++) {
      const phone = `0936${String(100000 + phoneSeq++)}`;
      const input = { ...vars('2-request-otp.graphql').input, phone, idempotencyKey: randomUUID() };
      const res = await t.graphql<{ requestOtp: { __typename: string } }>(
        read('2-request-otp.graphql'),
        { input },
        own,
      );
      expect(res.data?.requestOtp.__typename).toBe('RequestOtpSuccess');
    }
    const client = new ApolloClient({
      cache: new InMemoryCache(gatewayCacheConfig()),
      link: new HttpLink({ uri: url, headers: own }),
    });
    interface Page {
      orders: { pageInfo: { endCursor: string }; edges: Array<{ node: { id: string } }> };
    }
    const page = gql(PAGE);
    const watch = client.watchQuery<Page>({ query: page, variables: { first: 1 } });
    const first = await new Promise<{ data: Page }>((resolve, reject) => {
      watch.subscribe({ next: resolve, error: reject });
    });
    expect(first.data.orders.edges).toHaveLength(1);
    let cursor = first.data.orders.pageInfo.endCursor;
    for (let n = 2; n <= 3; n++) {
      const more = await watch.fetchMore({ variables: { first: 1, after: cursor } });
      cursor = more.data.orders.pageInfo.endCursor;
      // The watched list grows: each page is appended to the one list for this filter.
      expect(watch.getCurrentResult().data.orders.edges).toHaveLength(n);
    }
    const ids = watch.getCurrentResult().data.orders.edges.map((e) => e.node.id);
    expect(new Set(ids).size).toBe(3);
    expect(printed).toEqual([]);
    client.stop();
  });
});
