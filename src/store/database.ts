import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  type DatabaseConnection,
  type Driver,
  Kysely,
  type Migration,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
} from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config, DatabaseConfig } from '../config.js';
import { DatabaseUnavailable } from '../domain/errors.js';
import { MIGRATION_NAMES, migrationProvider } from './migrations.js';
import { pendingOnlineMigrations, runOnlineMigrations } from './online-migrations.js';
import type { DB } from './schema.js';
import { withTransactionSpans } from './transaction-spans.js';

export type Dialect = DatabaseConfig['kind'];

export interface Database {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  /** Applies every pending migration; throws with the failing migration's name. */
  /** Runs the gateway's migrations, then `extra` (a vendor feature's tables; see `VendorFeature`). */
  migrate(extra?: Record<string, Migration>): Promise<void>;
  /** True when the database answers, every migration is applied and it takes a write. */
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

/**
 * PostgreSQL's "cannot serve now" SQLSTATEs: connection exceptions (08xxx), insufficient resources
 * (53xxx: disk full, out of memory, too many connections), admin shutdown, crash shutdown and
 * "cannot connect now" (57P01-57P03), a read-only transaction (25006: a standby after failover,
 * `default_transaction_read_only`) and an I/O error (58030). 55000 only when its message says the
 * database is not accepting connections (the same code also means a wrong object state).
 */
const PG_UNAVAILABLE = /^(08\d{3}|53\d{3}|57P0[1-3]|25006|58030)$/;
const PG_NOT_ACCEPTING = /not (currently )?accepting connections/i;
const NODE_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/**
 * SQLite's: locked past the busy timeout, disk full, read-only (file, folder or `query_only`),
 * an I/O error, or the file cannot be opened; with their extended codes (`SQLITE_IOERR_WRITE`).
 */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|FULL|READONLY|IOERR|CANTOPEN)(_|$)/;

/**
 * The SQLSTATE or driver code that makes a failure "the database cannot serve now", or null for
 * a failure of the query itself (a constraint, a syntax error): the first is retried later by
 * the caller and makes `/readyz` look, the second is a bug or a conflict.
 */
export function unavailableCode(err: unknown): string | null {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof DatabaseUnavailable) return e.reason ?? DatabaseUnavailable.code;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (PG_UNAVAILABLE.test(code) || NODE_UNAVAILABLE.has(code)) return code;
      if (code === '55000' && PG_NOT_ACCEPTING.test(e.message)) return code;
      if (SQLITE_UNAVAILABLE.test(code)) return code;
    }
    if (/^Connection terminated|timeout exceeded when trying to connect/.test(e.message)) {
      return 'CONNECTION_LOST';
    }
  }
  return null;
}

/**
 * A failure that says the database is unavailable right now (no connection in time, connection
 * lost or refused, too many connections, disk full, read-only, SQLite locked past its busy
 * timeout) rather than that the query was wrong: such failures reach clients as
 * DATABASE_UNAVAILABLE (503, retry later) instead of "Unexpected error.".
 */
export function asDatabaseUnavailable(err: unknown): DatabaseUnavailable | null {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof DatabaseUnavailable) return e;
  }
  const code = unavailableCode(err);
  return code ? new DatabaseUnavailable(code) : null;
}

export function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Database {
  const pool = { ...DEFAULT_POOL, ...options.pool };
  const dialect = withTransactionSpans(
    createDialect(config, options, pool),
    config.kind === 'postgres' ? 'postgresql' : 'sqlite',
  );
  const db = new Kysely<DB>({ dialect });
  // Kysely looks for its bookkeeping tables by name across every schema unless told which one:
  // another schema's `kysely_migration` (another app, a parallel test) would be taken for ours.
  const migratorWith = (extra: Record<string, Migration>) =>
    new Migrator({
      db,
      provider: {
        getMigrations: async () => ({ ...(await migrationProvider.getMigrations()), ...extra }),
      },
      ...(config.kind === 'postgres' ? { migrationTableSchema: options.schema ?? 'public' } : {}),
    });
  const migrator = migratorWith({});
  let closed = false;

  return {
    db,
    dialect: config.kind,
    async migrate(extra = {}) {
      await waitUntilReachable(db, config, pool.startTimeoutMs, options.logger);
      if (config.kind === 'postgres' && options.schema) {
        await sql`create schema if not exists ${sql.id(options.schema)}`.execute(db);
      }
      const { error, results } = await migratorWith(extra).migrateToLatest();
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
      } catch (err) {
        return { ok: false, reason: `database unreachable${describeFailure(err)}` };
      }
      return probeWrite(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

const ROLLBACK = Symbol('rollback');
// Larger than a page (SQLite 4 KiB, PostgreSQL 8 KiB): the probe must allocate, as a sale does.
const PROBE_PAD = 'x'.repeat(20_000);

/**
 * Whether the database takes a write now: a read answers on a read-only standby, a full disk or
 * a SQLite file opened read-only, while every sale fails. The probe writes a row larger than a
 * page in a transaction and rolls it back, so nothing is kept and nothing grows.
 */
async function probeWrite(db: Kysely<DB>): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await db.transaction().execute(async (trx) => {
      await sql`insert into readiness_probe (id, pad) values (${randomUUID()}, ${PROBE_PAD})`.execute(
        trx,
      );
      throw ROLLBACK;
    });
  } catch (err) {
    if (err === ROLLBACK) return { ok: true };
    return { ok: false, reason: `database cannot write${describeFailure(err)}` };
  }
  return { ok: true };
}

/** ` (53300): too many connections for role "gw"`: the code and the innermost message. */
function describeFailure(err: unknown): string {
  const code = unavailableCode(err) ?? (err as { code?: unknown }).code;
  let cause = err as Error;
  while (cause.cause instanceof Error) cause = cause.cause;
  return `${typeof code === 'string' ? ` (${code})` : ''}: ${cause.message}`;
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
  return new RollbackTolerantSqliteDialect({
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
 * SQLite rolls a transaction back by itself on some errors (a full disk, out of memory, an I/O
 * error); Kysely's own `rollback` then fails with "cannot rollback - no transaction is active",
 * and that error would replace the one that says why (SQLITE_FULL becomes "Unexpected error.").
 */
class RollbackTolerantSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    const rollback = driver.rollbackTransaction.bind(driver);
    driver.rollbackTransaction = async (connection: DatabaseConnection) => {
      try {
        await rollback(connection);
      } catch (err) {
        if (!/no transaction is active/.test((err as Error).message)) throw err;
      }
    };
    return driver;
  }
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
