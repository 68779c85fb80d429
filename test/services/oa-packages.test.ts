import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInput, VendorUnavailable } from '../../src/domain/errors.js';
import { IdempotentRunner } from '../../src/services/idempotent.js';
import { OAPackagePurchases } from '../../src/services/oa-packages.js';
import { IdempotencyStore } from '../../src/store/idempotency.js';
import { OAPackageStore } from '../../src/store/oa-packages.js';
import type { EsmsClient, OAPackagePurchase } from '../../src/vendors/esms/index.js';
import { DIALECTS, type TestDatabase } from '../helpers/db.js';

/** The purchase service on its own: real stores, a stand-in eSMS client, an injected clock. */

describe.each(DIALECTS)('OA package purchases on $name', ({ create }) => {
  let t: TestDatabase;
  // 18:00 UTC on the 10th is 01:00 on the 11th in Vietnam.
  let clock = Date.parse('2026-03-10T18:00:00.000Z');
  const now = () => new Date(clock);
  let store: OAPackageStore;
  let idempotency: IdempotencyStore;
  let received: OAPackagePurchase[];
  let answer: (p: OAPackagePurchase) => Promise<unknown>;
  let purchases: OAPackagePurchases;

  beforeEach(async () => {
    t = create();
    await t.database.migrate();
    store = new OAPackageStore(t.database, now);
    idempotency = new IdempotencyStore(t.database, { ttlHours: 24, abandonAfterMs: 60_000, now });
    received = [];
    answer = async () => ({
      kind: 'submitted',
      servicePreviewId: '52330',
      vendorCode: '100',
      message: 'ok',
    });
    const esms = {
      purchaseOAPackage: (p: OAPackagePurchase) => {
        received.push(p);
        return answer(p);
      },
    } as unknown as EsmsClient;
    purchases = new OAPackagePurchases({
      store,
      idempotent: new IdempotentRunner({
        store: idempotency,
        secret: 'service-test-secret-of-32-characters',
        duplicateWaitMs: 1_000,
      }),
      esms,
      limitPerClientHour: 100,
      logger: pino({ level: 'silent' }),
      now,
    });
  });
  afterEach(async () => {
    await t.dispose();
  });

  const buy = (activeFrom: string, key = randomUUID()) =>
    purchases.purchase('pos-1', {
      oaId: '4368496041234567',
      tier: 'PREMIUM',
      activeFrom,
      duration: 3,
      idempotencyKey: key,
    });

  it('takes "today" in Vietnam time: the UTC date is already yesterday there', async () => {
    await expect(buy('2026-03-10')).rejects.toThrow(InvalidInput);
    expect(received).toEqual([]);
    const pkg = await buy('2026-03-11');
    expect(pkg).toMatchObject({ status: 'ACCEPTED', activeFrom: '2026-03-11' });
    expect(received).toEqual([
      { oaId: '4368496041234567', tier: 'PREMIUM', activeFrom: '2026-03-11', duration: 3 },
    ]);
  });

  it('answers a retry after the gateway stopped mid-call from the swept ledger, without calling again', async () => {
    // The process "stops" during the call: nothing settles the row or the key.
    answer = () => Promise.reject(new Error('process stopped'));
    const key = randomUUID();
    await expect(buy('2026-03-12', key)).rejects.toThrow('process stopped');
    const [row] = await store.listByOa('4368496041234567', { limit: 5, inverted: false });
    expect(row).toMatchObject({ status: 'SUBMITTED', vendorCode: null });

    clock += 120_000;
    expect((await store.sweep({ staleAfterMs: 60_000 })).map((p) => p.status)).toEqual(['UNKNOWN']);
    expect(await idempotency.settleAbandoned()).toBe(1);

    const retry = await buy('2026-03-12', key).catch((err: unknown) => err);
    expect(retry).toBeInstanceOf(VendorUnavailable);
    expect(retry).toMatchObject({
      code: 'OA_PACKAGE_VENDOR_UNAVAILABLE',
      vendor: 'esms',
      outcomeUnknown: true,
      record: { kind: 'OAPackage', key: row!.id },
    });
    expect(received).toHaveLength(1);
  });
});
