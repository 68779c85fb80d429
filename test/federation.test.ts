import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createGatewayRuntime, type GatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientStore } from '../src/store/clients.js';
import { createDmallSimulator } from '../src/vendors/dmall/simulator.js';
import { CRM_SDL, type CrmSubgraph, startCrmSubgraph } from './helpers/crm-subgraph.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { REQUEST_OTP } from './helpers/sales.js';

/**
 * The gateway as an Apollo Federation v2 subgraph (FEDERATION_SUBGRAPH=true), composed with a
 * second subgraph (a small CRM, test/helpers/crm-subgraph.ts) into a supergraph and run through
 * a real gateway from npm (Hive Gateway's runtime), which forwards the caller's API key to this
 * subgraph. Queries cross both subgraphs both ways; another client's order comes back null, with
 * nothing of it in the answer; no phone number is in any key the supergraph sends.
 */

const SECRET = 'federation-test-secret-of-32-characters!!';
const DMALL_KEY = 'federation-dmall-key';
const dmall = createDmallSimulator({ apiKey: DMALL_KEY });
let t: TestGateway;
let crm: CrmSubgraph;
let supergraph: GatewayRuntime;
let subgraphUrl: string;
/** Every request body the supergraph sent to this gateway. */
const sentToTelco: string[] = [];
const keys: Record<string, string> = {};
const orders: Record<'A' | 'B', { id: string; orderCode: string; phone: string }> = {} as never;

type Answer = {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
};

/** Straight to this gateway's /graphql (the subgraph), as `client`. */
async function direct(client: string, query: string, variables?: Record<string, unknown>) {
  const res = await fetch(subgraphUrl, {
    method: 'POST',
    // English, so the messages below read as written (README "Languages": Vietnamese by default).
    headers: {
      'content-type': 'application/json',
      'accept-language': 'en',
      authorization: `Bearer ${keys[client]}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Answer;
}

/** Through the supergraph, as `client`. */
async function federated(client: string, query: string, variables?: Record<string, unknown>) {
  const res = await supergraph.fetch('http://supergraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[client]}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Answer;
}

async function sale(client: 'A' | 'B', phone: string) {
  const res = await direct(client, REQUEST_OTP, {
    input: { phone, packageCode: 'C120', idempotencyKey: randomUUID() },
  });
  const { order } = res.data!.requestOtp as { order: { id: string; orderCode: string } };
  orders[client] = { ...order, phone };
}

beforeAll(async () => {
  t = await startTestGateway({
    DMALL_BASE_URL: await dmall.listen(),
    DMALL_API_KEY: DMALL_KEY,
    GATEWAY_SECRET: SECRET,
    FEDERATION_SUBGRAPH: 'true',
  });
  subgraphUrl = await t.gateway.listen();
  const clients = new ClientStore(t.gateway.db, SECRET);
  for (const [name, scopes] of Object.entries({
    A: ['sales', 'ledger'],
    B: ['sales', 'ledger'],
    voiceOnly: ['voice'],
    developer: ['explore'],
  } as const)) {
    keys[name] = (await clients.create(name, [...scopes])).key;
  }
  await sale('A', '0936004711');
  await sale('B', '0936004722');

  crm = await startCrmSubgraph();
  crm.notes.set(orders.A.id, 'Call back after 5pm');
  crm.notes.set(orders.B.id, 'B’s private note');
  crm.followUps.push(
    { note: 'A’s own order', orderId: orders.A.id },
    { note: 'another client’s order', orderId: orders.B.id },
    { note: 'an order that never was', orderId: btoa(`Order:${randomUUID()}`) },
  );

  // The subgraph's SDL as a router would fetch it (scope explore).
  const service = await direct('developer', '{ _service { sdl } }');
  const sdl = (service.data!._service as { sdl: string }).sdl;
  const composed = composeServices([
    { name: 'telco', typeDefs: parse(sdl), url: subgraphUrl },
    { name: 'crm', typeDefs: parse(CRM_SDL), url: crm.url },
  ]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  supergraph = createGatewayRuntime({
    supergraph: composed.supergraphSdl,
    logging: false,
    // Each subgraph authorizes the caller itself: the caller's key goes to every subgraph.
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({
        authorization: request.headers.get('authorization'),
        // The caller's language too, so this subgraph's messages are in it (README "Languages").
        'accept-language': request.headers.get('accept-language'),
      }),
    },
    plugins: () => [
      {
        onFetch({ url, options }) {
          if (url === subgraphUrl) sentToTelco.push(String(options.body));
        },
      },
    ],
  });
});

afterAll(async () => {
  await supergraph?.dispose();
  await crm?.close();
  await t.close();
  await dmall.close();
});

const FOLLOW_UPS = '{ followUps { note order { id status packageCode phone crmNote } } }';
const CRM_NOTES = '{ orders(first: 5) { edges { node { id crmNote } } } }';

describe('the subgraph', () => {
  it('serves the SDL that `npm run schema` wrote to schema/subgraph.graphql', async () => {
    const committed = readFileSync(new URL('../schema/subgraph.graphql', import.meta.url), 'utf8');
    const service = await direct('developer', '{ _service { sdl } }');
    expect(service.errors).toBeUndefined();
    expect(`${(service.data!._service as { sdl: string }).sdl}\n`).toBe(committed);
  });

  it('gives `_service` only to the explore scope, like introspection', async () => {
    for (const client of ['A', 'voiceOnly']) {
      expect(await direct(client, '{ _service { sdl } }')).toEqual({
        errors: [
          expect.objectContaining({
            message: 'This API key may not introspect the schema (scope explore).',
            extensions: { code: 'FORBIDDEN' },
          }),
        ],
      });
    }
  });

  it('resolves each entity as `node(id:)` resolves its id', async () => {
    const sub = await direct('A', `{ subscriber(phone: "${orders.A.phone}") { id } }`);
    const ids = {
      Subscriber: (sub.data!.subscriber as { id: string }).id,
      Package: btoa('Package:MOBIFONE:C120'),
      Order: orders.A.id,
    };
    const FIELDS = `__typename ... on Subscriber { phone } ... on Package { code }
      ... on Order { orderCode phone }`;
    for (const [typename, id] of Object.entries(ids)) {
      const entity = await direct(
        'A',
        `query ($r: [_Any!]!) { _entities(representations: $r) { ${FIELDS} } }`,
        { r: [{ __typename: typename, id }] },
      );
      const node = await direct('A', `query ($id: ID!) { node(id: $id) { ${FIELDS} } }`, { id });
      expect(entity.data?._entities, typename).toEqual([node.data?.node]);
      expect(node.data?.node, typename).toMatchObject({ __typename: typename });
    }
  });

  it('answers null for another client’s order, an unknown one, one without the scope, or an id of another type', async () => {
    const ENTITIES = `query ($r: [_Any!]!) { _entities(representations: $r) {
      ... on Order { id orderCode phone } } }`;
    const r = [
      { __typename: 'Order', id: orders.A.id },
      { __typename: 'Order', id: orders.B.id },
      { __typename: 'Order', id: btoa(`Order:${randomUUID()}`) },
      { __typename: 'Order', id: btoa('Package:MOBIFONE:C120') },
    ];
    expect(await direct('A', ENTITIES, { r })).toEqual({
      data: {
        _entities: [
          { id: orders.A.id, orderCode: orders.A.orderCode, phone: orders.A.phone },
          null,
          null,
          null,
        ],
      },
    });
    expect(await direct('voiceOnly', ENTITIES, { r })).toEqual({
      data: { _entities: [null, null, null, null] },
    });
  });

  it('refuses an id it did not give out, as `node(id:)` does', async () => {
    const res = await direct(
      'A',
      'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
      { r: [{ __typename: 'Subscriber', id: btoa('Subscriber:0936004711') }] },
    );
    expect(res.data).toEqual({ _entities: [null] });
    expect(res.errors).toEqual([
      expect.objectContaining({
        message: 'This id is not one this API gave out.',
        extensions: expect.objectContaining({ code: 'INVALID_INPUT' }),
      }),
    ]);
  });
});

describe('the supergraph (Hive Gateway, this gateway and a CRM subgraph)', () => {
  it('crosses into the gateway: CRM follow-ups with the orders they name; another client’s order is null, as one that never was', async () => {
    const res = await federated('A', FOLLOW_UPS);
    expect(res.data).toEqual({
      followUps: [
        {
          note: 'A’s own order',
          order: {
            id: orders.A.id,
            status: 'OTP_SENT',
            packageCode: 'C120',
            phone: orders.A.phone,
            crmNote: 'Call back after 5pm',
          },
        },
        { note: 'another client’s order', order: null },
        { note: 'an order that never was', order: null },
      ],
    });
    // The router nulls an entity this gateway answered null for (Order.status is non-null):
    // B's order and an order that never was fail exactly alike.
    expect(res.errors?.map((e) => e.path)).toEqual([
      ['followUps', 1, 'order', 'status'],
      ['followUps', 2, 'order', 'status'],
    ]);
    const [theirs, none] = res.errors!.map(({ path: _, ...rest }) => rest);
    expect(theirs).toEqual(none);
    const text = JSON.stringify(res);
    for (const secret of [orders.B.id, orders.B.orderCode, orders.B.phone, 'B’s private note']) {
      expect(text).not.toContain(secret);
    }
  });

  it('crosses into the CRM: each client’s own orders, with the CRM’s notes', async () => {
    expect(await federated('A', CRM_NOTES)).toEqual({
      data: { orders: { edges: [{ node: { id: orders.A.id, crmNote: 'Call back after 5pm' } }] } },
    });
    expect(await federated('B', CRM_NOTES)).toEqual({
      data: { orders: { edges: [{ node: { id: orders.B.id, crmNote: 'B’s private note' } }] } },
    });
  });

  it('shows no order to a key without the scope, and nothing without a key', async () => {
    const unscoped = await federated('voiceOnly', FOLLOW_UPS);
    expect(unscoped.data?.followUps).toEqual([
      { note: 'A’s own order', order: null },
      { note: 'another client’s order', order: null },
      { note: 'an order that never was', order: null },
    ]);
    const res = await supergraph.fetch('http://supergraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: FOLLOW_UPS }),
    });
    const anonymous = (await res.json()) as Answer;
    expect(anonymous.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    for (const answer of [unscoped, anonymous]) {
      const text = JSON.stringify(answer);
      for (const order of [orders.A, orders.B]) {
        for (const secret of [order.orderCode, order.phone, 'OTP_SENT']) {
          expect(text).not.toContain(secret);
        }
      }
    }
  });

  it('sends no phone number in any key: a subscriber’s is its encrypted id', async () => {
    expect(
      await federated('A', `{ subscriber(phone: "${orders.A.phone}") { telco crmSegment } }`),
    ).toEqual({ data: { subscriber: { telco: 'MOBIFONE', crmSegment: 'retail' } } });
    const representations = [...sentToTelco, ...crm.bodies]
      .map((body) => JSON.parse(body) as { variables?: { representations?: unknown[] } })
      .flatMap((body) => body.variables?.representations ?? []) as Array<{
      __typename: string;
      id: string;
    }>;
    expect(new Set(representations.map((r) => r.__typename))).toEqual(
      new Set(['Order', 'Subscriber']),
    );
    for (const { id } of representations) {
      const key = Buffer.from(id, 'base64').toString('latin1');
      expect(key).toMatch(/^(Order|Subscriber):/);
      for (const order of [orders.A, orders.B]) {
        expect(key).not.toContain(order.phone.slice(1));
      }
    }
  });
});
