import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config, DatabaseConfig } from '../config.js';
import { DatabaseUnavailable } from '../domain/errors.js';
import { MIGRATION_NAMES, migrationProvider } from './migrations.js';
import { pendingOnlineMigrations, runOnlineMigrations } from './online-migrations.js';
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
  /** PostgreSQL pool size and timeouts (`DATABASE_*`); defaults as documented in the README. */
  pool?: Partial<Config['databasePool']>;
  /** Where dropped connections and start-up retries are reported (one line each). */
  logger?: Pick<Logger, 'warn' | 'error'>;
}

/** The database stayed unreachable for the whole start-up timeout. */
export class DatabaseUnreachable extends Error {
  override name = 'DatabaseUnreachable';
  constructor(
    readonly target: DatabaseTarget,
    readonly attempts: number,
    readonly lastError: string,
  ) {
    super(`database ${target.host} unreachable after ${attempts} attempts: ${lastError}`);
  }
}

/** What a log line may say about the database: where it is, never who or with what password. */
export interface DatabaseTarget {
  kind: Dialect;
  host: string;
  port?: number;
  database?: string;
}

export function describeDatabase(config: DatabaseConfig): DatabaseTarget {
  if (config.kind === 'sqlite') return { kind: 'sqlite', host: 'localhost', database: config.path };
  try {
    const url = new URL(config.url);
    return {
      kind: 'postgres',
      host: url.hostname || 'localhost',
      port: Number(url.port || 5432),
      database: decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined,
    };
  } catch {
    return { kind: 'postgres', host: '(unparsable DATABASE_URL)' };
  }
}

const DEFAULT_POOL: Config['databasePool'] = {
  size: 10,
  acquireTimeoutMs: 3_000,
  startTimeoutMs: 60_000,
};

// PostgreSQL's "the connection went away" classes: admin shutdown/terminate (57P0x) and
// connection exceptions (08xxx).
const PG_CONNECTION_LOST = /^(57P0[1-3]|08\d{3})$/;
const NODE_CONNECTION_LOST = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * A failure that says the database is unavailable right now (no connection in time, connection
 * lost, SQLite locked past its busy timeout) rather than that the query was wrong: such failures
 * reach clients as DATABASE_UNAVAILABLE instead of "Unexpected error.".
 */
export function asDatabaseUnavailable(err: unknown): DatabaseUnavailable | null {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof DatabaseUnavailable) return e;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (PG_CONNECTION_LOST.test(code) || NODE_CONNECTION_LOST.has(code)) {
        return new DatabaseUnavailable();
      }
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return new DatabaseUnavailable();
    }
    if (/^Connection terminated|timeout exceeded when trying to connect/.test(e.message)) {
      return new DatabaseUnavailable();
    }
  }
  return null;
}

export function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Database {
  const pool = { ...DEFAULT_POOL, ...options.pool };
  const dialect = createDialect(config, options, pool);
  const db = new Kysely<DB>({ dialect });
  // Kysely looks for its bookkeeping tables by name across every schema unless told which one:
  // another schema's `kysely_migration` (another app, a parallel test) would be taken for ours.
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(config.kind === 'postgres' ? { migrationTableSchema: options.schema ?? 'public' } : {}),
  });
  let closed = false;

  return {
    db,
    dialect: config.kind,
    async migrate() {
      await waitUntilReachable(db, config, pool.startTimeoutMs, options.logger);
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
      // Index builds, outside a transaction (src/store/online-migrations.ts).
      try {
        await runOnlineMigrations(db as Kysely<unknown>);
      } catch (err) {
        throw new Error(`Online migration failed: ${(err as Error).message}`, { cause: err });
      }
    },
    async isReady() {
      try {
        const applied = await migrator.getMigrations();
        const pending = [
          ...applied.filter((m) => !m.executedAt).map((m) => m.name),
          ...(await pendingOnlineMigrations(db as Kysely<unknown>)),
        ];
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

/**
 * Start-up waits for the database (a container starting next to us, a failover in progress) with
 * exponential backoff, one log line per failed attempt, and gives up after `timeoutMs`.
 */
async function waitUntilReachable(
  db: Kysely<DB>,
  config: DatabaseConfig,
  timeoutMs: number,
  logger: OpenOptions['logger'],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const target = describeDatabase(config);
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`select 1`.execute(db);
      return;
    } catch (err) {
      let cause = err as Error;
      while (cause.cause instanceof Error) cause = cause.cause;
      const message = cause.message;
      const left = deadline - Date.now();
      if (left <= 0) throw new DatabaseUnreachable(target, attempt, message);
      const wait = Math.min(delay, left);
      logger?.warn(
        { database: target, attempt, retryInMs: wait, err: message },
        'database unreachable at start-up; retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, wait));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

function createDialect(
  config: DatabaseConfig,
  options: OpenOptions,
  poolOptions: Config['databasePool'],
) {
  if (config.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: poolOptions.size,
      // pg applies this to both waiting for a free connection and opening a new one.
      connectionTimeoutMillis: poolOptions.acquireTimeoutMs,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // A restart, failover or pg_terminate_backend makes a connection emit 'error'; without a
    // listener that kills the process. The pool drops the broken connection and opens another
    // on demand; the query that was using it fails (DATABASE_UNAVAILABLE). A checked-out
    // connection has no pool listener, hence one on each connection. The error's message and
    // code only: the client object carries the backend's cancel key.
    const target = describeDatabase(config);
    pool.on('connect', (client) => {
      client.on('error', (err: Error & { code?: string }) => {
        options.logger?.warn(
          { database: target, err: err.message, code: err.code },
          'database connection lost; the pool replaces it',
        );
      });
    });
    // Idle connections report through the pool too; the connection's own listener logged it.
    pool.on('error', () => {});
    return new PostgresDialect({
      pool: {
        async connect() {
          try {
            return preparedStatements(await pool.connect());
          } catch (err) {
            const unavailable = asDatabaseUnavailable(err);
            if (!unavailable) throw err;
            // Not enumerable: a stored error (idempotent replay) keeps its own fields only.
            Object.defineProperty(unavailable, 'cause', { value: err, enumerable: false });
            throw unavailable;
          }
        },
        end: () => pool.end(),
      },
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
      cacheStatements(sqlite);
      return sqlite;
    },
  });
}

/**
 * Kysely asks better-sqlite3 to prepare every query afresh (5.7 % of a sale's CPU in `prepare`);
 * the same query text gets the same compiled statement back, unless that one is still iterating.
 */
function cacheStatements(sqlite: SQLite.Database, max = 500): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, SQLite.Statement>();
  sqlite.prepare = ((source: string) => {
    const cached = cache.get(source);
    if (cached && !cached.busy) return cached;
    const statement = prepare(source);
    if (!cached) {
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(source, statement);
    }
    return statement;
  }) as SQLite.Database['prepare'];
}

const DML = /^\s*(select|insert|update|delete|with)\b/i;
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `k${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (statementNames.size >= 2_000) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Names every data query after a hash of its text, so that pg parses and plans it once per
 * connection and then only binds and executes it (an unnamed query is parsed every time).
 * Schema changes (migrations, `CREATE INDEX`) stay unnamed.
 */
function preparedStatements(client: pg.PoolClient): pg.PoolClient {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const named = (text: string, values?: unknown[]) =>
    query({ name: statementName(text), text, values });
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'query') {
        return (first: unknown, values?: unknown[]) =>
          typeof first === 'string' && DML.test(first)
            ? named(first, values)
            : query(first, values);
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
