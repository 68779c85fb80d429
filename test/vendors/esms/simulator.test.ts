import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EsmsClient, type OAPackagePurchase } from '../../../src/vendors/esms/client.js';
import { esms } from '../../../src/vendors/esms/index.js';
import { createEsmsSimulator, MAGIC_CODES } from '../../../src/vendors/esms/simulator.js';
import { REGIS_OA_PACKAGE_PATH } from '../../../src/vendors/esms/wire.js';
import { VendorError, VendorHttp, VendorMetrics } from '../../../src/vendors/http.js';
import { effectiveSection } from '../../../src/vendors/index.js';
import { startSimulators } from '../../../src/vendors/sandbox.js';

/** The client against the simulator on a real loopback port. */

const API_KEY = 'sim-api-key';
const SECRET_KEY = 'sim-secret-key';
// 2026-03-10T18:00Z is 2026-03-11 01:00 in Vietnam: "today" there is the 11th.
const NOW = Date.parse('2026-03-10T18:00:00Z');

const sim = createEsmsSimulator({
  apiKey: API_KEY,
  secretKey: SECRET_KEY,
  hangMs: 2_000,
  now: () => NOW,
});
const https: VendorHttp[] = [];

function clientFor(keys: { apiKey?: string; secretKey?: string } = {}) {
  const http = new VendorHttp({
    vendor: 'esms',
    baseUrl: sim.url,
    // Short: the hanging OA ids hang far longer than this (but only hangMs, so nothing lingers).
    timeoutMs: 1_000,
    maxBodyBytes: 65536,
    // Reads would be retried: a purchase must not be.
    readRetries: 2,
    retryInitialDelayMs: 1,
    breakerFailures: 100,
    breakerHalfOpenMs: 1000,
    maxConcurrency: 4,
    metrics: new VendorMetrics(new Registry()),
    logger: pino({ level: 'silent' }),
  });
  https.push(http);
  return new EsmsClient({
    http,
    apiKey: keys.apiKey ?? API_KEY,
    secretKey: keys.secretKey ?? SECRET_KEY,
  });
}

let client: EsmsClient;
beforeAll(async () => {
  await sim.listen();
  client = clientFor();
});
afterEach(() => {
  sim.requests.length = 0;
});
afterAll(async () => {
  await Promise.all(https.map((h) => h.close()));
  await sim.close();
});

/** OA ids: a base, with the last seven digits picking the sandbox behaviour. */
const oa = (last7: string) => `4368496045${last7}`;
let serial = 1_000;
/** A fresh, ordinary OA id (no magic ending) per test, so state does not leak between tests. */
const freshOa = () => oa(String(5_000_000 + serial++));

const purchaseFor = (oaId: string, change: Partial<OAPackagePurchase> = {}): OAPackagePurchase => ({
  oaId,
  tier: 'PREMIUM',
  activeFrom: '2026-03-11',
  duration: 6,
  ...change,
});

async function failure(promise: Promise<unknown>): Promise<VendorError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a VendorError');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VendorError);
  return err as VendorError;
}

const received = () => sim.callsTo(REGIS_OA_PACKAGE_PATH);
const post = (body: unknown) =>
  fetch(`${sim.url}${REGIS_OA_PACKAGE_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('eSMS simulator: RegisOAPackageJson', () => {
  it('receives the exact documented JSON and remembers the purchase', async () => {
    const oaId = freshOa();
    const result = await client.purchaseOAPackage(purchaseFor(oaId));
    expect(result).toMatchObject({ kind: 'submitted', vendorCode: '100' });
    expect(result.servicePreviewId).toMatch(/^\d+$/);

    const [call, ...more] = received();
    expect(more).toEqual([]);
    expect(call?.method).toBe('POST');
    expect(call?.headers['content-type']).toBe('application/json');
    // Field names and order as the document's curl, `Duaration` as eSMS spells it, every value a
    // string (`Package` too), the date as yyyy-MM-dd.
    expect(call?.body).toBe(
      JSON.stringify({
        ApiKey: API_KEY,
        SecretKey: SECRET_KEY,
        Dateactive: '2026-03-11',
        Duaration: '6',
        OAID: oaId,
        Package: '3',
      }),
    );
    expect(sim.purchases.get(Number(result.servicePreviewId))).toEqual({
      servicePreviewId: Number(result.servicePreviewId),
      oaId,
      package: '3',
      dateActive: '2026-03-11',
      duration: '6',
      status: 'processing',
      calls: 1,
    });
  });

  it('answers 199 for the same purchase while it is processed, and a new id once it is done', async () => {
    const oaId = freshOa();
    const first = await client.purchaseOAPackage(purchaseFor(oaId));
    expect(first.kind).toBe('submitted');
    await expect(client.purchaseOAPackage(purchaseFor(oaId))).resolves.toMatchObject({
      kind: 'already-processing',
      vendorCode: '199',
    });
    // Another duration is another purchase.
    await expect(
      client.purchaseOAPackage(purchaseFor(oaId, { duration: 12 })),
    ).resolves.toMatchObject({ kind: 'submitted' });
    const id = Number(first.servicePreviewId);
    expect(sim.purchases.get(id)?.calls).toBe(2);

    sim.finishReview(id);
    const again = await client.purchaseOAPackage(purchaseFor(oaId));
    expect(again.kind).toBe('submitted');
    expect(again.servicePreviewId).not.toBe(first.servicePreviewId);
  });

  it('refuses wrong keys with 101, before looking at the body', async () => {
    const wrong = clientFor({ secretKey: 'not-the-secret' });
    await expect(failure(wrong.purchaseOAPackage(purchaseFor(freshOa())))).resolves.toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: '101',
      reason: 'BAD_CREDENTIALS',
      vendorMessage: 'Authorize Failed',
      outcomeUnknown: false,
    });
    const res = await post({ ApiKey: API_KEY, Package: 2 });
    expect(await res.json()).toMatchObject({ CodeResult: '101' });
  });

  it('refuses a date before today in Vietnam, and takes today', async () => {
    const oaId = freshOa();
    await expect(
      failure(client.purchaseOAPackage(purchaseFor(oaId, { activeFrom: '2026-03-10' }))),
    ).resolves.toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: '99',
      reason: 'OTHER',
      vendorMessage: 'Dateactive 2026-03-10 is before today (2026-03-11)',
    });
    await expect(
      client.purchaseOAPackage(purchaseFor(oaId, { activeFrom: '2026-03-11' })),
    ).resolves.toMatchObject({ kind: 'submitted' });
    expect([...sim.purchases.values()].filter((p) => p.oaId === oaId)).toHaveLength(1);
  });

  it.each([
    [{ Package: 3 }, 'Package'],
    [{ Duaration: 6 }, 'Duaration'],
    [{ Duaration: undefined, Duration: '6' }, 'Duaration'],
    [{ Dateactive: '11/03/2026' }, 'Dateactive'],
    [{ Dateactive: '2026-02-30' }, 'Dateactive'],
    [{ OAID: '' }, 'OAID'],
  ])('answers 400 with code 99 to a malformed body: %o', async (change, field) => {
    const body = {
      ApiKey: API_KEY,
      SecretKey: SECRET_KEY,
      Dateactive: '2026-03-11',
      Duaration: '6',
      OAID: freshOa(),
      Package: '3',
      ...change,
    };
    const res = await post(body);
    expect(res.status).toBe(400);
    const reply = (await res.json()) as { CodeResult: string; ErrorMessage: string };
    expect(reply.CodeResult).toBe('99');
    expect(reply.ErrorMessage).toContain(field);
  });

  it('answers 400 with code 99 to a body that is not JSON', async () => {
    const res = await post('ApiKey=x');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ CodeResult: '99' });
  });

  it.each(MAGIC_CODES.filter((c) => c !== '199'))(
    'answers code %s for an OA id ending 0000%s, refused without a purchase',
    async (code) => {
      const err = await failure(client.purchaseOAPackage(purchaseFor(oa(`0000${code}`))));
      expect(err).toMatchObject({
        code: 'VENDOR_REJECTED',
        vendorCode: code,
        outcomeUnknown: false,
      });
      expect(err.vendorMessage).toBeTruthy();
      expect(received()).toHaveLength(1);
      expect([...sim.purchases.values()].some((p) => p.oaId === oa(`0000${code}`))).toBe(false);
    },
  );

  it('answers 199 for an OA id ending 0000199', async () => {
    await expect(client.purchaseOAPackage(purchaseFor(oa('0000199')))).resolves.toEqual({
      kind: 'already-processing',
      servicePreviewId: null,
      vendorCode: '199',
      message: 'The request already exists and is being processed',
    });
  });

  it('refuses an OA id ending 0000001 with a code the document does not name', async () => {
    await expect(
      failure(client.purchaseOAPackage(purchaseFor(oa('0000001')))),
    ).resolves.toMatchObject({ code: 'VENDOR_REJECTED', vendorCode: '99', reason: 'OTHER' });
  });

  it('answers 503 for an OA id ending 0000002, called once', async () => {
    await expect(
      failure(client.purchaseOAPackage(purchaseFor(oa('0000002')))),
    ).resolves.toMatchObject({ code: 'VENDOR_HTTP', status: 503, outcomeUnknown: false });
    expect(received()).toHaveLength(1);
  });

  it('times out on an OA id ending 0000003: outcome unknown, called once, not retried', async () => {
    await expect(
      failure(client.purchaseOAPackage(purchaseFor(oa('0000003')))),
    ).resolves.toMatchObject({ code: 'VENDOR_TIMEOUT', outcomeUnknown: true });
    expect(received()).toHaveLength(1);
  });

  it('reads the garbage of an OA id ending 0000004 as a bad response, outcome unknown', async () => {
    await expect(
      failure(client.purchaseOAPackage(purchaseFor(oa('0000004')))),
    ).resolves.toMatchObject({ code: 'VENDOR_BAD_RESPONSE', outcomeUnknown: true });
    expect(received()).toHaveLength(1);
  });

  it('acts, then loses the reply, for an OA id ending 0000005; asking again answers 199', async () => {
    const oaId = oa('0000005');
    await expect(failure(client.purchaseOAPackage(purchaseFor(oaId)))).resolves.toMatchObject({
      code: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
    });
    expect(received()).toHaveLength(1);
    expect([...sim.purchases.values()].filter((p) => p.oaId === oaId)).toHaveLength(1);
    await expect(client.purchaseOAPackage(purchaseFor(oaId))).resolves.toMatchObject({
      kind: 'already-processing',
    });
  });

  it('hangs once without acting for an OA id ending 0000006; the next call goes through', async () => {
    const oaId = oa('0000006');
    await expect(failure(client.purchaseOAPackage(purchaseFor(oaId)))).resolves.toMatchObject({
      code: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
    });
    expect([...sim.purchases.values()].some((p) => p.oaId === oaId)).toBe(false);
    await expect(client.purchaseOAPackage(purchaseFor(oaId))).resolves.toMatchObject({
      kind: 'submitted',
    });
    expect(received()).toHaveLength(2);
  });
});

describe('esms vendor module in sandbox', () => {
  it('starts its simulator with the sandbox credentials its client is given', async () => {
    const section = esms.section({ ESMS_TIMEOUT_MS: 1000 } as Parameters<typeof esms.section>[0]);
    const sandbox = await startSimulators([esms], { esms: section });
    const http = new VendorHttp({
      vendor: 'esms',
      baseUrl: sandbox.urls.esms ?? '',
      timeoutMs: 1000,
      maxBodyBytes: 65536,
      readRetries: 0,
      breakerFailures: 5,
      breakerHalfOpenMs: 1000,
      maxConcurrency: 2,
      metrics: new VendorMetrics(new Registry()),
      logger: pino({ level: 'silent' }),
    });
    try {
      const config = effectiveSection(esms, section, sandbox.urls.esms);
      expect(config).toMatchObject({ apiKey: 'sandbox-esms-api-key' });
      const sandboxClient = esms.client?.({
        http,
        config: config ?? section,
        logger: pino({ level: 'silent' }),
      });
      // Tomorrow in Vietnam: never before the simulator's today, even across midnight.
      const tomorrow = new Date(Date.now() + 31 * 3_600_000).toISOString().slice(0, 10);
      await expect(
        sandboxClient?.purchaseOAPackage({
          oaId: '4368496045530813833',
          tier: 'TRIAL',
          activeFrom: tomorrow,
          duration: 1,
        }),
      ).resolves.toMatchObject({ kind: 'submitted', servicePreviewId: '52330' });
    } finally {
      await http.close();
      await sandbox.close();
    }
  });
});
