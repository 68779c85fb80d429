import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { asDatabaseUnavailable, openDatabase } from '../../src/store/database.js';
import { TEST_DATABASE_URL, type TestDatabase } from '../helpers/db.js';
import { startTestGateway } from '../helpers/gateway.js';
import { sales } from '../helpers/sales.js';

if (!TEST_DATABASE_URL) console.warn('PostgreSQL pool: skipped (TEST_DATABASE_URL unset)');

/** A database in its own schema whose connections carry a name we can find and terminate. */
function namedDatabase(pool: { size?: number; acquireTimeoutMs?: number } = {}) {
  const name = `gw_${randomBytes(6).toString('hex')}`;
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'warn' }, { write: (l: string) => lines.push(JSON.parse(l)) });
  const url = new URL(TEST_DATABASE_URL!);
  url.searchParams.set('application_name', name);
  const database = openDatabase(
    { kind: 'postgres', url: url.toString() },
    { schema: name, pool, logger },
  );
  const admin = () => new pg.Client({ connectionString: TEST_DATABASE_URL });
  const test: TestDatabase = {
    database,
    // The schema is dropped after the whole run (test/helpers/global-setup.ts).
    dispose: () => database.close(),
  };
  return {
    test,
    lines,
    async terminate() {
      const client = admin();
      await client.connect();
      const { rowCount } = await client.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
        [name],
      );
      await client.end();
      return rowCount ?? 0;
    },
  };
}

describe.skipIf(!TEST_DATABASE_URL)('PostgreSQL pool', () => {
  it('survives pg_terminate_backend of its connections: the process keeps serving and the next sale succeeds', async () => {
    const db = namedDatabase();
    const t = await startTestGateway({}, db.test);
    try {
      const s = sales(t);
      const first = await s.requestOtp('0936000701', 'C120');
      expect(first.__typename).toBe('RequestOtpSuccess');

      // Idle connections: what a PostgreSQL restart or failover does to them.
      expect(await db.terminate()).toBeGreaterThan(0);
      await expect.poll(() => db.lines.length).toBeGreaterThan(0);
      expect(db.lines[0]).toMatchObject({ msg: 'database connection lost; the pool replaces it' });
      expect(JSON.stringify(db.lines)).not.toMatch(/processID|secretKey|password/);

      const { order } = await s.requestOtp('0936000702', 'C120');
      const done = await s.register(order!.orderCode, '123456');
      expect(done).toMatchObject({ __typename: 'RegisterWithOtpSuccess' });

      // A connection cut mid-query fails that query with a typed error, and only that one.
      const slow = sql`select pg_sleep(5)`.execute(t.gateway.db.db).then(
        () => null,
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, 200));
      await db.terminate();
      const err = await slow;
      expect(asDatabaseUnavailable(err)?.code).toBe('DATABASE_UNAVAILABLE');
      // A query racing the termination of an idle connection fails typed; the next one works.
      await expect
        .poll(async () => {
          const res = await t.graphql('{ orders { totalCount } }');
          for (const e of res.errors ?? []) {
            expect(e.extensions?.code).toBe('DATABASE_UNAVAILABLE');
          }
          return res;
        })
        .toEqual({ data: { orders: { totalCount: 2 } } });
    } finally {
      await t.close();
    }
  });

  it('gives a query that waits too long for a connection DATABASE_UNAVAILABLE', async () => {
    const db = namedDatabase({ size: 1, acquireTimeoutMs: 300 });
    const t = await startTestGateway({}, db.test);
    try {
      let release = () => {};
      const held = new Promise<void>((r) => {
        release = r;
      });
      // Hold the only connection.
      const holder = t.gateway.db.db.connection().execute(() => held);
      await new Promise((r) => setTimeout(r, 50));
      const res = await t.graphql('{ orders { totalCount } }');
      expect(res.errors).toEqual([
        expect.objectContaining({
          message: 'The database is busy or unreachable; try again shortly.',
          extensions: { code: 'DATABASE_UNAVAILABLE' },
        }),
      ]);
      release();
      await holder;
      expect((await t.graphql('{ orders { totalCount } }')).errors).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
