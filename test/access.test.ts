import { randomUUID } from 'node:crypto';
import {
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  getNamedType,
  isInputObjectType,
  isObjectType,
  isUnionType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRecordKind, RECORD_KINDS, type RecordKindName } from '../src/access.js';
import type { Context } from '../src/context.js';
import { ERROR_CLASSES, GatewayError } from '../src/domain/errors.js';
import { SCOPES, type Scope } from '../src/domain/scopes.js';
import { schema } from '../src/schema/index.js';
import { PUBLIC_NODE_TYPES } from '../src/schema/records.js';
import { subgraphSchemaFor } from '../src/schema/subgraph.js';
import { ClientStore } from '../src/store/clients.js';
import { createDmallSimulator } from '../src/vendors/dmall/simulator.js';
import type { VascloudSimulator } from '../src/vendors/vascloud/simulator.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

/**
 * One access path, proved by walking the schema: every `Node` type, every field that returns a
 * record (directly or as a page of them), every mutation that acts on an existing record and
 * every error that names one. Client A makes one record of each kind; client B (same scopes, no
 * `ledger:all`) and a client lacking the kind's scopes must get, for A's record, exactly what
 * they get for a record that does not exist. A's own answer must differ (so the probe can fail),
 * and `ledger:all` must see it. A type, field or mutation added later without a probe here fails
 * the walk, naming what to add; one that bypassed `ctx.access` fails the type-level check.
 *
 * The gateway here serves the federation subgraph schema (FEDERATION_SUBGRAPH): the client
 * schema's very fields and resolvers, plus `_entities`, which a supergraph router calls with the
 * caller's key. Its entities are walked like `node(id:)`.
 */

const SECRET = 'access-test-secret-of-32-characters!!!';
const DMALL_KEY = 'access-dmall-key';
const dmall = createDmallSimulator({ apiKey: DMALL_KEY });
const ALL_BUT_READ_ALL = (Object.keys(SCOPES) as Scope[]).filter((s) => s !== 'ledger:all');

let t: TestGateway;
const keys = new Map<string, string>();
let notifyUrl: string;

async function client(name: string, scopes: readonly Scope[]): Promise<string> {
  const existing = keys.get(name);
  if (existing) return existing;
  const { key } = await new ClientStore(t.gateway.db, SECRET).create(name, [...scopes]);
  keys.set(name, key);
  return key;
}

/** The client that lacks every scope of a kind (and `ledger:all`), but holds all the others. */
function lacking(kind: RecordKindName): { name: string; scopes: Scope[] } {
  const kindScopes: readonly Scope[] = RECORD_KINDS[kind].scopes;
  return {
    name: `no-${kind}`,
    scopes: ALL_BUT_READ_ALL.filter((s) => !kindScopes.includes(s)),
  };
}

type Answer = {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
};

/** A request as `name`, asking for English messages (some assertions read their words). */
async function as(name: string, query: string, variables?: Record<string, unknown>) {
  const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'accept-language': 'en',
      authorization: `Bearer ${keys.get(name)}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Answer;
}

/** The first event of a subscription over SSE (then the stream is let go). */
async function firstEvent(name: string, query: string, variables?: Record<string, unknown>) {
  const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${keys.get(name)}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  if (!res.headers.get('content-type')?.includes('text/event-stream')) {
    return (await res.json()) as Answer;
  }
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { ended: true } as Answer;
      buffer += decoder.decode(value, { stream: true });
      for (const block of buffer.split('\n\n').slice(0, -1)) {
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (block.includes('event: next') && data) return JSON.parse(data.slice(6)) as Answer;
        if (block.includes('event: complete')) return { ended: true } as Answer;
      }
    }
  } finally {
    await reader.cancel();
  }
}

/** A global id, as the API writes them. */
const globalId = (type: string, key: string) => Buffer.from(`${type}:${key}`).toString('base64');

/** What a probe is pointed at: A's record, or a twin of it that does not exist. */
interface Target {
  id: string;
  phone: string;
  orderCode: string;
  oaId: string;
}

interface Made {
  kind: RecordKindName;
  target: Target;
  unknown: Target;
}

const made = new Map<RecordKindName, Made>();
let phoneSeq = 0;
const freshPhone = (prefix: string) => `${prefix}${String(7000 + phoneSeq++).padStart(4, '0')}`;

/**
 * How client A makes one record of each kind (through the API, as a client would). A new kind
 * fails the walk until it has a maker here.
 */
const MAKERS: Record<RecordKindName, () => Promise<Target>> = {
  Order: async () => {
    const phone = freshPhone('093600');
    const res = await as(
      'A',
      `mutation ($input: RequestOtpInput!) { requestOtp(input: $input) {
        ... on RequestOtpSuccess { order { id orderCode } } } }`,
      { input: { phone, packageCode: 'C120', idempotencyKey: randomUUID() } },
    );
    const order = (res.data!.requestOtp as { order: { id: string; orderCode: string } }).order;
    return { id: order.id, phone, orderCode: order.orderCode, oaId: '' };
  },
  VasTransaction: async () => {
    const phone = freshPhone('091200');
    const res = await as(
      'A',
      `mutation ($input: RegisterVasPackageInput!) { registerVasPackage(input: $input) {
        ... on RegisterVasPackageSuccess { transaction { id } } } }`,
      { input: { phone, serviceId: '1000161', packageId: '1003013', channel: 'APP' } },
    );
    const tx = (res.data!.registerVasPackage as { transaction: { id: string } }).transaction;
    return { id: tx.id, phone, orderCode: '', oaId: '' };
  },
  VasEvent: async () => {
    const phone = freshPhone('091300');
    const queueId = String(8_000_000 + phoneSeq);
    const sim = t.gateway.sandbox.simulators.vascloud as VascloudSimulator;
    const posted = await sim.notifySubscription({
      msisdn: `84${phone.slice(1)}`,
      serviceId: '1000161',
      packageId: '1003013',
      action: 'register',
      url: notifyUrl,
      queueId,
    });
    expect(posted.status).toBe(200);
    return { id: globalId('VasEvent', queueId), phone, orderCode: '', oaId: '' };
  },
  VasSubscription: async () => {
    const phone = freshPhone('091400');
    // Registered first, so its state (active) differs from a subscriber's who has nothing.
    await as(
      'A',
      `mutation ($input: RegisterVasPackageInput!) { registerVasPackage(input: $input) { __typename } }`,
      { input: { phone, serviceId: '1000161', packageId: '1003013', channel: 'APP' } },
    );
    const res = await as(
      'A',
      `{ subscriber(phone: "${phone}") { vasSubscription(serviceId: "1000161", packageId: "1003013") { id } } }`,
    );
    const sub = (res.data!.subscriber as { vasSubscription: { id: string } }).vasSubscription;
    return { id: sub.id, phone, orderCode: '', oaId: '' };
  },
  VoiceCall: async () => {
    const phone = freshPhone('093700');
    const res = await as(
      'A',
      `mutation ($input: SendVoiceOtpInput!) { sendVoiceOtp(input: $input) {
        ... on SendVoiceOtpSuccess { voiceCall { id } } } }`,
      { input: { phone, code: '4321', idempotencyKey: randomUUID() } },
    );
    const call = (res.data!.sendVoiceOtp as { voiceCall: { id: string } }).voiceCall;
    return { id: call.id, phone, orderCode: '', oaId: '' };
  },
  PhoneVerification: async () => {
    const phone = freshPhone('093800');
    const res = await as(
      'A',
      `mutation ($input: StartPhoneVerificationInput!) { startPhoneVerification(input: $input) {
        ... on StartPhoneVerificationSuccess { verification { id } } } }`,
      { input: { phone, channel: 'VOICE', idempotencyKey: randomUUID() } },
    );
    const v = (res.data!.startPhoneVerification as { verification: { id: string } }).verification;
    return { id: v.id, phone, orderCode: '', oaId: '' };
  },
  OAPackage: async () => {
    const oaId = `43684960400${String(10000 + phoneSeq++).slice(-5)}`;
    const activeFrom = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const res = await as(
      'A',
      `mutation ($input: PurchaseOAPackageInput!) { purchaseOAPackage(input: $input) {
        ... on PurchaseOAPackageSuccess { oaPackage { id } } } }`,
      { input: { oaId, tier: 'TRIAL', activeFrom, duration: 1, idempotencyKey: randomUUID() } },
    );
    const p = (res.data!.purchaseOAPackage as { oaPackage: { id: string } }).oaPackage;
    return { id: p.id, phone: '', orderCode: '', oaId };
  },
};

/** A twin of a target that names nothing that exists (same types of keys). */
async function unknownTwin(kind: RecordKindName, target: Target): Promise<Target> {
  const typename = kind;
  let id = globalId(typename, randomUUID());
  if (kind === 'VasEvent') id = globalId('VasEvent', String(9_000_000 + phoneSeq));
  if (kind === 'VasSubscription') {
    // Every subscriber "has" a subscription state: the twin is one nobody registered.
    const res = await as(
      'A',
      `{ subscriber(phone: "${freshPhone('091500')}") { vasSubscription(serviceId: "1000161", packageId: "1003013") { id } } }`,
    );
    id = (res.data!.subscriber as { vasSubscription: { id: string } }).vasSubscription.id;
  }
  return {
    id,
    phone: target.phone ? freshPhone('093900') : '',
    orderCode: `DG${Date.now()}${phoneSeq++}`,
    oaId: target.oaId ? `43684960411${String(10000 + phoneSeq++).slice(-5)}` : '',
  };
}

/** What each lookup field answers; B's and a scope-less client's answers are compared with these. */
type Probe = (client: string, target: Target) => Promise<unknown>;

/** An answer with the target's own keys (echoed in "No order DG…") written as placeholders. */
async function answer(probe: Probe, client: string, target: Target): Promise<string> {
  let text = JSON.stringify(await probe(client, target));
  for (const [name, value] of Object.entries(target)) {
    if (value) text = text.replaceAll(value, `<${name}>`);
  }
  return text;
}

const lookup =
  (query: (target: Target) => string, variables?: (target: Target) => Record<string, unknown>) =>
  (client: string, target: Target) =>
    as(client, query(target), variables?.(target));

/**
 * Every field outside mutation payloads and errors that returns records, with a probe. Keys are
 * `Type.field`, as the walk finds them.
 */
const LOOKUPS: Record<string, { kind: RecordKindName; probe: Probe; ownerDiffers?: false }> = {
  'Query.node': {
    kind: 'Order',
    probe: lookup(
      () => 'query ($id: ID!) { node(id: $id) { id } }',
      (x) => ({ id: x.id }),
    ),
  },
  'Query.nodes': {
    kind: 'Order',
    probe: lookup(
      () => 'query ($id: ID!) { nodes(ids: [$id]) { id } }',
      (x) => ({ id: x.id }),
    ),
  },
  'Query.order': {
    kind: 'Order',
    probe: lookup(
      () => 'query ($c: String!) { order(code: $c) { id status } }',
      (x) => ({
        c: x.orderCode,
      }),
    ),
  },
  'Query.orders': {
    kind: 'Order',
    probe: lookup(
      () =>
        'query ($p: String!) { orders(filter: { phone: $p }) { totalCount edges { node { id } } } }',
      (x) => ({ p: x.phone }),
    ),
  },
  'Subscriber.orders': {
    kind: 'Order',
    probe: lookup(
      () =>
        'query ($p: String!) { subscriber(phone: $p) { orders { totalCount edges { node { id } } } } }',
      (x) => ({ p: x.phone }),
    ),
  },
  'Subscription.orderUpdated': {
    kind: 'Order',
    probe: (client, x) =>
      firstEvent(client, 'subscription ($c: String!) { orderUpdated(code: $c) { id status } }', {
        c: x.orderCode,
      }),
  },
  'Query.vasTransactions': {
    kind: 'VasTransaction',
    probe: lookup(
      () =>
        'query ($p: String!) { vasTransactions(filter: { phone: $p }) { totalCount edges { node { id } } } }',
      (x) => ({ p: x.phone }),
    ),
  },
  'Subscriber.vasTransactions': {
    kind: 'VasTransaction',
    probe: lookup(
      () =>
        'query ($p: String!) { subscriber(phone: $p) { vasTransactions { totalCount edges { node { id } } } } }',
      (x) => ({ p: x.phone }),
    ),
  },
  'Subscriber.vasEvents': {
    kind: 'VasEvent',
    probe: lookup(
      () =>
        'query ($p: String!) { subscriber(phone: $p) { vasEvents { totalCount edges { node { id } } } } }',
      (x) => ({ p: x.phone }),
    ),
  },
  'Subscriber.vasSubscription': {
    kind: 'VasSubscription',
    probe: lookup(
      () =>
        'query ($p: String!) { subscriber(phone: $p) { vasSubscription(serviceId: "1000161", packageId: "1003013") { active } } }',
      (x) => ({ p: x.phone }),
    ),
  },
  'Subscription.vasSubscriptionChanged': {
    kind: 'VasSubscription',
    ownerDiffers: false,
    // Nothing is streamed until a change; a caller without the scope is refused at once.
    probe: async (client, x) =>
      client.startsWith('no-')
        ? firstEvent(
            client,
            'subscription ($p: String!) { vasSubscriptionChanged(phone: $p) { active } }',
            { p: x.phone },
          )
        : 'allowed: the subscriber’s own facts, not a client’s',
  },
  'Query.voiceCall': {
    kind: 'VoiceCall',
    probe: lookup(
      () => 'query ($id: ID!) { voiceCall(id: $id) { id status } }',
      (x) => ({
        id: x.id,
      }),
    ),
  },
  'Subscriber.voiceCalls': {
    kind: 'VoiceCall',
    probe: lookup(
      () => 'query ($p: String!) { subscriber(phone: $p) { voiceCalls { id } } }',
      (x) => ({ p: x.phone }),
    ),
  },
  'Subscription.voiceCallUpdated': {
    kind: 'VoiceCall',
    probe: (client, x) =>
      firstEvent(client, 'subscription ($id: ID!) { voiceCallUpdated(id: $id) { id status } }', {
        id: x.id,
      }),
  },
  'Query.oaPackage': {
    kind: 'OAPackage',
    probe: lookup(
      () => 'query ($id: ID!) { oaPackage(id: $id) { id status } }',
      (x) => ({
        id: x.id,
      }),
    ),
  },
  'Query.oaPackages': {
    kind: 'OAPackage',
    probe: lookup(
      () => 'query ($oa: String!) { oaPackages(oaId: $oa) { edges { node { id } } } }',
      (x) => ({ oa: x.oaId }),
    ),
  },
  'Query.voiceCalls': {
    kind: 'VoiceCall',
    probe: lookup(
      () =>
        'query ($p: String!) { voiceCalls(filter: { phone: $p }) { totalCount edges { node { id } } } }',
      (x) => ({ p: x.phone }),
    ),
  },
};

/** A probe of a list or totals narrowed to one client's records (`client`) and to the target. */
type ClientProbe = (caller: string, client: string, target: Target) => Promise<unknown>;

const byClient =
  (query: string, variables: (target: Target) => Record<string, unknown>): ClientProbe =>
  (caller, client, target) =>
    as(caller, query, { ...variables(target), c: client });

/**
 * Every query whose `filter` takes a `client` (lists and their totals), with a probe narrowed to
 * the target's subscriber or OA. Keys are `Type.field`, as the walk finds them.
 */
const CLIENT_FILTERS: Record<string, { kind: RecordKindName; probe: ClientProbe }> = {
  'Query.orders': {
    kind: 'Order',
    probe: byClient(
      'query ($c: String!, $p: String!) { orders(filter: { client: $c, phone: $p }) { totalCount edges { node { id client } } } }',
      (x) => ({ p: x.phone }),
    ),
  },
  'Query.orderTotals': {
    kind: 'Order',
    probe: byClient(
      'query ($c: String!, $p: String!) { orderTotals(filter: { client: $c, phone: $p }) { count byStatus { status count } } }',
      (x) => ({ p: x.phone }),
    ),
  },
  'Query.vasTransactions': {
    kind: 'VasTransaction',
    probe: byClient(
      'query ($c: String!, $p: String!) { vasTransactions(filter: { client: $c, phone: $p }) { totalCount edges { node { id client } } } }',
      (x) => ({ p: x.phone }),
    ),
  },
  'Query.vasTransactionTotals': {
    kind: 'VasTransaction',
    probe: byClient(
      'query ($c: String!, $p: String!) { vasTransactionTotals(filter: { client: $c, phone: $p }) { count byStatus { status count } } }',
      (x) => ({ p: x.phone }),
    ),
  },
  'Query.oaPackages': {
    kind: 'OAPackage',
    probe: byClient(
      'query ($c: String!, $oa: String!) { oaPackages(filter: { client: $c, oaId: $oa }) { totalCount edges { node { id client } } } }',
      (x) => ({ oa: x.oaId }),
    ),
  },
  'Query.voiceCalls': {
    kind: 'VoiceCall',
    probe: byClient(
      'query ($c: String!, $p: String!) { voiceCalls(filter: { client: $c, phone: $p }) { totalCount edges { node { id client } } } }',
      (x) => ({ p: x.phone }),
    ),
  },
};

/**
 * Every mutation that names an existing record (an `ID` or an order code in its arguments),
 * with how B points it at A's record. Another client's record must be answered as an unknown one.
 */
const ACTING: Record<string, { kind: RecordKindName; probe: Probe }> = {
  registerWithOtp: {
    kind: 'Order',
    probe: lookup(
      () =>
        'mutation ($c: String!) { registerWithOtp(input: { orderCode: $c, otp: "123456" }) { __typename ... on Error { code } } }',
      (x) => ({ c: x.orderCode }),
    ),
  },
  settleVasTransaction: {
    kind: 'VasTransaction',
    probe: lookup(
      () =>
        'mutation ($id: ID!) { settleVasTransaction(id: $id) { __typename ... on Error { code } } }',
      (x) => ({ id: x.id }),
    ),
  },
  checkPhoneVerification: {
    kind: 'PhoneVerification',
    probe: lookup(
      () =>
        'mutation ($id: ID!) { checkPhoneVerification(input: { id: $id, code: "123456" }) { __typename ... on Error { code } } }',
      (x) => ({ id: x.id }),
    ),
  },
  cancelPhoneVerification: {
    kind: 'PhoneVerification',
    probe: lookup(
      () =>
        'mutation ($id: ID!) { cancelPhoneVerification(id: $id) { __typename ... on Error { code } } }',
      (x) => ({ id: x.id }),
    ),
  },
};

/** Types whose objects are answers of mutations: their record fields hold the caller's own. */
function mutationPayloadTypes(): Set<string> {
  const payloads = new Set<string>();
  for (const field of Object.values(schema.getMutationType()!.getFields())) {
    const type = getNamedType(field.type);
    if (isUnionType(type)) for (const member of type.getTypes()) payloads.add(member.name);
    else payloads.add(type.name);
  }
  return payloads;
}

/** The record kind a field returns, directly, in a list, or as a connection's nodes. */
function recordKindOf(field: GraphQLField<unknown, unknown>): RecordKindName | null {
  const type = getNamedType(field.type);
  if (isRecordKind(type.name)) return type.name;
  if (isObjectType(type) && type.getFields().edges) {
    const node = getNamedType(getNamedType(type.getFields().edges!.type) as GraphQLNamedType);
    const edgeNode = isObjectType(node) ? node.getFields().node : undefined;
    const nodeType = edgeNode ? getNamedType(edgeNode.type) : null;
    if (nodeType && isRecordKind(nodeType.name)) return nodeType.name;
  }
  return null;
}

function nodeTypes(): GraphQLObjectType[] {
  return Object.values(schema.getTypeMap()).filter(
    (type): type is GraphQLObjectType =>
      isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node'),
  );
}

/** Whether a mutation's arguments (or its input's fields) name an existing record. */
function namesARecord(field: GraphQLField<unknown, unknown>): boolean {
  const names = (args: ReadonlyArray<{ name: string; type: unknown }>): boolean =>
    args.some((arg) => {
      // A record's global id, or an order's code (vendor catalogue ids such as serviceId are not).
      if (arg.name === 'id' || arg.name === 'ids' || arg.name === 'orderCode') return true;
      const type = getNamedType(arg.type as never) as unknown as GraphQLNamedType;
      return isInputObjectType(type) && names(Object.values(type.getFields()));
    });
  return names(field.args);
}

beforeAll(async () => {
  t = await startTestGateway({
    DMALL_BASE_URL: await dmall.listen(),
    DMALL_API_KEY: DMALL_KEY,
    GATEWAY_SECRET: SECRET,
    VASCLOUD_TIMEOUT_MS: '1000',
    VENDOR_BREAKER_FAILURES: '1000',
    FEDERATION_SUBGRAPH: 'true',
  });
  notifyUrl = (await t.gateway.listen()).replace('/graphql', '/vascloud/v1/notify_sub');
  await client('A', ALL_BUT_READ_ALL);
  await client('B', ALL_BUT_READ_ALL);
  await client('auditor', ['ledger:all']);
  for (const kind of Object.keys(RECORD_KINDS) as RecordKindName[]) {
    const { name, scopes } = lacking(kind);
    await client(name, scopes);
    const maker = MAKERS[kind];
    if (!maker) continue;
    const target = await maker();
    made.set(kind, { kind, target, unknown: await unknownTwin(kind, target) });
  }
});
afterAll(async () => {
  await t.close();
  await dmall.close();
});

describe('the walk finds nothing without a rule or a probe', () => {
  it('every Node type is a record kind with a maker, or public', () => {
    const missing = nodeTypes()
      .map((type) => type.name)
      .filter((name) => !PUBLIC_NODE_TYPES.includes(name) && !isRecordKind(name));
    expect(missing, 'Node types that are neither a record kind nor public').toEqual([]);
    for (const kind of Object.keys(RECORD_KINDS)) {
      expect(MAKERS[kind as RecordKindName], `a maker for ${kind}`).toBeTypeOf('function');
      expect(schema.getType(kind), `${kind} is a type of the schema`).toBeDefined();
    }
  });

  it('every federation entity is a record kind with a maker, or public', () => {
    const entities = entityTypes();
    expect(entities, 'the subgraph has entities').toContain('Order');
    expect(
      entities.filter((name) => !PUBLIC_NODE_TYPES.includes(name) && !isRecordKind(name)),
      'entities that are neither a record kind nor public',
    ).toEqual([]);
  });

  it('every field that returns records outside payloads and errors has a probe', () => {
    const payloads = mutationPayloadTypes();
    const found: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      if (payloads.has(type.name) || type.name === 'Mutation') continue;
      for (const field of Object.values(type.getFields())) {
        if (recordKindOf(field)) found.push(`${type.name}.${field.name}`);
      }
    }
    // Edges and connections are reached through the fields that return them.
    const unprobed = found.filter(
      (f) => !LOOKUPS[f] && !/Edge\.node$/.test(f) && !/Connection\.edges$/.test(f),
    );
    expect(unprobed, 'fields returning records with no probe in LOOKUPS').toEqual([]);
  });

  it('every query whose filter takes a client has a client probe', () => {
    const found: string[] = [];
    for (const type of [
      schema.getQueryType()!,
      schema.getType('Subscriber') as GraphQLObjectType,
    ]) {
      for (const field of Object.values(type.getFields())) {
        const filter = field.args.find((a) => a.name === 'filter');
        const input = filter && getNamedType(filter.type);
        if (input && isInputObjectType(input) && input.getFields().client) {
          found.push(`${type.name}.${field.name}`);
        }
      }
    }
    expect(found.filter((f) => !CLIENT_FILTERS[f])).toEqual([]);
  });

  it('every mutation that names an existing record has a probe', () => {
    const acting = Object.values(schema.getMutationType()!.getFields())
      .filter(namesARecord)
      .map((f) => f.name);
    expect(acting.filter((name) => !ACTING[name])).toEqual([]);
  });

  it('every error that names a record has its elsewhere form in each union that lists it', () => {
    for (const [name, cls] of Object.entries(ERROR_CLASSES)) {
      if (cls.prototype.elsewhere === GatewayError.prototype.elsewhere) continue;
      const elsewhere = (Object.create(cls.prototype) as GatewayError).elsewhere().name;
      for (const type of Object.values(schema.getTypeMap())) {
        if (!isUnionType(type) || !type.getTypes().some((m) => m.name === name)) continue;
        expect(
          type.getTypes().map((m) => m.name),
          `${type.name} lists ${name}, so it lists ${elsewhere}`,
        ).toContain(elsewhere);
      }
    }
  });
});

describe('every record kind, by node(id:) and nodes(ids:)', () => {
  const NODE = 'query ($id: ID!) { node(id: $id) { id __typename } nodes(ids: [$id]) { id } }';
  for (const kind of Object.keys(RECORD_KINDS) as RecordKindName[]) {
    it(`${kind}: the owner and ledger:all see it; another client and one without the scope get what an unknown id gets`, async () => {
      const { target, unknown } = made.get(kind)!;
      const owner = await as('A', NODE, { id: target.id });
      expect(owner.data?.node, 'the owner sees its record').toMatchObject({ id: target.id });
      expect((await as('auditor', NODE, { id: target.id })).data?.node).toMatchObject({
        id: target.id,
      });
      const noScope = lacking(kind).name;
      const vendorRequests = vendorRequestCount();
      expect(await as(noScope, NODE, { id: target.id })).toEqual(
        await as(noScope, NODE, { id: unknown.id }),
      );
      expect(await as(noScope, NODE, { id: target.id })).toEqual({
        data: { node: null, nodes: [null] },
      });
      // Nothing was asked of any vendor for a caller without the scope.
      expect(vendorRequestCount()).toBe(vendorRequests);
      if (RECORD_KINDS[kind].owned) {
        expect(await as('B', NODE, { id: target.id })).toEqual(
          await as('B', NODE, { id: unknown.id }),
        );
      } else {
        // A fact about a subscriber, not a client's: any client with the scope reads it.
        expect((await as('B', NODE, { id: target.id })).data?.node).toMatchObject({
          id: target.id,
        });
      }
    });
  }

  it('a record of another client that reached a field without ctx.access fails the type check', async () => {
    const contextOf = async (name: string) =>
      (await t.gateway.yoga
        .getEnveloped({
          request: new Request('http://gateway.test/graphql', {
            method: 'POST',
            headers: { authorization: `Bearer ${keys.get(name)}` },
          }),
        })
        .contextFactory()) as unknown as Context;
    const a = await contextOf('A');
    const b = await contextOf('B');
    for (const kind of Object.keys(RECORD_KINDS) as RecordKindName[]) {
      if (!RECORD_KINDS[kind].owned) continue;
      const type = schema.getType(kind) as GraphQLObjectType;
      const key = Buffer.from(made.get(kind)!.target.id, 'base64').toString().split(':')[1]!;
      const own = await a.access.get(kind, key);
      expect(own, `${kind} loads for its owner`).not.toBeNull();
      expect(type.isTypeOf!(own, a, {} as never), `${kind} passes for its owner`).toBe(true);
      expect(() => type.isTypeOf!(own, b, fieldInfo(kind)), `${kind} fails for B`).toThrow(
        /may not use/,
      );
    }
  });
});

describe('every record kind that is a federation entity, by _entities', () => {
  const ENTITIES = `query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Node { id } } }`;
  const entities = (client: string, typename: string, id: string) =>
    as(client, ENTITIES, { r: [{ __typename: typename, id }] });
  for (const kind of entityTypes().filter(isRecordKind)) {
    it(`${kind}: the owner and ledger:all get it; another client and one without the scope get what an unknown id gets`, async () => {
      const { target, unknown } = made.get(kind)!;
      const own = { data: { _entities: [{ __typename: kind, id: target.id }] } };
      expect(await entities('A', kind, target.id)).toEqual(own);
      expect(await entities('auditor', kind, target.id)).toEqual(own);
      expect(await entities('A', kind, unknown.id)).toEqual({ data: { _entities: [null] } });
      const noScope = lacking(kind).name;
      const vendorRequests = vendorRequestCount();
      expect(await entities(noScope, kind, target.id)).toEqual({ data: { _entities: [null] } });
      expect(vendorRequestCount()).toBe(vendorRequests);
      if (RECORD_KINDS[kind].owned) {
        expect(await entities('B', kind, target.id)).toEqual(await entities('B', kind, unknown.id));
        expect(await entities('B', kind, target.id)).toEqual({ data: { _entities: [null] } });
      }
    });
  }
});

/** The types a supergraph may resolve by key: the members of the subgraph's `_Entity`. */
function entityTypes(): string[] {
  const union = subgraphSchemaFor([]).getType('_Entity');
  return isUnionType(union) ? union.getTypes().map((type) => type.name) : [];
}

/** Enough of a resolver's info for the scope plugin's error message. */
function fieldInfo(kind: string) {
  return { parentType: { name: 'Query' }, fieldName: kind } as never;
}

describe('every field that returns records', () => {
  for (const [field, { kind, probe, ownerDiffers }] of Object.entries(LOOKUPS)) {
    it(`${field}: another client and one without the scope cannot tell ${kind} of A from none`, async () => {
      const { target, unknown } = made.get(kind)!;
      if (ownerDiffers !== false) {
        expect(
          await answer(probe, 'A', target),
          'the owner’s answer differs from an unknown’s',
        ).not.toEqual(await answer(probe, 'A', unknown));
      }
      const noScope = lacking(kind).name;
      const vendorRequests = vendorRequestCount();
      expect(await answer(probe, noScope, target)).toEqual(await answer(probe, noScope, unknown));
      if (RECORD_KINDS[kind].owned) {
        expect(await answer(probe, 'B', target)).toEqual(await answer(probe, 'B', unknown));
        // Nor was a vendor asked about A's record for them (a pending call's status, say).
        expect(vendorRequestCount()).toBe(vendorRequests);
      }
    });
  }
});

describe('the client filter narrows within the rule', () => {
  for (const [field, { kind, probe }] of Object.entries(CLIENT_FILTERS)) {
    it(`${field}: A and ledger:all see A’s ${kind} under client A; B naming A gets what naming a client without records gets`, async () => {
      const { target } = made.get(kind)!;
      const own = await answer((c, x) => probe(c, 'A', x), 'A', target);
      expect(own, 'the owner finds its record under its own name').not.toEqual(
        await answer((c, x) => probe(c, 'nobody', x), 'A', target),
      );
      if (own.includes('"client"')) expect(own).not.toMatch(/"client":"(?!A")/);
      // B (no ledger:all) naming A: as if A had no records, and no error that would say otherwise.
      expect(await answer((c, x) => probe(c, 'A', x), 'B', target)).toEqual(
        await answer((c, x) => probe(c, 'nobody', x), 'B', target),
      );
      // ledger:all: A's records under A's name, and none of them under B's.
      expect(await answer((c, x) => probe(c, 'A', x), 'auditor', target)).toEqual(own);
      expect(await answer((c, x) => probe(c, 'B', x), 'auditor', target)).toEqual(
        await answer((c, x) => probe(c, 'nobody', x), 'auditor', target),
      );
    });
  }
});

describe('every mutation on an existing record', () => {
  for (const [mutation, { kind, probe }] of Object.entries(ACTING)) {
    it(`${mutation}: another client’s ${kind} is answered as an unknown one, and no vendor is called`, async () => {
      const { target, unknown } = made.get(kind)!;
      const vendorRequests = vendorRequestCount();
      const theirs = await answer(probe, 'B', target);
      expect(theirs).toEqual(await answer(probe, 'B', unknown));
      expect(vendorRequestCount()).toBe(vendorRequests);
      expect(theirs).toMatch(/NOT_FOUND/);
    });
  }
});

describe('errors that name a record', () => {
  const REQUEST = `mutation ($input: RequestOtpInput!) { requestOtp(input: $input) {
    __typename ... on Error { code message }
    ... on OtpAlreadySent { order { id orderCode } }
    ... on OtpAlreadySentElsewhere { retryAfterSeconds } } }`;

  it('OtpAlreadySent shows the open order to its owner and ledger readers only', async () => {
    const { target } = made.get('Order')!;
    const input = { phone: target.phone, packageCode: 'C120', idempotencyKey: randomUUID() };
    const own = (await as('A', REQUEST, { input })).data?.requestOtp as Record<string, unknown>;
    expect(own).toMatchObject({ __typename: 'OtpAlreadySent', order: { id: target.id } });
    expect(own.message).toContain(target.orderCode);

    const theirs = (await as('B', REQUEST, { input: { ...input, idempotencyKey: randomUUID() } }))
      .data?.requestOtp as Record<string, unknown>;
    expect(theirs).toMatchObject({
      __typename: 'OtpAlreadySentElsewhere',
      code: 'OTP_ALREADY_SENT_ELSEWHERE',
      retryAfterSeconds: expect.any(Number),
    });
    const text = JSON.stringify(theirs);
    expect(text).not.toContain(target.orderCode);
    expect(text).not.toContain(target.id);
    expect(text).not.toMatch(/DG\d|PTI|order [0-9a-f-]{8}/);
    expect(theirs.message).toMatch(/another client/);

    // A back office with ledger:all (and sales) may see it, so it gets the order.
    await client('sales-auditor', ['sales', 'ledger:all']);
    const audited = (
      await as('sales-auditor', REQUEST, { input: { ...input, idempotencyKey: randomUUID() } })
    ).data?.requestOtp as Record<string, unknown>;
    expect(audited).toMatchObject({ __typename: 'OtpAlreadySent', order: { id: target.id } });
  });

  it('VasTransactionInDoubt shows the transaction to its owner only', async () => {
    const REGISTER = `mutation ($input: RegisterVasPackageInput!) { registerVasPackage(input: $input) {
      __typename ... on Error { code message }
      ... on VendorUnavailable { vendor record { ... on VasTransaction { id status } } }
      ... on VasTransactionInDoubt { transaction { id status } } } }`;
    // 0000004: the SDP answers garbage, so the outcome is unknown and the package is in doubt.
    const input = {
      phone: '0910000004',
      serviceId: '1000162',
      packageId: '1003014',
      channel: 'APP',
    };
    const res = await as('A', REGISTER, { input });
    expect(res.data?.registerVasPackage, JSON.stringify(res)).toMatchObject({
      vendor: 'vascloud',
      record: { status: 'UNKNOWN' },
    });
    const { record } = res.data!.registerVasPackage as { record: { id: string; status: string } };
    const first = { transaction: record };
    const own = (await as('A', REGISTER, { input })).data?.registerVasPackage;
    expect(own).toMatchObject({
      __typename: 'VasTransactionInDoubt',
      transaction: { id: first.transaction.id },
    });
    const theirs = (await as('B', REGISTER, { input })).data?.registerVasPackage as Record<
      string,
      unknown
    >;
    expect(theirs).toEqual({
      __typename: 'VasTransactionInDoubtElsewhere',
      code: 'VAS_TRANSACTION_IN_DOUBT_ELSEWHERE',
      message: expect.stringMatching(/another client/),
    });
    const rawId = Buffer.from(first.transaction.id, 'base64').toString().split(':')[1]!;
    expect(JSON.stringify(theirs)).not.toContain(rawId);
  });
});

/** Every request any vendor simulator has had so far. */
function vendorRequestCount(): number {
  const sims = t.gateway.sandbox.simulators as Record<string, { requests?: unknown[] }>;
  return (
    dmall.requests.length +
    Object.values(sims).reduce((n, sim) => n + (sim.requests?.length ?? 0), 0)
  );
}
