import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import { MIGRATION_NAMES, migrationProvider } from './migrations.js';
import type { DB } from './schema.js';

export type Dialect = DatabaseConfig['kind'];

export interface Database {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  /** Applies every pending migration; throws with the failing migration's name. */
  migrate(): Promise<void>;
  /** True when the database answers and every migration is applied. */
  isReady(): Promise<{ ok: true } | { ok: false; reason: string }>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL only: a schema to create and use, so parallel test files never share tables. */
  schema?: string;
}

export function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Database {
  const dialect = createDialect(config, options);
  const db = new Kysely<DB>({ dialect });
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    // Kysely looks for its bookkeeping tables by name across every schema unless told which one:
    // another schema's `kysely_migration` (another app, a parallel test) would be taken for ours.
    ...(config.kind === 'postgres' ? { migrationTableSchema: options.schema ?? 'public' } : {}),
  });
  let closed = false;

  return {
    db,
    dialect: config.kind,
    async migrate() {
      if (config.kind === 'postgres' && options.schema) {
        await sql`create schema if not exists ${sql.id(options.schema)}`.execute(db);
      }
      const { error, results } = await migrator.migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
        throw new Error(`Migration ${failed} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    async isReady() {
      try {
        const applied = await migrator.getMigrations();
        const pending = applied.filter((m) => !m.executedAt).map((m) => m.name);
        if (pending.length > 0) return { ok: false, reason: `pending migrations: ${pending}` };
        if (applied.length < MIGRATION_NAMES.length) {
          return { ok: false, reason: 'migrations missing' };
        }
        return { ok: true };
      } catch (err) {
        return { ok: false, reason: `database unreachable: ${(err as Error).message}` };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

function createDialect(config: DatabaseConfig, options: OpenOptions) {
  if (config.kind === 'postgres') {
    return new PostgresDialect({
      pool: new pg.Pool({
        connectionString: config.url,
        max: 10,
        connectionTimeoutMillis: 5_000,
        ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
      }),
    });
  }
  if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
  return new SqliteDialect({
    database: async () => {
      const sqlite = new SQLite(config.path);
      // WAL lets readers (readiness probes, ledger queries) run while a write is in progress.
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('busy_timeout = 5000');
      sqlite.pragma('foreign_keys = ON');
      return sqlite;
    },
  });
}
