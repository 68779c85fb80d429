import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OAPackageStore } from '../../src/store/oa-packages.js';
import { DIALECTS, type TestDatabase } from '../helpers/db.js';

const PURCHASE = {
  clientId: 'pos-1',
  oaId: '4368496041234567',
  tier: 'ADVANCED' as const,
  activeFrom: '2026-12-01',
  duration: 12,
};

describe.each(DIALECTS)('the OA package store on $name', ({ create }) => {
  let t: TestDatabase;
  let clock = Date.parse('2026-11-23T01:00:00.000Z');
  let store: OAPackageStore;
  beforeEach(async () => {
    t = create();
    await t.database.migrate();
    store = new OAPackageStore(t.database, () => new Date(clock));
  });
  afterEach(async () => {
    await t.dispose();
  });

  async function created(input: typeof PURCHASE) {
    const result = await store.create(input);
    if (result.kind !== 'created') throw new Error(`expected created, got ${result.kind}`);
    return result.oaPackage;
  }

  it('records a purchase as SUBMITTED with its first event, and settles it with another', async () => {
    const pkg = await created(PURCHASE);
    expect(pkg).toMatchObject({
      ...PURCHASE,
      status: 'SUBMITTED',
      servicePreviewId: null,
      vendorCode: null,
      vendorMessage: null,
      failureReason: null,
      createdAt: '2026-11-23T01:00:00.000Z',
      version: 1,
    });
    clock += 1_000;
    const accepted = await store.transition(
      pkg,
      'ACCEPTED',
      { servicePreviewId: '52330', vendorCode: '100', vendorMessage: 'ok' },
      'accepted',
    );
    expect(accepted).toMatchObject({
      status: 'ACCEPTED',
      servicePreviewId: '52330',
      vendorCode: '100',
      vendorMessage: 'ok',
      duration: 12,
      updatedAt: '2026-11-23T01:00:01.000Z',
      version: 2,
    });
    expect(await store.findById(pkg.id)).toEqual(accepted);
    expect(await store.eventsFor([pkg.id])).toEqual([
      {
        oaPackageId: pkg.id,
        version: 1,
        status: 'SUBMITTED',
        detail: 'Purchase recorded; calling eSMS',
        at: '2026-11-23T01:00:00.000Z',
      },
      {
        oaPackageId: pkg.id,
        version: 2,
        status: 'ACCEPTED',
        detail: 'accepted',
        at: '2026-11-23T01:00:01.000Z',
      },
    ]);
  });

  it('refuses a change from a stale version (optimistic check), leaving no event', async () => {
    const pkg = await created(PURCHASE);
    expect(await store.transition(pkg, 'UNKNOWN', {}, 'first')).not.toBeNull();
    expect(await store.transition(pkg, 'ACCEPTED', {}, 'second')).toBeNull();
    expect((await store.findById(pkg.id))?.status).toBe('UNKNOWN');
    expect((await store.eventsFor([pkg.id])).map((e) => e.status)).toEqual([
      'SUBMITTED',
      'UNKNOWN',
    ]);
  });

  it('lists one OA’s purchases newest first, by keyset pages', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock += 1_000;
      ids.push((await created(PURCHASE)).id);
    }
    await created({ ...PURCHASE, oaId: 'other' });
    const page = await store.listByOa(PURCHASE.oaId, { limit: 2, inverted: false });
    expect(page.map((p) => p.id)).toEqual([ids[2], ids[1]]);
    expect(await store.countByOa(PURCHASE.oaId)).toBe(3);
  });

  it('refuses a client past its hourly purchase limit, saying when one more fits', async () => {
    const limits = { perClientHour: 2 };
    expect((await store.create(PURCHASE, limits)).kind).toBe('created');
    clock += 600_000;
    expect((await store.create(PURCHASE, limits)).kind).toBe('created');
    expect((await store.create({ ...PURCHASE, clientId: 'pos-2' }, limits)).kind).toBe('created');
    clock += 60_000;
    // The first purchase leaves the hour 49 minutes from now.
    expect(await store.create(PURCHASE, limits)).toEqual({
      kind: 'limited',
      retryAfterSeconds: 2_940,
    });
    expect(await store.countByOa(PURCHASE.oaId)).toBe(3);
    clock += 2_940_000;
    expect((await store.create(PURCHASE, limits)).kind).toBe('created');
  });

  it('counts over the window it is given (the domain’s hour by default)', async () => {
    const limits = { perClientHour: 1 };
    expect((await store.create(PURCHASE, limits)).kind).toBe('created');
    clock += 90 * 60_000;
    expect(await store.create(PURCHASE, { ...limits, windowMs: 2 * 3_600_000 })).toEqual({
      kind: 'limited',
      retryAfterSeconds: 30 * 60,
    });
    expect((await store.create(PURCHASE, limits)).kind).toBe('created');
  });

  it('sweeps purchases cut short mid-call to UNKNOWN, but not one eSMS answered 199', async () => {
    const cut = await created(PURCHASE);
    const processing = await store.transition(
      await created(PURCHASE),
      'SUBMITTED',
      { vendorCode: '199' },
      '199',
    );
    clock += 60_000;
    const fresh = await created(PURCHASE);
    const swept = await store.sweep({ staleAfterMs: 30_000 });
    expect(swept.map((p) => [p.id, p.status, p.failureReason])).toEqual([
      [cut.id, 'UNKNOWN', 'VENDOR_TIMEOUT'],
    ]);
    expect((await store.findById(processing!.id))?.status).toBe('SUBMITTED');
    expect((await store.findById(fresh.id))?.status).toBe('SUBMITTED');
  });
});
