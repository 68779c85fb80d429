import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { vietnamToday } from '../src/domain/oa-package.js';
import type { createEsmsSimulator } from '../src/vendors/esms/simulator.js';
import { MAGIC_CODES } from '../src/vendors/esms/simulator.js';
import { REGIS_OA_PACKAGE_PATH } from '../src/vendors/esms/wire.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

/**
 * Zalo OA package purchases through `yoga.fetch`, against the eSMS simulator on a real loopback
 * port (the gateway's sandbox). Vendor calls are counted, and read, at the simulator.
 */

const ENV = {
  ESMS_TIMEOUT_MS: '1000',
  VENDOR_BREAKER_FAILURES: '1000',
  OA_PURCHASE_LIMIT_PER_CLIENT_HOUR: '1000',
};
const DAY = 86_400_000;

let t: TestGateway;
let clock = Date.now();
beforeAll(async () => {
  t = await startTestGateway(ENV, undefined, { now: () => new Date(clock) });
});
afterAll(async () => {
  await t.close();
});

type EsmsSim = ReturnType<typeof createEsmsSimulator>;
const sim = () => t.gateway.sandbox.simulators.esms as EsmsSim;
const calls = () => sim().callsTo(REGIS_OA_PACKAGE_PATH);
beforeEach(() => {
  sim().requests.length = 0;
  // Every purchase a little later than the one before: the list's order is by time.
  clock += 1_000;
});

/** A day `days` after today in Vietnam, by the real clock the simulator checks against. */
const inDays = (days: number) => vietnamToday(new Date(Date.now() + days * DAY));

const FIELDS = `id oaId tier activeFrom duration status servicePreviewId vendorCode vendorMessage createdAt
  events { sequence status detail }`;

const PURCHASE = `mutation ($input: PurchaseOAPackageInput!) {
  purchaseOAPackage(input: $input) {
    __typename
    ... on Error { code message }
    ... on InvalidInput { field }
    ... on PurchaseOAPackageSuccess { oaPackage { ${FIELDS} } }
    ... on VendorError {
      vendor reason outcomeUnknown vendorCode vendorMessage
      record { ... on OAPackage { ${FIELDS} refusal } }
    }
  }
}`;

interface OAPackageJson {
  id: string;
  oaId: string;
  tier: string;
  activeFrom: string;
  duration: number;
  status: string;
  servicePreviewId: string | null;
  vendorCode: string | null;
  vendorMessage: string | null;
  createdAt: string;
  events: Array<{ sequence: number; status: string; detail: string | null }>;
  refusal?: string | null;
}

interface PurchaseJson {
  __typename: string;
  code?: string;
  message?: string;
  field?: string;
  vendor?: string;
  reason?: string;
  retryAfterSeconds?: number;
  vendorCode?: string | null;
  vendorMessage?: string | null;
  outcomeUnknown?: boolean;
  oaPackage?: OAPackageJson;
  record?: OAPackageJson;
}

let oaSeq = 0;
/** An OA id with no magic ending. */
const plainOa = () => `43684960${String(1_100_000 + ++oaSeq)}`;

async function purchase(
  input: Partial<{
    oaId: string;
    tier: string;
    activeFrom: string;
    duration: number;
    idempotencyKey: string;
  }>,
) {
  const res = await t.graphql<{ purchaseOAPackage: PurchaseJson }>(PURCHASE, {
    input: {
      oaId: plainOa(),
      tier: 'ADVANCED',
      activeFrom: inDays(2),
      duration: 12,
      idempotencyKey: randomUUID(),
      ...input,
    },
  });
  return res;
}

async function purchased(input: Parameters<typeof purchase>[0]): Promise<PurchaseJson> {
  const res = await purchase(input);
  expect(res.errors).toBeUndefined();
  // The vendor errors give the purchase as `record`; the success type as `oaPackage`.
  const { record, ...result } = res.data!.purchaseOAPackage;
  return record ? { ...result, oaPackage: record } : result;
}

describe('purchaseOAPackage', () => {
  it('sends eSMS exactly the documented body, records the purchase, and settles it ACCEPTED', async () => {
    const oaId = plainOa();
    const activeFrom = inDays(3);
    const result = await purchased({ oaId, tier: 'ADVANCED', activeFrom, duration: 6 });

    expect(calls()).toHaveLength(1);
    const raw = calls()[0]!.body;
    expect(JSON.parse(raw)).toEqual({
      ApiKey: 'sandbox-esms-api-key',
      SecretKey: 'sandbox-esms-secret-key',
      Dateactive: activeFrom,
      Duaration: '6',
      OAID: oaId,
      Package: '2',
    });
    // Strings, as the document's table says (its curl sample leaves Package unquoted).
    expect(raw).toContain('"Duaration":"6"');
    expect(raw).toContain('"Package":"2"');
    expect(activeFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    expect(result.__typename).toBe('PurchaseOAPackageSuccess');
    const pkg = result.oaPackage!;
    expect(pkg).toMatchObject({
      oaId,
      tier: 'ADVANCED',
      activeFrom,
      duration: 6,
      status: 'ACCEPTED',
      vendorCode: '100',
      vendorMessage: 'ViHAT is censoring trademark ownership',
    });
    expect(Number(pkg.servicePreviewId)).toBeGreaterThanOrEqual(52_330);
    expect(sim().purchases.get(Number(pkg.servicePreviewId))).toMatchObject({
      oaId,
      package: '2',
      duration: '6',
    });
    expect(pkg.events.map((e) => e.status)).toEqual(['SUBMITTED', 'ACCEPTED']);
    expect(Buffer.from(pkg.id, 'base64').toString()).toMatch(/^OAPackage:[0-9a-f-]{36}$/);

    // Found again by its global id, through oaPackage(id:) and node(id:).
    const again = await t.graphql<{ oaPackage: OAPackageJson; node: { id: string } }>(
      `query ($id: ID!) { oaPackage(id: $id) { ${FIELDS} } node(id: $id) { id ... on OAPackage { status } } }`,
      { id: pkg.id },
    );
    expect(again).toEqual({
      data: { oaPackage: pkg, node: { id: pkg.id, status: 'ACCEPTED' } },
    });
  });

  it('sends each tier as its string Package code', async () => {
    for (const [tier, code] of [
      ['TRIAL', '1'],
      ['PREMIUM', '3'],
    ] as const) {
      sim().requests.length = 0;
      expect((await purchased({ tier })).oaPackage?.tier).toBe(tier);
      expect(JSON.parse(calls()[0]!.body).Package).toBe(code);
    }
  });

  it('replays a repeated request with one vendor call, and refuses the key for another', async () => {
    const input = { oaId: plainOa(), idempotencyKey: randomUUID() };
    const first = await purchased(input);
    const second = await purchased(input);
    const [a, b] = await Promise.all([purchased(input), purchased(input)]);
    expect(calls()).toHaveLength(1);
    expect(second).toEqual(first);
    expect(a).toEqual(first);
    expect(b).toEqual(first);

    const other = await purchased({ ...input, duration: 24 });
    expect(other).toMatchObject({ __typename: 'IdempotencyKeyReused' });
    expect(calls()).toHaveLength(1);
  });

  it('refuses bad input before calling eSMS', async () => {
    const yesterday = vietnamToday(new Date(clock - DAY));
    const refusals = [
      [{ activeFrom: yesterday }, 'activeFrom'],
      [{ duration: 0 }, 'duration'],
      [{ duration: -3 }, 'duration'],
      [{ oaId: '  ' }, 'oaId'],
      [{ idempotencyKey: 'short' }, 'idempotencyKey'],
    ] as const;
    for (const [input, field] of refusals) {
      expect(await purchased(input)).toMatchObject({
        __typename: 'InvalidInput',
        code: 'INVALID_INPUT',
        field,
      });
    }
    // An unknown tier or a malformed date never reaches a resolver.
    for (const input of [
      { tier: 'GOLD' },
      { activeFrom: '2030-02-30' },
      { activeFrom: '1/3/2030' },
    ]) {
      const res = await purchase(input);
      expect(res.data).toBeUndefined();
      expect(res.errors?.[0]?.message).toMatch(
        /got invalid value .* at "input\.(tier|activeFrom)"/,
      );
    }
    expect(calls()).toHaveLength(0);
    const listed = await t.graphql<{ oaPackages: { edges: unknown[] } }>(
      '{ oaPackages(oaId: "4368496041100000") { edges { cursor } } }',
    );
    expect(listed.data?.oaPackages.edges).toEqual([]);
  });

  it('maps each documented eSMS refusal to VendorRejected and a REJECTED purchase', async () => {
    const reasons: Record<string, string> = {
      '101': 'BAD_CREDENTIALS',
      '102': 'NO_PRICE_LIST',
      '103': 'BALANCE_TOO_LOW',
      '124': 'DUPLICATE_REQUEST',
      '140': 'IP_NOT_ALLOWED',
    };
    for (const code of MAGIC_CODES.filter((c) => c !== '199')) {
      const result = await purchased({ oaId: `436849604${'0000'}${code}` });
      expect(result).toMatchObject({
        __typename: 'VendorRejected',
        code: 'OA_PACKAGE_REJECTED',
        vendor: 'esms',
        reason: 'VENDOR_REJECTED',
        outcomeUnknown: false,
        vendorCode: code,
        oaPackage: {
          status: 'REJECTED',
          vendorCode: code,
          servicePreviewId: null,
          refusal: reasons[code] ?? 'ZALO_OA_PROBLEM',
        },
      });
      expect(result.vendorMessage).toBeTruthy();
      expect(result.oaPackage?.events.map((e) => e.status)).toEqual(['SUBMITTED', 'REJECTED']);
    }
    // A code the document does not name: surfaced with eSMS's code and message as they came,
    // beside the gateway's own words.
    expect(await purchased({ oaId: '4368496040000001' })).toMatchObject({
      __typename: 'VendorRejected',
      oaPackage: { refusal: 'OTHER' },
      vendorCode: '99',
      vendorMessage: 'Invalid request',
      message: 'eSMS refused the purchase (code 99).',
    });
    expect(calls()).toHaveLength(MAGIC_CODES.length);
  });

  it('keeps a purchase SUBMITTED when eSMS answers 199 (already being processed)', async () => {
    const result = await purchased({ oaId: '4368496040000199' });
    expect(result).toMatchObject({
      __typename: 'PurchaseOAPackageSuccess',
      oaPackage: { status: 'SUBMITTED', vendorCode: '199', servicePreviewId: null },
    });
    expect(result.oaPackage?.events.map((e) => e.status)).toEqual(['SUBMITTED', 'SUBMITTED']);
  });

  it('leaves a timed-out purchase UNKNOWN, never repeats the call, and replays the answer', async () => {
    const input = { oaId: '4368496040000003', idempotencyKey: randomUUID() };
    const first = await purchased(input);
    expect(first).toMatchObject({
      __typename: 'VendorUnavailable',
      code: 'OA_PACKAGE_VENDOR_UNAVAILABLE',
      reason: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
      oaPackage: { status: 'UNKNOWN', vendorCode: null },
    });
    expect(first.oaPackage?.events.map((e) => e.status)).toEqual(['SUBMITTED', 'UNKNOWN']);
    expect(await purchased(input)).toEqual(first);
    expect(calls()).toHaveLength(1);
  });

  it('settles a lost reply as UNKNOWN; buying the same again finds it already at eSMS (199)', async () => {
    const lost = await purchased({ oaId: '4368496040000005' });
    expect(lost).toMatchObject({ outcomeUnknown: true, oaPackage: { status: 'UNKNOWN' } });
    expect(sim().purchases.size).toBeGreaterThan(0);
    const again = await purchased({ oaId: '4368496040000005' });
    expect(again).toMatchObject({
      __typename: 'PurchaseOAPackageSuccess',
      oaPackage: { status: 'SUBMITTED', vendorCode: '199' },
    });
    expect(calls()).toHaveLength(2);
  });

  it('reads a 503 as not acted on (REJECTED) and garbage as UNKNOWN', async () => {
    expect(await purchased({ oaId: '4368496040000002' })).toMatchObject({
      __typename: 'VendorUnavailable',
      reason: 'VENDOR_HTTP',
      outcomeUnknown: false,
      oaPackage: { status: 'REJECTED', vendorCode: null },
    });
    expect(await purchased({ oaId: '4368496040000004' })).toMatchObject({
      __typename: 'VendorUnavailable',
      reason: 'VENDOR_BAD_RESPONSE',
      outcomeUnknown: true,
      oaPackage: { status: 'UNKNOWN' },
    });
  });

  it('refuses a client past OA_PURCHASE_LIMIT_PER_CLIENT_HOUR without calling eSMS, freeing the key', async () => {
    const limited = await startTestGateway({ ...ENV, OA_PURCHASE_LIMIT_PER_CLIENT_HOUR: '2' });
    try {
      const limitedSim = limited.gateway.sandbox.simulators.esms as EsmsSim;
      const buy = (client: string, key = randomUUID()) =>
        limited.graphql<{ purchaseOAPackage: PurchaseJson }>(
          `mutation ($input: PurchaseOAPackageInput!) { purchaseOAPackage(input: $input) {
            __typename ... on OAPurchaseRateLimited { code retryAfterSeconds } } }`,
          {
            input: {
              oaId: plainOa(),
              tier: 'TRIAL',
              activeFrom: inDays(1),
              duration: 1,
              idempotencyKey: key,
            },
          },
          { 'x-client-id': client },
        );
      expect((await buy('shop-1')).data?.purchaseOAPackage.__typename).toBe(
        'PurchaseOAPackageSuccess',
      );
      expect((await buy('shop-1')).data?.purchaseOAPackage.__typename).toBe(
        'PurchaseOAPackageSuccess',
      );
      const key = randomUUID();
      const third = (await buy('shop-1', key)).data?.purchaseOAPackage;
      expect(third).toMatchObject({
        __typename: 'OAPurchaseRateLimited',
        code: 'OA_PURCHASE_RATE_LIMITED',
      });
      expect(third?.retryAfterSeconds).toBeGreaterThan(3_500);
      // Another client has a budget of its own.
      expect((await buy('shop-2')).data?.purchaseOAPackage.__typename).toBe(
        'PurchaseOAPackageSuccess',
      );
      expect(limitedSim.callsTo(REGIS_OA_PACKAGE_PATH)).toHaveLength(3);
    } finally {
      await limited.close();
    }
  });

  it('is one per document', async () => {
    const res = await t.graphql(
      `mutation ($a: PurchaseOAPackageInput!, $b: PurchaseOAPackageInput!) {
        a: purchaseOAPackage(input: $a) { __typename }
        b: purchaseOAPackage(input: $b) { __typename }
      }`,
      {
        a: {
          oaId: plainOa(),
          tier: 'TRIAL',
          activeFrom: inDays(1),
          duration: 1,
          idempotencyKey: randomUUID(),
        },
        b: {
          oaId: plainOa(),
          tier: 'TRIAL',
          activeFrom: inDays(1),
          duration: 1,
          idempotencyKey: randomUUID(),
        },
      },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('TOO_MANY_SENSITIVE_MUTATIONS');
    expect(calls()).toHaveLength(0);
  });
});

describe('oaPackages and oaPackage', () => {
  it('lists one OA’s purchases newest first, a page at a time', async () => {
    const oaId = plainOa();
    const made: string[] = [];
    for (const duration of [1, 2, 3]) {
      clock += 1_000;
      made.push((await purchased({ oaId, duration })).oaPackage!.id);
    }
    await purchased({}); // another OA's
    const PAGE = `query ($oaId: String!, $after: String) {
      oaPackages(oaId: $oaId, first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } edges { node { id duration } } } }`;
    const one = await t.graphql<{
      oaPackages: {
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: Array<{ node: { id: string; duration: number } }>;
      };
    }>(PAGE, { oaId });
    expect(one.data?.oaPackages.edges.map((e) => e.node)).toEqual([
      { id: made[2], duration: 3 },
      { id: made[1], duration: 2 },
    ]);
    expect(one.data?.oaPackages.pageInfo.hasNextPage).toBe(true);
    const two = await t.graphql<typeof one.data>(PAGE, {
      oaId,
      after: one.data?.oaPackages.pageInfo.endCursor,
    });
    expect(two.data?.oaPackages.edges.map((e) => e.node)).toEqual([{ id: made[0], duration: 1 }]);
    expect(two.data?.oaPackages.pageInfo.hasNextPage).toBe(false);
  });

  it('answers null for no such purchase and an error for a bad id, cursor or page size', async () => {
    const missing = Buffer.from(`OAPackage:${randomUUID()}`).toString('base64');
    expect(await t.graphql(`{ oaPackage(id: "${missing}") { id } }`)).toEqual({
      data: { oaPackage: null },
    });
    const orderId = Buffer.from(`Order:${randomUUID()}`).toString('base64');
    for (const query of [
      `{ oaPackage(id: "${orderId}") { id } }`,
      '{ oaPackage(id: "not-an-id") { id } }',
      '{ oaPackages(oaId: "1", first: 101) { edges { cursor } } }',
    ]) {
      const res = await t.graphql(query);
      expect(res.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    }
    const res = await t.graphql('{ oaPackages(oaId: "1", after: "bad") { edges { cursor } } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('INVALID_CURSOR');
  });
});
