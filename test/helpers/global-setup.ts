import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * PostgreSQL and Redis tests skip locally when TEST_DATABASE_URL / TEST_REDIS_URL are unset, but
 * in CI (CI=true) a missing or unreachable service fails the whole run instead of skipping.
 */
export default async function setup() {
  const ci = process.env.CI === 'true';
  const problems: string[] = [];
  const dbUrl = process.env.TEST_DATABASE_URL;
  const redisUrl = process.env.TEST_REDIS_URL;

  if (dbUrl) {
    const client = new pg.Client({ connectionString: dbUrl, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      await client.query('select 1');
    } catch (err) {
      problems.push(`TEST_DATABASE_URL is set but unreachable: ${(err as Error).message}`);
    } finally {
      await client.end().catch(() => {});
    }
  } else if (ci) {
    problems.push('CI=true but TEST_DATABASE_URL is unset');
  } else {
    console.warn('TEST_DATABASE_URL is unset: PostgreSQL tests are skipped (CI runs them).');
  }

  if (redisUrl) {
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      problems.push(`TEST_REDIS_URL is set but unreachable: ${(err as Error).message}`);
    } finally {
      redis.disconnect();
    }
  } else if (ci) {
    problems.push('CI=true but TEST_REDIS_URL is unset');
  } else {
    console.warn('TEST_REDIS_URL is unset: Redis tests are skipped (CI runs them).');
  }

  if (problems.length > 0) throw new Error(problems.join('\n'));
  if (!dbUrl) return;
  await dropTestSchemas(dbUrl);
  return () => dropTestSchemas(dbUrl);
}

/**
 * Test files each work in schemas of their own (`t_...`, `gw_...`, `gw_role_...`), dropped here once all have
 * finished rather than by each file: Kysely's migrator introspects every schema, and a schema
 * dropped by one file while another file's migrator reads the catalog fails that read.
 */
async function dropTestSchemas(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "select nspname as name from pg_namespace where nspname ~ '^((t|gw)_[0-9a-f]{12}|gw_role_[0-9a-f]{10})$'",
    );
    for (const { name } of rows) await client.query(`drop schema if exists "${name}" cascade`);
  } finally {
    await client.end();
  }
}
