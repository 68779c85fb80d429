import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asDatabaseUnavailable, openDatabase } from '../../src/store/database.js';
import { TEST_DATABASE_URL } from '../helpers/db.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { REQUEST_OTP, sales } from '../helpers/sales.js';

if (!TEST_DATABASE_URL) {
  console.warn('database codes on PostgreSQL: skipped (TEST_DATABASE_URL unset)');
}

/** "Cannot write now", whatever the database or the reason, is DATABASE_UNAVAILABLE and /readyz 503. */

function failure(code: string, message = 'failed') {
  return Object.assign(new Error(message), { code });
}

describe('asDatabaseUnavailable', () => {
  it.each([
    ['55000', 'database "test" is not currently accepting connections'],
    ['53300', 'too many connections for role "gw"'],
    ['53300', 'sorry, too many clients already'],
    ['53100', 'could not extend file "base/16384/16385": No space left on device'],
    ['25006', 'cannot execute INSERT in a read-only transaction'],
    ['57P03', 'the database system is starting up'],
    ['08006', 'connection failure'],
    ['58030', 'could not write to file'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'],
    ['SQLITE_FULL', 'database or disk is full'],
    ['SQLITE_READONLY', 'attempt to write a readonly database'],
    ['SQLITE_READONLY_DBMOVED', 'attempt to write a readonly database'],
    ['SQLITE_IOERR_WRITE', 'disk I/O error'],
    ['SQLITE_CANTOPEN', 'unable to open database file'],
    ['SQLITE_BUSY', 'database is locked'],
  ])('names %s (%s), also as the cause of another error', (code, message) => {
    const err = failure(code, message);
    expect(asDatabaseUnavailable(err)).toMatchObject({
      code: 'DATABASE_UNAVAILABLE',
      reason: code,
    });
    expect(asDatabaseUnavailable(new Error('wrapped', { cause: err }))?.reason).toBe(code);
  });

  it.each([
    ['23505', 'duplicate key value violates unique constraint'],
    ['55000', 'cannot drop the currently open database'],
    ['42P01', 'relation "orders" does not exist'],
    ['SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed'],
    ['SQLITE_ERROR', 'no such table'],
  ])('leaves %s (%s) to the query (a bug or a conflict, not an outage)', (code, message) => {
    expect(asDatabaseUnavailable(failure(code, message))).toBeNull();
  });
});

async function readyz(t: TestGateway) {
  const res = await t.gateway.yoga.fetch('http://gateway.test/readyz');
  return { status: res.status, body: (await res.json()) as { problems: string[] } };
}

/** A sale's first step (an OTP request) while the database refuses writes. */
async function expectSaleRefused(t: TestGateway, phone: string) {
  const res = await t.graphql(
    REQUEST_OTP,
    { input: { phone, packageCode: 'C120', idempotencyKey: randomUUID() } },
    { 'x-client-id': 'pos-test' },
  );
  expect(res.data ?? null).toBeNull();
  expect(res.errors).toEqual([
    expect.objectContaining({
      message: 'The database is busy or unreachable; try again shortly.',
      extensions: { code: 'DATABASE_UNAVAILABLE' },
    }),
  ]);
}

describe('SQLite that cannot write', () => {
  it('answers DATABASE_UNAVAILABLE to a sale and reports /readyz down while read-only, then recovers', async () => {
    const t = await startTestGateway();
    try {
      const db = t.gateway.db.db;
      expect((await readyz(t)).status).toBe(200);

      // What a read-only mount or a file without write permission does: reads answer, writes fail.
      await sql`pragma query_only = 1`.execute(db);
      await expectSaleRefused(t, '0936000801');
      const down = await readyz(t);
      expect(down.status).toBe(503);
      expect(down.body.problems).toEqual([expect.stringMatching(/cannot write \(SQLITE_READONLY/)]);
      // Reads still answer.
      expect((await t.graphql('{ orders { totalCount } }')).errors).toBeUndefined();

      await sql`pragma query_only = 0`.execute(db);
      expect((await readyz(t)).status).toBe(200);
      const otp = await sales(t).requestOtp('0936000802', 'C120');
      expect(otp.__typename).toBe('RequestOtpSuccess');
    } finally {
      await t.close();
    }
  });

  it('reports a full disk on /readyz and names it on a write that needs room', async () => {
    const t = await startTestGateway();
    try {
      const db = t.gateway.db.db;
      // The file may not grow past its current size (free pages inside it used up first, as on
      // a disk that filled while the file had none): what a full disk does to SQLite.
      await sql`vacuum`.execute(db);
      const [{ page_count }] = (await sql<{ page_count: number }>`pragma page_count`.execute(db))
        .rows as [{ page_count: number }];
      await sql.raw(`pragma max_page_count = ${page_count}`).execute(db);

      const down = await readyz(t);
      expect(down.status).toBe(503);
      expect(down.body.problems).toEqual([expect.stringMatching(/cannot write \(SQLITE_FULL\)/)]);
      // SQLite rolls a transaction back itself on a full disk; the error still says why (not
      // Kysely's "cannot rollback - no transaction is active").
      const inTransaction = await db
        .transaction()
        .execute((trx) =>
          sql`insert into readiness_probe (id, pad) values ('t', ${'y'.repeat(50_000)})`.execute(
            trx,
          ),
        )
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(asDatabaseUnavailable(inTransaction)?.reason).toBe('SQLITE_FULL');
      const err =
        await sql`insert into readiness_probe (id, pad) values ('x', ${'y'.repeat(50_000)})`
          .execute(db)
          .then(
            () => null,
            (e: unknown) => e,
          );
      expect(asDatabaseUnavailable(err)?.reason).toBe('SQLITE_FULL');

      await sql.raw('pragma max_page_count = 1073741823').execute(db);
      expect((await readyz(t)).status).toBe(200);
      // The probe kept nothing.
      const [{ n }] = (
        await sql<{ n: number }>`select count(*) as n from readiness_probe`.execute(db)
      ).rows as [{ n: number }];
      expect(Number(n)).toBe(0);
    } finally {
      await t.close();
    }
  });
});

/**
 * A login role of its own, whose settings the test changes as an operator or a failover would:
 * read-only by default (a standby), then no connection allowed (too many connections).
 */
describe.skipIf(!TEST_DATABASE_URL)('PostgreSQL that cannot write', () => {
  const role = `gw_role_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  const as = async (statement: string) => {
    await admin.query(statement);
  };
  const dropConnections = () =>
    admin.query('select pg_terminate_backend(pid) from pg_stat_activity where usename = $1', [
      role,
    ]);

  beforeAll(async () => {
    await admin.connect();
    const dbName = (await admin.query('select current_database() as d')).rows[0].d as string;
    await as(`create role ${role} login`);
    await as(`grant connect, create on database "${dbName}" to ${role}`);
  });
  afterAll(async () => {
    await dropConnections();
    // Its schema is handed to the admin and dropped with the others once every file is done
    // (global-setup.ts): dropped here, it could vanish under another file's migrator.
    await as(`reassign owned by ${role} to current_user`);
    await as(`drop owned by ${role}`);
    await as(`drop role ${role}`);
    await admin.end();
  });

  it('answers DATABASE_UNAVAILABLE to a sale and reports /readyz down when read-only or out of connections, then recovers', async () => {
    const url = new URL(TEST_DATABASE_URL!);
    url.username = role;
    url.password = '';
    const database = openDatabase(
      { kind: 'postgres', url: url.toString() },
      { schema: role, pool: { acquireTimeoutMs: 2_000 } },
    );
    const t = await startTestGateway({}, { database, dispose: () => database.close() });
    try {
      expect((await readyz(t)).status).toBe(200);

      // A standby after a failover, or default_transaction_read_only: reads answer, writes fail.
      await as(`alter role ${role} set default_transaction_read_only = on`);
      await dropConnections();
      await expect
        .poll(async () => (await readyz(t)).body.problems)
        .toEqual([expect.stringMatching(/cannot write \(25006\)/)]);
      expect((await readyz(t)).status).toBe(503);
      await expectSaleRefused(t, '0936000811');
      await as(`alter role ${role} reset default_transaction_read_only`);
      await dropConnections();

      // No connection allowed: too many connections for the role (53300).
      await as(`alter role ${role} connection limit 0`);
      await dropConnections();
      await expect.poll(async () => (await readyz(t)).status).toBe(503);
      expect((await readyz(t)).body.problems).toEqual([
        expect.stringMatching(/too many connections/),
      ]);
      await expectSaleRefused(t, '0936000812');

      await as(`alter role ${role} connection limit -1`);
      await expect.poll(async () => (await readyz(t)).status).toBe(200);
      const otp = await sales(t).requestOtp('0936000813', 'C120');
      expect(otp.__typename).toBe('RequestOtpSuccess');
    } finally {
      await t.close();
    }
  });
});
