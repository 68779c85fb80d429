import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/store/database.js';
import { MIGRATION_NAMES, migrationProvider } from '../../src/store/migrations.js';
import { ONLINE_MIGRATION_NAMES, runOnlineMigrations } from '../../src/store/online-migrations.js';
import { TEST_DATABASE_URL } from '../helpers/db.js';

/**
 * A released migration must build the same schema forever: the database of an instance that ran
 * it before a refactoring of migrations.ts is the database a fresh install gets after it. This
 * test runs the migrations one at a time on a fresh SQLite and a fresh PostgreSQL schema and
 * compares what each step leaves (tables, columns with type, nullability, default and position,
 * indexes, keys, foreign keys) with test/fixtures/migration-schema.json, dumped once from the
 * code as it was when each migration was released.
 *
 * Migrations 0008 and 0012 also fill `ledger_counts` from the ledgers' rows: a few orders and VAS
 * transactions are written before 0008, and the rows of `ledger_counts` are compared as well.
 *
 * A new migration adds its step to the fixture: run this file with UPDATE_MIGRATION_SCHEMA=1
 * (SQLite and TEST_DATABASE_URL both set), and check that the diff of the fixture only adds.
 */
const FIXTURE = join(import.meta.dirname, '../fixtures/migration-schema.json');
const UPDATE = process.env.UPDATE_MIGRATION_SCHEMA === '1';
/** The step after the ordinary migrations: every online migration, applied together. */
const ONLINE_STEP = `online:${ONLINE_MIGRATION_NAMES.join(',')}`;

type Dump = Record<string, string[]>;
type Steps = Record<string, Dump>;

if (!TEST_DATABASE_URL)
  console.warn('migration schema: PostgreSQL case skipped (TEST_DATABASE_URL unset)');

const BOOKKEEPING = ['kysely_migration', 'kysely_migration_lock', 'online_migrations'];

/** Rows written before 0008_ledger_counters: two clients, two days, both tags varied. */
async function seedLedgers(db: Kysely<unknown>): Promise<void> {
  const orders: Array<[string, string, string, string, string]> = [
    ['shopA', 'REGISTERED', 'MOBIFONE', 'C120', '2025-01-01T01:00:00.000Z'],
    ['shopA', 'REGISTERED', 'MOBIFONE', 'C120', '2025-01-01T02:00:00.000Z'],
    ['shopA', 'FAILED', 'VINAPHONE', 'C90', '2025-01-01T03:00:00.000Z'],
    ['shopB', 'REGISTERED', 'MOBIFONE', 'C90', '2025-01-02T01:00:00.000Z'],
  ];
  for (const [i, [client, status, telco, pkg, at]] of orders.entries()) {
    await sql`
      insert into orders (id, partner_trans_id, client_id, phone, telco, package_code, status, created_at, updated_at, version)
      values (${`o${i}`}, ${`P${i}`}, ${client}, '0936004420', ${telco}, ${pkg}, ${status}, ${at}, ${at}, 1)
    `.execute(db);
  }
  const vas: Array<[string, string, string, string, string]> = [
    ['shopA', 'SUCCEEDED', 'REGISTER', 'S1', '2025-01-01T01:00:00.000Z'],
    ['shopA', 'UNKNOWN', 'REGISTER', 'S2', '2025-01-01T02:00:00.000Z'],
    ['shopB', 'SUCCEEDED', 'CANCEL', 'S1', '2025-01-02T01:00:00.000Z'],
  ];
  for (const [i, [client, status, action, service, at]] of vas.entries()) {
    await sql`
      insert into vas_transactions (id, client_id, phone, service_id, package_id, action, channel, status, queue_id, created_at, updated_at, version)
      values (${`v${i}`}, ${client}, '0936004420', ${service}, 'P1', ${action}, 'API', ${status}, ${`q${i}`}, ${at}, ${at}, 1)
    `.execute(db);
  }
}

/** The rows of `ledger_counts`, one line each, sorted (the same on both databases). */
async function dumpCounts(db: Kysely<unknown>, dump: Dump): Promise<Dump> {
  if (!dump.ledger_counts) return dump;
  const rows = await sql<Record<string, unknown>>`
    select ledger, client_id, status, tag, day, shard, n from ledger_counts
  `.execute(db);
  const lines = rows.rows.map((r) =>
    ['ledger', 'client_id', 'status', 'tag', 'day', 'shard', 'n']
      .map((k) => String(r[k]))
      .join(' | '),
  );
  return { ...dump, 'ledger_counts rows': lines.sort() };
}

async function dumpSqlite(db: Kysely<unknown>): Promise<Dump> {
  const dump: Dump = {};
  const tables = await sql<{ name: string }>`
    select name from sqlite_master where type = 'table' and name not like 'sqlite_%'
  `.execute(db);
  for (const { name } of tables.rows) {
    if (BOOKKEEPING.includes(name)) continue;
    const lines: string[] = [];
    const columns = await sql<{
      cid: number;
      name: string;
      type: string;
      notnull: number;
      dflt_value: string | null;
      pk: number;
    }>`select * from pragma_table_info(${name})`.execute(db);
    for (const c of columns.rows) {
      lines.push(
        `column ${c.cid} ${c.name} ${c.type}${c.notnull ? ' not null' : ''}${
          c.dflt_value === null ? '' : ` default ${c.dflt_value}`
        }${c.pk ? ` pk${c.pk}` : ''}`,
      );
    }
    const indexes = await sql<{ name: string; unique: number; origin: string; partial: number }>`
      select * from pragma_index_list(${name})
    `.execute(db);
    for (const i of indexes.rows) {
      const cols = await sql<{ seqno: number; name: string }>`
        select * from pragma_index_info(${i.name}) order by seqno
      `.execute(db);
      // Automatic indexes (primary key, unique) are named by SQLite after their order: keep
      // what they are, not their name.
      const label = i.origin === 'c' ? i.name : `(${i.origin})`;
      lines.push(
        `index ${label}${i.unique ? ' unique' : ''}${i.partial ? ' partial' : ''} (${cols.rows
          .map((c) => c.name)
          .join(', ')})`,
      );
    }
    const keys = await sql<{
      id: number;
      seq: number;
      table: string;
      from: string;
      to: string | null;
      on_update: string;
      on_delete: string;
    }>`select * from pragma_foreign_key_list(${name})`.execute(db);
    for (const k of keys.rows) {
      lines.push(
        `foreign key (${k.from}) references ${k.table}(${k.to ?? ''}) on update ${k.on_update} on delete ${k.on_delete}`,
      );
    }
    const ddl = await sql<{ sql: string }>`
      select sql from sqlite_master where type = 'table' and name = ${name}
    `.execute(db);
    // Constraint names live only in the statement that made the table.
    for (const m of (ddl.rows[0]?.sql ?? '').matchAll(/constraint\s+"?(\w+)"?/gi)) {
      lines.push(`constraint ${m[1]}`);
    }
    dump[name] = lines.sort();
  }
  return dump;
}

async function dumpPostgres(db: Kysely<unknown>): Promise<Dump> {
  const dump: Dump = {};
  const add = (table: string, line: string) => {
    if (BOOKKEEPING.includes(table)) return;
    dump[table] = [...(dump[table] ?? []), line];
  };
  const columns = await sql<{
    table_name: string;
    column_name: string;
    ordinal_position: number;
    data_type: string;
    is_nullable: string;
    column_default: string | null;
  }>`
    select table_name, column_name, ordinal_position, data_type, is_nullable, column_default
    from information_schema.columns where table_schema = current_schema()
  `.execute(db);
  for (const c of columns.rows) {
    add(
      c.table_name,
      `column ${c.ordinal_position} ${c.column_name} ${c.data_type}${
        c.is_nullable === 'NO' ? ' not null' : ''
      }${c.column_default === null ? '' : ` default ${c.column_default}`}`,
    );
  }
  const indexes = await sql<{ tablename: string; indexname: string; indexdef: string }>`
    select tablename, indexname, indexdef from pg_indexes where schemaname = current_schema()
  `.execute(db);
  for (const i of indexes.rows) {
    add(i.tablename, `index ${i.indexname}: ${i.indexdef.replace(/ ON \S+\./, ' ON ')}`);
  }
  const constraints = await sql<{ table: string; name: string; def: string }>`
    select c.relname as table, k.conname as name, pg_get_constraintdef(k.oid) as def
    from pg_constraint k join pg_class c on c.oid = k.conrelid
    where k.connamespace = current_schema()::regnamespace
  `.execute(db);
  for (const k of constraints.rows) add(k.table, `constraint ${k.name}: ${k.def}`);
  for (const lines of Object.values(dump)) lines.sort();
  return dump;
}

function sorted(dump: Dump): Dump {
  return Object.fromEntries(Object.entries(dump).sort(([a], [b]) => a.localeCompare(b)));
}

const CASES: Array<{
  name: 'sqlite' | 'postgres';
  open: () => { database: Database; schema?: string; dispose: () => Promise<void> };
  dump: (db: Kysely<unknown>) => Promise<Dump>;
}> = [
  {
    name: 'sqlite',
    open: () => {
      const dir = mkdtempSync(join(tmpdir(), 'gateway-schema-'));
      const database = openDatabase({ kind: 'sqlite', path: join(dir, 'schema.sqlite') });
      return {
        database,
        dispose: async () => {
          await database.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
    dump: dumpSqlite,
  },
  ...(TEST_DATABASE_URL
    ? [
        {
          name: 'postgres' as const,
          open: () => {
            // A `t_` schema: dropped with the other test schemas after the run.
            const schema = `t_${randomBytes(6).toString('hex')}`;
            const database = openDatabase(
              { kind: 'postgres', url: TEST_DATABASE_URL! },
              { schema },
            );
            return { database, schema, dispose: () => database.close() };
          },
          dump: dumpPostgres,
        },
      ]
    : []),
];

const recorded: Partial<Record<'sqlite' | 'postgres', Steps>> = UPDATE
  ? {}
  : JSON.parse(readFileSync(FIXTURE, 'utf8'));

describe.each(CASES)('migration schema on $name', ({ name, open, dump }) => {
  let opened: ReturnType<typeof open> | undefined;
  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  it('every migration, one at a time, leaves the schema it left when it was released', async () => {
    opened = open();
    const db = opened.database.db as unknown as Kysely<unknown>;
    if (opened.schema) await sql`create schema ${sql.id(opened.schema)}`.execute(db);
    const migrator = new Migrator({
      db,
      provider: migrationProvider,
      ...(opened.schema ? { migrationTableSchema: opened.schema } : {}),
    });
    const steps: Steps = {};
    for (const step of MIGRATION_NAMES) {
      const { error } = await migrator.migrateTo(step);
      expect(error, step).toBeUndefined();
      steps[step] = sorted(await dumpCounts(db, await dump(db)));
      if (step === '0007_oa_packages') await seedLedgers(db);
    }
    await runOnlineMigrations(db);
    steps[ONLINE_STEP] = sorted(await dumpCounts(db, await dump(db)));

    if (UPDATE) {
      const all = existsSync(FIXTURE) ? JSON.parse(readFileSync(FIXTURE, 'utf8')) : {};
      all[name] = steps;
      writeFileSync(FIXTURE, `${JSON.stringify(all, null, 2)}\n`);
      return;
    }
    const expected = recorded[name];
    expect(expected, `no ${name} steps in the fixture`).toBeDefined();
    for (const step of Object.keys(steps)) {
      expect(
        steps[step],
        `${name} schema after ${step} (a new step? see this file's comment)`,
      ).toEqual(expected?.[step]);
    }
    expect(Object.keys(steps)).toEqual(Object.keys(expected ?? {}));
  });
});
