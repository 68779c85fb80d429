import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  ApolloClient,
  ApolloLink,
  type FetchResult,
  gql,
  HttpLink,
  InMemoryCache,
  Observable,
  type Operation,
  split,
} from '@apollo/client/core';
import { loadDevMessages, loadErrorMessages } from '@apollo/client/dev';
import { getMainDefinition } from '@apollo/client/utilities';
import { print } from 'graphql';
import { type Client, createClient } from 'graphql-sse';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

/**
 * The four-step sale and `orderUpdated` as an app built on Apollo Client 3 runs them: the default
 * InMemoryCache with no keyFields or possibleTypes, subscriptions over graphql-sse, against a
 * gateway listening on a port. Apollo prints a warning when its cache would lose data (objects
 * without ids replaced by others); the test fails on any warning or error printed.
 */

const read = (name: string) =>
  readFileSync(new URL(`../operations/${name}`, import.meta.url), 'utf8');
const op = (name: string) => gql(read(name));
const vars = (name: string) => JSON.parse(read(name.replace('.graphql', '.variables.json')));

/** A terminating link that sends subscriptions through graphql-sse. */
class SseLink extends ApolloLink {
  constructor(private readonly client: Client) {
    super();
  }
  override request(operation: Operation): Observable<FetchResult> {
    return new Observable((sink) =>
      this.client.subscribe(
        {
          query: print(operation.query),
          variables: operation.variables,
          operationName: operation.operationName,
        },
        {
          next: (value) => sink.next(value as FetchResult),
          complete: () => sink.complete(),
          error: (err) => sink.error(err),
        },
      ),
    );
  }
}

let t: TestGateway;
let url: string;
let sse: Client;
let client: ApolloClient<unknown>;
const printed: unknown[][] = [];

beforeAll(async () => {
  loadDevMessages();
  loadErrorMessages();
  t = await startTestGateway();
  url = await t.gateway.listen();
  const headers = { 'x-client-id': 'apollo-app' };
  sse = createClient({ url, headers, retryAttempts: 0 });
  const http = new HttpLink({ uri: url, headers });
  client = new ApolloClient({
    cache: new InMemoryCache(),
    link: split(
      ({ query }) => {
        const def = getMainDefinition(query);
        return def.kind === 'OperationDefinition' && def.operation === 'subscription';
      },
      new SseLink(sse),
      http,
    ),
  });
  for (const method of ['warn', 'error', 'log', 'info', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      printed.push([method, ...args]);
    });
  }
});

afterEach(() => {
  expect(printed).toEqual([]);
});

afterAll(async () => {
  vi.restoreAllMocks();
  client?.stop();
  sse?.dispose();
  await t?.close();
});

describe('Apollo Client 3, default InMemoryCache', () => {
  it('runs the four-step sale and follows the order over orderUpdated, with no warning', async () => {
    const packages = await client.query({ query: op('0-packages.graphql') });
    expect(packages.data.packages.map((p: { code: string }) => p.code)).toEqual([
      'C120',
      '3C120',
      '6C120',
    ]);

    // The same `subscriber(phone:)` field, two selections: Apollo merges them by id.
    const who = await client.query({ query: op('0-subscriber.graphql') });
    expect(who.data.subscriber).toMatchObject({ phone: '0936004420', telco: 'MOBIFONE' });
    const step1 = await client.query({ query: op('1-eligibility.graphql') });
    expect(step1.data.subscriber.eligiblePackages.map((p: { code: string }) => p.code)).toContain(
      '6C120',
    );
    const cachedWho = client.readQuery({ query: op('0-subscriber.graphql') });
    expect(cachedWho).toEqual(who.data);

    const input2 = { ...vars('2-request-otp.graphql').input, idempotencyKey: randomUUID() };
    const step2 = await client.mutate({
      mutation: op('2-request-otp.graphql'),
      variables: { input: input2 },
    });
    expect(step2.data.requestOtp.__typename).toBe('RequestOtpSuccess');
    const { orderCode } = step2.data.requestOtp;
    const orderId: string = step2.data.requestOtp.order.id;

    const statuses: string[] = [];
    const errors: unknown[] = [];
    const subscription = client
      .subscribe({ query: op('5-order-updated.graphql'), variables: { code: orderCode } })
      .subscribe({
        next: (result) => {
          if (result.errors) errors.push(...result.errors);
          if (result.data) statuses.push(result.data.orderUpdated.status);
        },
        error: (err) => errors.push(err),
      });
    await expect.poll(() => statuses).toEqual(['OTP_SENT']);

    const input3 = {
      ...vars('3-register-with-otp.graphql').input,
      orderCode,
      idempotencyKey: randomUUID(),
    };
    const step3 = await client.mutate({
      mutation: op('3-register-with-otp.graphql'),
      variables: { input: input3 },
    });
    expect(step3.data.registerWithOtp).toMatchObject({
      __typename: 'RegisterWithOtpSuccess',
      order: { id: orderId, status: 'REGISTERED' },
    });
    await expect.poll(() => statuses).toEqual(['OTP_SENT', 'REGISTERING', 'REGISTERED']);
    subscription.unsubscribe();
    expect(errors).toEqual([]);

    const step4 = await client.query({ query: op('4-reconcile.graphql') });
    expect(step4.data.orders.totalCount).toBe(1);
    expect(step4.data.orders.edges[0].node).toMatchObject({
      id: orderId,
      orderCode,
      status: 'REGISTERED',
    });
    expect(step4.data.orders.edges[0].node.events.map((e: { status: string }) => e.status)).toEqual(
      ['PENDING', 'OTP_SENT', 'REGISTERING', 'REGISTERED'],
    );

    // One normalized entry per object, keyed by its global id.
    const cache = client.cache.extract() as Record<string, Record<string, unknown>>;
    expect(cache[`Order:${orderId}`]).toMatchObject({ orderCode, status: 'REGISTERED' });
    expect(cache[`Subscriber:${who.data.subscriber.id}`]).toMatchObject({
      msisdn: '84936004420',
      eligiblePackages: expect.any(Array),
    });
    expect(Object.keys(cache).filter((k) => k.startsWith('Package:'))).toHaveLength(3);
  });
});
