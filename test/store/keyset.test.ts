import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keysetPage } from '../../src/store/keyset.js';
import { OrderStore } from '../../src/store/orders.js';
import { VasStore } from '../../src/store/vas.js';
import { DIALECTS, TEST_DATABASE_URL, type TestDatabase } from '../helpers/db.js';

if (!TEST_DATABASE_URL) console.warn('keyset: PostgreSQL case skipped (TEST_DATABASE_URL unset)');

const RULES = {
  limits: { perPhoneHour: 100, perPhone10Min: 100, perClientMinute: 100 },
  validitySeconds: 600,
};

/** A cursor as the API has always written it: base64url of `createdAt|id`. */
const oldCursor = (at: string, id: string) => Buffer.from(`${at}|${id}`).toString('base64url');

describe.each(DIALECTS)('keyset pages on $name', ({ name, create }) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = create();
    await t.database.migrate();
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('pages through rows sharing a timestamp with cursors written before this version', async () => {
    // Two timestamps, three rows each: the id breaks every tie.
    const stamps = ['2026-11-23T01:00:00.000Z', '2026-11-23T02:00:00.000Z'];
    let k = 0;
    const orders = new OrderStore(t.database, () => new Date(stamps[Math.floor(k++ / 3)]!));
    for (let i = 0; i < 6; i++) {
      const r = await orders.createPending(
        {
          clientId: 'pos-1',
          phone: `093600000${i}`,
          telco: 'MOBIFONE',
          packageCode: 'C120',
          utm: { source: '', medium: '', content: '', campaign: '' },
        },
        RULES,
      );
      expect(r.kind).toBe('created');
    }
    const all = await orders.list({}, { limit: 10, inverted: false });
    const expected = [...all].sort((a, b) =>
      a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
    );
    expect(all.map((o) => o.id)).toEqual(expected.map((o) => o.id));

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await orders.list({}, { after, limit: 2, inverted: false });
      if (page.length === 0) break;
      seen.push(...page.map((o) => o.id));
      const last = page[page.length - 1]!;
      after = oldCursor(last.createdAt, last.id);
    }
    expect(seen).toEqual(expected.map((o) => o.id));

    // `last: 2, before: <the 5th>` is the 3rd and 4th.
    const fifth = expected[4]!;
    const before = await orders.list(
      { clientId: 'pos-1' },
      { before: oldCursor(fifth.createdAt, fifth.id), limit: 2, inverted: true },
    );
    expect(before.map((o) => o.id).reverse()).toEqual([expected[2]!.id, expected[3]!.id]);
  });

  /** The plan of one page: it must be a range of an index, in index order (no sort). */
  async function plan(query: { compile(): { sql: string; parameters: readonly unknown[] } }) {
    const { sql: text, parameters } = query.compile();
    const { db } = t.database;
    if (name === 'sqlite') {
      const rows = await sql
        .raw<{ detail: string }>(`explain query plan ${inline(text, parameters)}`)
        .execute(db);
      return rows.rows.map((r) => r.detail).join('\n');
    }
    // An empty table is read whole by choice; with sequential and bitmap scans priced out, what
    // is left is whether an index can serve the query in its order at all.
    return db.connection().execute(async (conn) => {
      await sql`set enable_seqscan = off`.execute(conn);
      await sql`set enable_bitmapscan = off`.execute(conn);
      const rows = await sql
        .raw<{ 'QUERY PLAN': string }>(`explain ${inline(text, parameters)}`)
        .execute(conn);
      await sql`reset enable_seqscan`.execute(conn);
      await sql`reset enable_bitmapscan`.execute(conn);
      return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }

  it.each([
    ['all', {}, 'orders_created_id'],
    ['one client', { client_id: 'pos-1' }, 'orders_client_created_id'],
    ['one status', { status: 'REGISTERED' }, 'orders_status_created_id'],
    [
      'one client and status',
      { client_id: 'pos-1', status: 'REGISTERED' },
      'orders_client_status_created_id',
    ],
    ['one phone', { phone: '0936004420' }, 'orders_phone_created_id'],
  ])('reads a page of orders after a cursor, %s, as one index range', async (_, where, index) => {
    for (const inverted of [false, true]) {
      let q = t.database.db.selectFrom('orders').selectAll();
      for (const [column, value] of Object.entries(where)) {
        q = q.where(column as 'status', '=', value);
      }
      const cursor = oldCursor('2026-11-23T01:00:00.000Z', 'some-id');
      const page = keysetPage(
        q,
        { [inverted ? 'before' : 'after']: cursor, limit: 20, inverted },
        { at: 'created_at', id: 'id' },
      );
      const p = await plan(page);
      expect(p).toContain(index);
      if (name === 'sqlite') {
        expect(p).not.toMatch(/TEMP B-TREE|SCAN orders\b(?! USING)/);
        expect(p).toMatch(/\(created_at,id\)[<>]\(\?,\?\)/);
      } else {
        expect(p).not.toMatch(/Sort|Filter/);
        expect(p).toMatch(/Index Cond: .*ROW\(created_at, id\) [<>] ROW/);
      }
    }
  });

  it('finds due VAS settlements as one range of (status, next_settle_at)', async () => {
    const store = new VasStore(t.database);
    const query = t.database.db
      .selectFrom('vas_transactions')
      .selectAll()
      .where('status', '=', 'UNKNOWN')
      .where('next_settle_at', '<=', '2026-11-23T01:00:00.000Z')
      .orderBy('next_settle_at')
      .limit(20);
    const p = await plan(query);
    expect(p).toContain('vas_transactions_settle');
    expect(p).not.toMatch(/TEMP B-TREE|Sort|Filter/);
    expect(await store.dueForSettling(20)).toEqual([]);
  });
});

/** Inlines parameters for EXPLAIN (test values only: strings and numbers). */
function inline(text: string, parameters: readonly unknown[]): string {
  let i = 0;
  const value = (v: unknown) => (typeof v === 'number' ? String(v) : `'${String(v)}'`);
  return text
    .replace(/\$(\d+)/g, (_, n: string) => value(parameters[Number(n) - 1]))
    .replace(/\?/g, () => value(parameters[i++]));
}
