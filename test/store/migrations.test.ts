import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATION_NAMES } from '../../src/store/migrations.js';
import { DIALECTS, TEST_DATABASE_URL, type TestDatabase } from '../helpers/db.js';

if (!TEST_DATABASE_URL)
  console.warn('migrations: PostgreSQL case skipped (TEST_DATABASE_URL unset)');

describe.each(DIALECTS)('migrations on $name', ({ create }) => {
  let t: TestDatabase;
  afterEach(async () => {
    await t.dispose();
  });

  it('applies every migration from empty, is idempotent, and reports readiness', async () => {
    t = create();
    const before = await t.database.isReady();
    expect(before.ok).toBe(false);

    await t.database.migrate();
    await t.database.migrate();
    expect(await t.database.isReady()).toEqual({ ok: true });

    const tables = (await t.database.db.introspection.getTables()).map((x) => x.name).sort();
    expect(tables).toEqual(expect.arrayContaining(['idempotency_keys', 'order_events', 'orders']));
    // Every migration the code knows is recorded as applied, whatever their number.
    const applied = await sql<{
      name: string;
    }>`select name from kysely_migration order by name`.execute(t.database.db);
    expect(applied.rows.map((r) => r.name)).toEqual([...MIGRATION_NAMES].sort());
  });

  it('enforces the ledger constraints the order flow relies on', async () => {
    t = create();
    await t.database.migrate();
    const { db } = t.database;
    const now = new Date().toISOString();
    const row = {
      id: 'o1',
      partner_trans_id: 'P1',
      client_id: 'c',
      phone: '0936004420',
      telco: 'MOBIFONE',
      package_code: 'C120',
      status: 'PENDING',
      created_at: now,
      updated_at: now,
      version: 1,
      order_code: null,
      telco_trans_id: null,
      failure_code: null,
      failure_message: null,
      utm_source: '',
      utm_medium: '',
      utm_content: '',
      utm_campaign: '',
      registered_type: null,
      registered_code: null,
      otp_sent_at: null,
      registered_at: null,
    };
    await db.insertInto('orders').values(row).execute();
    await expect(
      db
        .insertInto('orders')
        .values({ ...row, id: 'o2' })
        .execute(),
    ).rejects.toThrow();

    const key = {
      client_id: 'c',
      operation: 'requestOtp',
      key: 'k1',
      request_hash: 'h',
      response: null,
      created_at: now,
      expires_at: now,
    };
    await db.insertInto('idempotency_keys').values(key).execute();
    const again = await db
      .insertInto('idempotency_keys')
      .values(key)
      .onConflict((oc) => oc.columns(['client_id', 'operation', 'key']).doNothing())
      .executeTakeFirst();
    expect(Number(again.numInsertedOrUpdatedRows ?? 0)).toBe(0);

    const count = await sql<{ n: number }>`select count(*) as n from orders`.execute(db);
    expect(Number(count.rows[0]?.n)).toBe(1);
  });
});
