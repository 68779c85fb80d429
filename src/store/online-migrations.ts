import { type Kysely, type Migration, PostgresAdapter, sql } from 'kysely';

/**
 * Migrations that must not lock writes on a live ledger: index builds. Kysely runs a migration
 * in a transaction on PostgreSQL, and `CREATE INDEX CONCURRENTLY` cannot run in one. Nor can it
 * run under Kysely's migration lock: that is one advisory lock for every schema of the database,
 * and a build waits for every open transaction, including another instance's (or test file's)
 * statement waiting for that lock: a deadlock. So these run after the ordinary migrations, by
 * `runOnlineMigrations`, outside any transaction, recorded in `online_migrations`, under a lock of
 * their own (per schema) that is polled rather than waited on. Each step is idempotent: a build
 * cut short (a stop, a deploy) is run again, and PostgreSQL's leftover INVALID index dropped
 * first. On SQLite a build is a plain `CREATE INDEX` (one writer anyway).
 */

interface IndexSpec {
  name: string;
  table: string;
  columns: string[];
}

/** Indexes of one table, by name: the columns of each. */
function onTable(table: string, indexes: Record<string, string[]>): IndexSpec[] {
  return Object.entries(indexes).map(([name, columns]) => ({ name, table, columns }));
}

/**
 * Every ledger list sorts on `(created_at, id)` and filters on an owner, a status or a
 * subscriber: one index per such filter, ending in the sort key, so that a page at any depth and
 * a count of a partial day are one index range (`keyset.ts`, `counters.ts`).
 */
const KEYSET_INDEXES: IndexSpec[] = [
  ...onTable('orders', {
    orders_created_id: ['created_at', 'id'],
    orders_client_created_id: ['client_id', 'created_at', 'id'],
    orders_status_created_id: ['status', 'created_at', 'id'],
    orders_client_status_created_id: ['client_id', 'status', 'created_at', 'id'],
    orders_phone_created_id: ['phone', 'created_at', 'id'],
  }),
  ...onTable('vas_transactions', {
    vas_transactions_client_created_id: ['client_id', 'created_at', 'id'],
    vas_transactions_status_created_id: ['status', 'created_at', 'id'],
    vas_transactions_client_status_created_id: ['client_id', 'status', 'created_at', 'id'],
    vas_transactions_phone_created_id: ['phone', 'created_at', 'id'],
  }),
  ...onTable('vas_events', { vas_events_phone_received_id: ['phone', 'received_at', 'queue_id'] }),
  ...onTable('voice_calls', { voice_calls_phone_created_id: ['phone', 'created_at', 'id'] }),
  ...onTable('phone_verifications', {
    phone_verifications_phone_created_id: ['phone', 'created_at', 'id'],
  }),
  ...onTable('oa_packages', {
    oa_packages_oa_created_id: ['oa_id', 'created_at', 'id'],
    oa_packages_client_created_id: ['client_id', 'created_at', 'id'],
  }),
];

/**
 * The console's ledger-wide lists of OA purchases and voice calls (newest first, every client's
 * or one client's), and the idempotency keys of a record (its evidence).
 */
const CONSOLE_INDEXES: IndexSpec[] = [
  ...onTable('oa_packages', { oa_packages_created_id: ['created_at', 'id'] }),
  ...onTable('voice_calls', {
    voice_calls_created_id: ['created_at', 'id'],
    voice_calls_client_created_id: ['client_id', 'created_at', 'id'],
  }),
  ...onTable('idempotency_keys', { idempotency_keys_record: ['record_id'] }),
];

/** The indexes the ones above replace (each is a prefix of a new one), per table. */
const SUPERSEDED: Record<string, string[]> = {
  orders: [
    'orders_created',
    'orders_client_created',
    'orders_status_created',
    'orders_phone_created',
  ],
  vas_events: ['vas_events_phone_received'],
  voice_calls: ['voice_calls_phone_created'],
  phone_verifications: ['phone_verifications_phone_created'],
  oa_packages: ['oa_packages_oa_created'],
};

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

async function createIndex(db: Kysely<unknown>, spec: IndexSpec): Promise<void> {
  const columns = sql.join(spec.columns.map((c) => sql.ref(c)));
  if (!isPostgres(db)) {
    await sql`create index if not exists ${sql.id(spec.name)} on ${sql.table(spec.table)} (${columns})`.execute(
      db,
    );
    return;
  }
  const invalid = await sql`
    select 1 from pg_index i join pg_class c on c.oid = i.indexrelid
    where c.relname = ${spec.name} and c.relnamespace = current_schema()::regnamespace
      and not i.indisvalid
  `.execute(db);
  if (invalid.rows.length > 0) {
    await sql`drop index concurrently if exists ${sql.id(spec.name)}`.execute(db);
  }
  const concurrently = (await hasRows(db, spec.table)) ? sql`concurrently` : sql``;
  await sql`create index ${concurrently} if not exists ${sql.id(spec.name)} on ${sql.table(spec.table)} (${columns})`.execute(
    db,
  );
}

async function dropIndex(db: Kysely<unknown>, name: string, table: string): Promise<void> {
  const concurrently = isPostgres(db) && (await hasRows(db, table)) ? sql`concurrently` : sql``;
  await sql`drop index ${concurrently} if exists ${sql.id(name)}`.execute(db);
}

/**
 * CONCURRENTLY waits for every transaction open in the database, other schemas' included; on an
 * empty table (a fresh install) a plain build or drop holds its lock for an instant and waits
 * for none.
 */
async function hasRows(db: Kysely<unknown>, table: string): Promise<boolean> {
  const rows = await sql`select 1 from ${sql.table(table)} limit 1`.execute(db);
  return rows.rows.length > 0;
}

const migrations: Record<string, Migration> = {
  '0001_keyset_indexes': {
    async up(db: Kysely<unknown>) {
      for (const spec of KEYSET_INDEXES) await createIndex(db, spec);
      for (const [table, names] of Object.entries(SUPERSEDED)) {
        for (const name of names) await dropIndex(db, name, table);
      }
    },
    async down(db: Kysely<unknown>) {
      for (const spec of KEYSET_INDEXES) await dropIndex(db, spec.name, spec.table);
    },
  },
  '0002_console_indexes': {
    async up(db: Kysely<unknown>) {
      for (const spec of CONSOLE_INDEXES) await createIndex(db, spec);
    },
    async down(db: Kysely<unknown>) {
      for (const spec of CONSOLE_INDEXES) await dropIndex(db, spec.name, spec.table);
    },
  },
};

export const ONLINE_MIGRATION_NAMES = Object.keys(migrations).sort();

async function applied(db: Kysely<unknown>): Promise<Set<string>> {
  const rows = await sql<{ name: string }>`select name from online_migrations`.execute(db);
  return new Set(rows.rows.map((r) => r.name));
}

/** Applies the pending online migrations (after the ordinary ones: they need the tables). */
export async function runOnlineMigrations(db: Kysely<unknown>): Promise<void> {
  await sql`create table if not exists online_migrations (name text primary key, applied_at text not null)`.execute(
    db,
  );
  await db.connection().execute(async (conn) => {
    const pg = isPostgres(conn);
    const key = sql`hashtext('online-migrations:' || current_schema())`;
    if (pg) {
      // Polled: a session waiting in pg_advisory_lock would hold up another's index build.
      for (;;) {
        const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(${key}) as ok`.execute(
          conn,
        );
        if (got.rows[0]?.ok) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    try {
      const done = await applied(conn);
      for (const name of ONLINE_MIGRATION_NAMES) {
        if (done.has(name)) continue;
        await migrations[name]!.up(conn);
        await sql`insert into online_migrations (name, applied_at) values (${name}, ${new Date().toISOString()})`.execute(
          conn,
        );
      }
    } finally {
      if (pg) await sql`select pg_advisory_unlock(${key})`.execute(conn);
    }
  });
}

/** The online migrations not applied yet (all of them before the first run). */
export async function pendingOnlineMigrations(db: Kysely<unknown>): Promise<string[]> {
  try {
    const done = await applied(db);
    return ONLINE_MIGRATION_NAMES.filter((n) => !done.has(n));
  } catch {
    return [...ONLINE_MIGRATION_NAMES];
  }
}
