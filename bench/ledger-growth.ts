import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import type { OrderStatus } from '../src/domain/order.js';
import { combinedTag, tag } from '../src/store/counters.js';
import { type Database, openDatabase } from '../src/store/database.js';
import { encodeCursor } from '../src/store/keyset.js';
import { type OrderFilter, OrderStore } from '../src/store/orders.js';

/**
 * The ledger-growth arm of `npm run bench`: the order ledger seeded with N rows through the
 * store's own schema (its migrations, indexes and counters), then each list and count the API
 * offers timed through `OrderStore`, as the resolvers call it: page 1, a page at depth, the last
 * page and `last/before`, and totalCount with each filter. The database is the only thing timed
 * (no GraphQL, no HTTP): the targets of issue 21 are about the database's share.
 */

const ROWS_PER_INSERT = 5_000;
const SAMPLES = 40;
const WARM_UP = 3;
const DAY_MS = 86_400_000;

/** A year of sales: 20 clients (one large), the statuses' usual shares, 200k subscribers. */
const CLIENTS = Array.from({ length: 20 }, (_, i) => `shop-${String(i).padStart(2, '0')}`);
const STATUSES: Array<[OrderStatus, number]> = [
  ['REGISTERED', 0.6],
  ['FAILED', 0.15],
  ['EXPIRED', 0.15],
  ['REFUSED', 0.05],
  ['UNKNOWN', 0.03],
  ['OTP_SENT', 0.02],
];
const PACKAGES = ['C120', '3C120', '6C120', 'V90', 'V120', 'ST90'];
const PHONES = 200_000;
const BIG_CLIENT = CLIENTS[0]!;

function pick<T>(weighted: Array<[T, number]>, r: number): T {
  let acc = 0;
  for (const [value, w] of weighted) {
    acc += w;
    if (r < acc) return value;
  }
  return weighted[weighted.length - 1]![0];
}

interface Seeded {
  rows: number;
  seedSeconds: number;
  /** A phone with orders, for the phone filter. */
  phone: string;
  end: number;
}

/** One order row as the store writes it. */
function orderRow(i: number, end: number) {
  const created = new Date(end - Math.floor(Math.random() * 365 * DAY_MS)).toISOString();
  const status = pick(STATUSES, Math.random());
  // A third of the orders are the big client's; the rest spread over the others.
  const client =
    Math.random() < 0.3
      ? BIG_CLIENT
      : CLIENTS[1 + Math.floor(Math.random() * (CLIENTS.length - 1))]!;
  const phone = `09${String(36_000_000 + Math.floor(Math.random() * PHONES)).padStart(8, '0')}`;
  const pkg = PACKAGES[Math.floor(Math.random() * PACKAGES.length)]!;
  const coded = status !== 'REFUSED' && status !== 'FAILED';
  return {
    id: randomUUID(),
    partner_trans_id: `GW${i}${randomBytes(3).toString('hex')}`,
    order_code: coded ? `DG${i}` : null,
    telco_trans_id: coded ? `T${i}` : null,
    client_id: client,
    phone,
    telco: pkg.startsWith('V') || pkg.startsWith('S') ? 'VIETTEL' : 'MOBIFONE',
    package_code: pkg,
    status,
    failure_code: status === 'FAILED' ? 'VENDOR_REJECTED' : null,
    failure_vendor_code: null,
    failure_message: null,
    otp_attempts: status === 'REGISTERED' ? 1 : 0,
    utm_source: 'shop',
    utm_medium: '',
    utm_content: '',
    utm_campaign: '',
    registered_type: status === 'REGISTERED' ? 'NEW' : null,
    registered_code: status === 'REGISTERED' ? pkg : null,
    otp_sent_at: coded ? created : null,
    registered_at: status === 'REGISTERED' ? created : null,
    created_at: created,
    updated_at: created,
    version: status === 'REGISTERED' ? 4 : 2,
  };
}

type OrderRow = ReturnType<typeof orderRow>;
const COLUMNS = Object.keys(orderRow(0, Date.now())) as Array<keyof OrderRow>;
const INT_COLUMNS = new Set<keyof OrderRow>(['otp_attempts', 'version']);

/** What the store's counters hold for these rows (`store/counters.ts`), all in shard 0. */
function addCounts(counts: Map<string, number>, row: OrderRow) {
  const day = row.created_at.slice(0, 10);
  const telco = tag('telco', row.telco);
  const pkg = tag('package', row.package_code);
  for (const t of ['', telco, pkg, combinedTag([telco, pkg])]) {
    for (const c of [row.client_id, '']) {
      for (const s of [row.status, '']) {
        const key = `${c}|${s}|${t}|${day}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  }
}

async function seed(database: Database, rows: number, sqlitePath: string | null): Promise<Seeded> {
  await database.migrate();
  const started = performance.now();
  const end = Date.now();
  const counts = new Map<string, number>();
  let phone = '';
  if (sqlitePath) {
    // better-sqlite3 straight: one prepared insert in big transactions is the fast path.
    const sqlite = new SQLite(sqlitePath);
    sqlite.pragma('journal_mode = WAL');
    const insert = sqlite.prepare(
      `insert into orders (${COLUMNS.join(', ')}) values (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
    );
    const batch = sqlite.transaction((list: OrderRow[]) => {
      for (const r of list) insert.run(r);
    });
    for (let i = 0; i < rows; i += ROWS_PER_INSERT) {
      const list = Array.from({ length: Math.min(ROWS_PER_INSERT, rows - i) }, (_, k) =>
        orderRow(i + k, end),
      );
      for (const r of list) addCounts(counts, r);
      phone ||= list[0]!.phone;
      batch(list);
    }
    const counter = sqlite.prepare(
      `insert into ledger_counts (ledger, client_id, status, tag, day, shard, n) values ('orders', ?, ?, ?, ?, 0, ?)`,
    );
    sqlite.transaction(() => {
      for (const [key, n] of counts) {
        const [c, s, t, d] = key.split('|');
        counter.run(c, s, t, d, n);
      }
    })();
    sqlite.close();
  } else {
    const { db } = database;
    for (let i = 0; i < rows; i += ROWS_PER_INSERT) {
      const list = Array.from({ length: Math.min(ROWS_PER_INSERT, rows - i) }, (_, k) =>
        orderRow(i + k, end),
      );
      for (const r of list) addCounts(counts, r);
      phone ||= list[0]!.phone;
      // One statement per batch: a column of values each, unnested into rows.
      const arrays = COLUMNS.map(
        (c) => sql`${list.map((r) => r[c])}::${sql.raw(INT_COLUMNS.has(c) ? 'int' : 'text')}[]`,
      );
      await sql`insert into orders (${sql.join(COLUMNS.map((c) => sql.ref(c)))}) select * from unnest(${sql.join(arrays)})`.execute(
        db,
      );
    }
    const entries = [...counts].map(([key, n]) => [...key.split('|'), n] as const);
    for (let i = 0; i < entries.length; i += ROWS_PER_INSERT) {
      const part = entries.slice(i, i + ROWS_PER_INSERT);
      await sql`insert into ledger_counts (ledger, client_id, status, tag, day, shard, n)
        select 'orders', c, s, t, d, 0, n from unnest(${part.map((e) => e[0])}::text[], ${part.map((e) => e[1])}::text[], ${part.map((e) => e[2])}::text[], ${part.map((e) => e[3])}::text[], ${part.map((e) => e[4])}::int[]) as t(c, s, t, d, n)`.execute(
        db,
      );
    }
    // What autovacuum would have done by the time a ledger has grown this big.
    await sql`analyze orders`.execute(db);
    await sql`analyze ledger_counts`.execute(db);
  }
  return { rows, seedSeconds: (performance.now() - started) / 1000, phone, end };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function time(run: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < WARM_UP; i++) await run();
  const ms: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    await run();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99) };
}

export interface LedgerMeasure {
  name: string;
  p50: number;
  p99: number;
  /** A count, compared with page 1 (the target: p50 within 1.5× of it and under 20 ms). */
  kind: 'page' | 'count';
}

export interface LedgerArmResult {
  dialect: 'SQLite' | 'PostgreSQL';
  rows: number;
  seedSeconds: number;
  measures: LedgerMeasure[];
}

async function measure(database: Database, seeded: Seeded): Promise<LedgerMeasure[]> {
  const orders = new OrderStore(database);
  const page = { limit: 20, inverted: false };
  const { db } = database;
  // Cursors at depth: the row 90 % of the way down, all orders and the big client's.
  const at = async (filter: { client_id?: string }, fraction: number) => {
    let q = db.selectFrom('orders').select(['created_at', 'id']);
    if (filter.client_id) q = q.where('client_id', '=', filter.client_id);
    const n = Number(
      (
        await (filter.client_id
          ? db.selectFrom('orders').where('client_id', '=', filter.client_id)
          : db.selectFrom('orders')
        )
          .select(sql<number>`count(*)`.as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const row = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .offset(Math.floor(n * fraction))
      .limit(1)
      .executeTakeFirstOrThrow();
    return encodeCursor(row.created_at, row.id);
  };
  const deep = await at({}, 0.9);
  const deepClient = await at({ client_id: BIG_CLIENT }, 0.9);
  // A 30-day range that starts and ends inside a day, as a client would send it.
  const to = new Date(seeded.end - 40 * DAY_MS + 5 * 3_600_000 + 17_000);
  const from = new Date(to.getTime() - 30 * DAY_MS - 7 * 3_600_000);
  const range: OrderFilter = { createdFrom: from, createdTo: to };

  const out: LedgerMeasure[] = [];
  const add = async (name: string, kind: LedgerMeasure['kind'], run: () => Promise<unknown>) => {
    out.push({ name, kind, ...(await time(run)) });
  };
  await add('page 1 (`first: 20`)', 'page', () => orders.list({}, page));
  await add('page at 90 % depth (`after:`)', 'page', () =>
    orders.list({}, { ...page, after: deep }),
  );
  await add('`last: 20, before:` at 90 % depth', 'page', () =>
    orders.list({}, { limit: 20, inverted: true, before: deep }),
  );
  await add('last page (`last: 20`)', 'page', () => orders.list({}, { limit: 20, inverted: true }));
  await add('big client: page at 90 % depth', 'page', () =>
    orders.list({ clientId: BIG_CLIENT }, { ...page, after: deepClient }),
  );
  await add('status REGISTERED: page 1', 'page', () => orders.list({ status: 'REGISTERED' }, page));
  await add('30-day range: page 1', 'page', () => orders.list(range, page));
  await add('one phone: page 1', 'page', () => orders.list({ phone: seeded.phone }, page));
  await add('totalCount, no filter', 'count', () => orders.count({}));
  await add('totalCount, big client', 'count', () => orders.count({ clientId: BIG_CLIENT }));
  await add('totalCount, status', 'count', () => orders.count({ status: 'REGISTERED' }));
  await add('totalCount, big client + status', 'count', () =>
    orders.count({ clientId: BIG_CLIENT, status: 'REGISTERED' }),
  );
  await add('totalCount, 30-day range (partial days at both ends)', 'count', () =>
    orders.count(range),
  );
  await add('totalCount, big client + 30-day range', 'count', () =>
    orders.count({ ...range, clientId: BIG_CLIENT }),
  );
  await add('totalCount, one phone', 'count', () => orders.count({ phone: seeded.phone }));
  await add('totalCount, telco', 'count', () => orders.count({ telco: 'VIETTEL' }));
  await add('totalCount, big client + package + 30-day range', 'count', () =>
    orders.count({ ...range, clientId: BIG_CLIENT, packageCode: 'C120' }),
  );
  await add('totalCount, telco + package', 'count', () =>
    orders.count({ telco: 'MOBIFONE', packageCode: 'C120' }),
  );
  return out;
}

/** Seeds `rows` orders in a fresh SQLite file or PostgreSQL schema, measures, and drops it. */
export async function ledgerGrowth(
  dialect: 'sqlite' | 'postgres',
  rows: number,
  log: (s: string) => void,
  pgUrl?: string,
): Promise<LedgerArmResult> {
  let database: Database;
  let cleanup: () => Promise<void>;
  let path: string | null = null;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
    path = join(dir, 'ledger.sqlite');
    database = openDatabase({ kind: 'sqlite', path });
    cleanup = async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    };
  } else {
    const schema = `bench_ledger_${randomBytes(4).toString('hex')}`;
    database = openDatabase({ kind: 'postgres', url: pgUrl! }, { schema });
    cleanup = async () => {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(database.db);
      await database.close();
    };
  }
  try {
    log(`  seeding ${rows.toLocaleString('en')} orders on ${dialect}…`);
    const seeded = await seed(database, rows, path);
    log(`  seeded in ${seeded.seedSeconds.toFixed(0)} s; measuring…`);
    const measures = await measure(database, seeded);
    for (const m of measures)
      log(`    ${m.name}: p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms`);
    return {
      dialect: dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL',
      rows,
      seedSeconds: seeded.seedSeconds,
      measures,
    };
  } finally {
    await cleanup();
  }
}

/** The RESULTS.md section for these runs. */
export function ledgerSection(results: Array<LedgerArmResult | string>): string[] {
  const f = (n: number) => n.toFixed(2);
  const lines = [
    '## Ledger growth',
    '',
    `The order ledger seeded through the store's own schema (migrations, indexes, counters; one year of orders from 20 clients, one of them a third of the rows, over 200k phones), then each list and count timed through \`OrderStore\` as the resolvers call it, ${SAMPLES} times after ${WARM_UP} warm-ups; milliseconds. Targets (issue 21): every page and every totalCount within 1.5× of page 1 (p50) and under 20 ms p50, at 1M rows on PostgreSQL and 100k on SQLite.`,
    '',
  ];
  for (const r of results) {
    if (typeof r === 'string') {
      lines.push(`- ${r}`, '');
      continue;
    }
    const first = r.measures[0]!.p50;
    lines.push(
      `### ${r.dialect}, ${r.rows.toLocaleString('en')} orders (seeded in ${r.seedSeconds.toFixed(0)} s)`,
      '',
      '| query | p50 | p99 | p50 / page 1 | target met |',
      '|---|---|---|---|---|',
      ...r.measures.map((m) => {
        const ratio = m.p50 / first;
        const met =
          m.p50 < 20 && ratio <= 1.5
            ? 'met'
            : m.p50 < 20
              ? `**missed** (ratio; ${f(m.p50 - first)} ms over page 1)`
              : '**missed** (over 20 ms)';
        return `| ${m.name} | ${f(m.p50)} | ${f(m.p99)} | ${f(ratio)}× | ${met} |`;
      }),
      '',
    );
  }
  return lines;
}
