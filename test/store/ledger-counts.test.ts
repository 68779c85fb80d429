import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Order, OrderStatus } from '../../src/domain/order.js';
import type { VasTransaction, VasTransactionStatus } from '../../src/domain/vas.js';
import { splitRange } from '../../src/store/counters.js';
import { migrationProvider } from '../../src/store/migrations.js';
import { type OrderFilter, OrderStore } from '../../src/store/orders.js';
import { VasStore, type VasTransactionFilter } from '../../src/store/vas.js';
import { DIALECTS, TEST_DATABASE_URL, type TestDatabase } from '../helpers/db.js';

if (!TEST_DATABASE_URL) {
  console.warn('ledger counts: PostgreSQL case skipped (TEST_DATABASE_URL unset)');
}

/** A seeded pseudo-random sequence: a failure can be replayed. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

const CLIENTS = ['pos-1', 'pos-2', 'pos-3'];
const ORDER_MOVES: OrderStatus[] = ['OTP_SENT', 'FAILED', 'REGISTERING', 'REGISTERED', 'UNKNOWN'];
const VAS_MOVES: VasTransactionStatus[] = ['SUCCEEDED', 'FAILED', 'UNKNOWN'];
const START = Date.parse('2026-11-20T00:00:00.000Z');
const HOUR = 3_600_000;

/** Date ranges on and off day boundaries, inside, across and outside the rows' days. */
const RANGES: Array<[Date | null, Date | null]> = [
  [null, null],
  [new Date(START + 24 * HOUR), null],
  [null, new Date(START + 48 * HOUR)],
  [new Date(START + 5 * HOUR), new Date(START + 77 * HOUR)],
  [new Date(START + 30 * HOUR), new Date(START + 40 * HOUR)],
  [new Date(START + 23 * HOUR + 59 * 60_000), new Date(START + 24 * HOUR + 1)],
  [new Date(START - 48 * HOUR), new Date(START + 200 * HOUR)],
  [new Date(START + 50 * HOUR), new Date(START + 50 * HOUR)],
];

describe.each(DIALECTS)('totalCount from the counters on $name', ({ create }) => {
  let t: TestDatabase;
  let clock = START;
  beforeEach(async () => {
    t = create();
    await t.database.migrate();
  });
  afterEach(async () => {
    await t.dispose();
  });

  type AnyFilter = OrderFilter & Omit<VasTransactionFilter, 'status'>;

  async function countStar(table: 'orders' | 'vas_transactions', f: AnyFilter) {
    let q = t.database.db.selectFrom(table).select(sql<number>`count(*)`.as('n'));
    const columns = {
      telco: 'telco',
      packageCode: 'package_code',
      action: 'action',
      serviceId: 'service_id',
      packageId: 'package_id',
    } as const;
    for (const [key, column] of Object.entries(columns)) {
      const value = f[key as keyof typeof columns];
      if (value) q = q.where(sql.ref(column), '=', value);
    }
    if (f.clientId) q = q.where('client_id', '=', f.clientId);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.phone) q = q.where('phone', '=', f.phone);
    if (f.createdFrom) q = q.where('created_at', '>=', f.createdFrom.toISOString());
    if (f.createdTo) q = q.where('created_at', '<', f.createdTo.toISOString());
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  /** Owner × status × date range, each alone and with each tag filter (`tags`), and a phone. */
  function filters<S>(statuses: S[], phone: string, tags: AnyFilter[]): AnyFilter[] {
    const out: AnyFilter[] = [];
    for (const clientId of [null, ...CLIENTS.slice(0, 2)]) {
      for (const status of [null, ...statuses]) {
        for (const [createdFrom, createdTo] of RANGES) {
          for (const extra of [{}, ...tags]) {
            out.push({ clientId, status, createdFrom, createdTo, ...extra } as AnyFilter);
          }
        }
      }
    }
    out.push({ phone }, { phone, clientId: CLIENTS[0] }, { ...tags[0], ...tags[1] });
    return out;
  }

  it('equals count(*) for every filter after random inserts and status changes of orders', async () => {
    const next = random(21);
    const orders = new OrderStore(t.database, () => new Date(clock));
    const rules = {
      limits: { perPhoneHour: 1000, perPhone10Min: 1000, perClientMinute: 1000 },
      validitySeconds: 1,
    };
    const live: Order[] = [];
    for (let i = 0; i < 120; i++) {
      clock = START + Math.floor(next() * 96 * HOUR);
      if (live.length > 0 && next() < 0.45) {
        const k = Math.floor(next() * live.length);
        const status = ORDER_MOVES[Math.floor(next() * ORDER_MOVES.length)]!;
        const moved = await orders.transition(live[k]!, status, {}, 'random move');
        if (moved) live[k] = moved;
        // A stale copy loses the version check and changes nothing.
        if (next() < 0.2) await orders.transition({ ...live[k]!, version: 1 }, 'EXPIRED', {}, 'x');
        continue;
      }
      const created = await orders.createPending(
        {
          clientId: CLIENTS[Math.floor(next() * CLIENTS.length)]!,
          phone: `09360${String(Math.floor(next() * 8)).padStart(5, '0')}`,
          telco: next() < 0.5 ? 'MOBIFONE' : 'VIETTEL',
          packageCode: `P${i % 4}`,
          utm: { source: '', medium: '', content: '', campaign: '' },
        },
        rules,
      );
      if (created.kind === 'created') live.push(created.order);
    }
    const tags: AnyFilter[] = [
      { telco: 'MOBIFONE' },
      { packageCode: 'P1' },
      { telco: 'VIETTEL' },
      { telco: 'VIETTEL', packageCode: 'P2' },
    ];
    for (const f of filters(['PENDING', ...ORDER_MOVES], '0936000003', tags)) {
      expect({ f, n: await orders.count(f) }).toEqual({ f, n: await countStar('orders', f) });
    }
  }, 60_000);

  it('stays exact under concurrent inserts and status changes', async () => {
    const orders = new OrderStore(t.database, () => new Date(clock));
    clock = START;
    const rules = {
      limits: { perPhoneHour: 1000, perPhone10Min: 1000, perClientMinute: 1000 },
      validitySeconds: 600,
    };
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        orders.createPending(
          {
            clientId: CLIENTS[i % 3]!,
            phone: `0936100${String(i).padStart(3, '0')}`,
            telco: 'MOBIFONE',
            packageCode: 'C120',
            utm: { source: '', medium: '', content: '', campaign: '' },
          },
          rules,
        ),
      ),
    );
    const made = created.flatMap((c) => (c.kind === 'created' ? [c.order] : []));
    expect(made).toHaveLength(40);
    // Every order moved twice at once, in opposite directions of the status list: only one
    // move of each wins, and no two transactions deadlock on the counter rows.
    await Promise.all(
      made.flatMap((o, i) => [
        orders.transition(o, i % 2 ? 'OTP_SENT' : 'FAILED', {}, 'a'),
        orders.transition(o, i % 2 ? 'FAILED' : 'OTP_SENT', {}, 'b'),
      ]),
    );
    for (const f of filters(['PENDING', 'OTP_SENT', 'FAILED'], '0936100001', [
      { packageCode: 'C120' },
    ])) {
      expect({ f, n: await orders.count(f) }).toEqual({ f, n: await countStar('orders', f) });
    }
  }, 60_000);

  it('equals count(*) for every filter after random inserts and status changes of VAS transactions', async () => {
    const next = random(5);
    const store = new VasStore(t.database, () => new Date(clock));
    const live: VasTransaction[] = [];
    for (let i = 0; i < 100; i++) {
      clock = START + Math.floor(next() * 96 * HOUR);
      if (live.length > 0 && next() < 0.45) {
        const k = Math.floor(next() * live.length);
        const status = VAS_MOVES[Math.floor(next() * VAS_MOVES.length)]!;
        const moved = await store.transition(live[k]!, status, {}, 'random move');
        if (moved) live[k] = moved;
        continue;
      }
      const created = await store.create({
        clientId: CLIENTS[Math.floor(next() * CLIENTS.length)]!,
        phone: `09120${String(Math.floor(next() * 8)).padStart(5, '0')}`,
        serviceId: next() < 0.5 ? '1000161' : '1000162',
        packageId: `P${i}`,
        action: next() < 0.5 ? 'REGISTER' : 'CANCEL',
        channel: 'APP',
        price: '3000',
        autoRenew: null,
        queueId: `q${i}`,
      });
      if (created.kind === 'created') live.push(created.transaction);
    }
    const tags: AnyFilter[] = [
      { action: 'REGISTER' },
      { serviceId: '1000162' },
      { packageId: 'P3' },
      { action: 'CANCEL', serviceId: '1000161' },
    ];
    for (const f of filters(['PENDING', ...VAS_MOVES], '0912000003', tags)) {
      const vf = f as VasTransactionFilter;
      expect({ f, n: await store.count(vf) }).toEqual({
        f,
        n: await countStar('vas_transactions', f),
      });
    }
  }, 60_000);
});

describe.each(DIALECTS)('combined-tag counters on $name', ({ create }) => {
  it('are filled by migration 0012 from the rows written before it', async () => {
    const t = create();
    try {
      await t.database.migrate();
      const orders = new OrderStore(t.database, () => new Date(START + 30 * HOUR));
      const rules = {
        limits: { perPhoneHour: 1000, perPhone10Min: 1000, perClientMinute: 1000 },
        validitySeconds: 600,
      };
      for (let i = 0; i < 12; i++) {
        const created = await orders.createPending(
          {
            clientId: CLIENTS[i % 3]!,
            phone: `0936200${String(i).padStart(3, '0')}`,
            telco: i % 2 ? 'MOBIFONE' : 'VIETTEL',
            packageCode: `P${i % 3}`,
            utm: { source: '', medium: '', content: '', campaign: '' },
          },
          rules,
        );
        if (created.kind === 'created' && i % 4 === 0) {
          await orders.transition(created.order, 'OTP_SENT', {}, 'sent');
        }
      }
      // As a database written by the version before 0012: no combined-tag counters.
      await t.database.db.deleteFrom('ledger_counts').where('tag', 'like', '%&%').execute();
      const { '0012_ledger_combined_tags': m } = await migrationProvider.getMigrations();
      await m!.up(t.database.db as never);
      const exact = async (f: OrderFilter) => {
        let q = t.database.db.selectFrom('orders').select(sql<number>`count(*)`.as('n'));
        if (f.clientId) q = q.where('client_id', '=', f.clientId);
        if (f.status) q = q.where('status', '=', f.status);
        q = q.where('telco', '=', f.telco!).where('package_code', '=', f.packageCode!);
        return Number((await q.executeTakeFirstOrThrow()).n);
      };
      for (const clientId of [null, CLIENTS[0]!]) {
        for (const status of [null, 'PENDING', 'OTP_SENT'] as const) {
          for (const [telco, packageCode] of [
            ['VIETTEL', 'P0'],
            ['MOBIFONE', 'P1'],
            ['MOBIFONE', 'P0'],
          ] as const) {
            const f: OrderFilter = { clientId, status, telco, packageCode };
            expect({ f, n: await orders.count(f) }).toEqual({ f, n: await exact(f) });
          }
        }
      }
      expect(await orders.count({ telco: 'VIETTEL', packageCode: 'P0' })).toBeGreaterThan(0);
    } finally {
      await t.dispose();
    }
  });
});

describe('splitRange', () => {
  it('gives whole UTC days to the counters and the partial days at either end to the rows', () => {
    const d = (s: string) => new Date(s);
    expect(splitRange(null, null)).toEqual({ days: { fromDay: null, toDay: null }, edges: [] });
    expect(splitRange(d('2026-11-20T00:00:00Z'), d('2026-11-22T00:00:00Z'))).toEqual({
      days: { fromDay: '2026-11-20', toDay: '2026-11-22' },
      edges: [],
    });
    expect(splitRange(d('2026-11-20T05:00:00Z'), d('2026-11-22T03:00:00Z'))).toEqual({
      days: { fromDay: '2026-11-21', toDay: '2026-11-22' },
      edges: [
        [d('2026-11-20T05:00:00Z'), d('2026-11-21T00:00:00Z')],
        [d('2026-11-22T00:00:00Z'), d('2026-11-22T03:00:00Z')],
      ],
    });
    expect(splitRange(d('2026-11-20T05:00:00Z'), d('2026-11-20T07:00:00Z'))).toEqual({
      days: null,
      edges: [[d('2026-11-20T05:00:00Z'), d('2026-11-20T07:00:00Z')]],
    });
    expect(splitRange(d('2026-11-20T05:00:00Z'), d('2026-11-20T05:00:00Z'))).toEqual({
      days: null,
      edges: [],
    });
  });
});
