import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, openDatabase } from '../../src/store/database.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

export interface TestDatabase {
  database: Database;
  /** Closes the database and removes what the test created (file, schema). */
  dispose(): Promise<void>;
}

/** A fresh SQLite file in a temporary folder. */
export function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-test-'));
  const database = openDatabase({ kind: 'sqlite', path: join(dir, 'test.sqlite') });
  return {
    database,
    async dispose() {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh schema in the test PostgreSQL, so test files never share tables. The schemas are dropped
 * after the whole run (test/helpers/global-setup.ts), never while other files run.
 */
export function postgresDatabase(url = TEST_DATABASE_URL): TestDatabase {
  if (!url) throw new Error('TEST_DATABASE_URL is unset');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const database = openDatabase({ kind: 'postgres', url }, { schema });
  return {
    database,
    async dispose() {
      await database.close();
    },
  };
}

/** The dialects to run a store test on: SQLite always, PostgreSQL when configured. */
export const DIALECTS: Array<{ name: 'sqlite' | 'postgres'; create: () => TestDatabase }> = [
  { name: 'sqlite', create: sqliteDatabase },
  ...(TEST_DATABASE_URL ? [{ name: 'postgres' as const, create: () => postgresDatabase() }] : []),
];
