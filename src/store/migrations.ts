import {
  type CreateTableBuilder,
  type Kysely,
  type Migration,
  type MigrationProvider,
  type RawBuilder,
  sql,
} from 'kysely';

/**
 * The one set of migrations, valid on SQLite and PostgreSQL: portable column types only, no
 * auto-increment, timestamps as ISO text. Never edit a released migration; add the next one.
 * test/store/migration-schema.test.ts holds each migration to the schema it made when released.
 */

type Columns = (t: CreateTableBuilder<string, string>) => CreateTableBuilder<string, string>;

interface Ledger {
  /** The records' table: `id` first, then `columns`, then the timestamps and `version`. */
  table: string;
  columns: Columns;
  /** A `settled_at` column after `updated_at` (when the vendor's outcome became final). */
  settles?: boolean;
  /** The history table (one row per version) and its column naming the record. */
  events: { table: string; ref: string };
}

/**
 * A ledger's records and their history. Records end in `created_at`, `updated_at`, `settled_at`
 * where the ledger settles, and the optimistic lock's `version`; the history, keyed by record and
 * version, holds the status each version moved to, a detail and when.
 */
async function createLedger(db: Kysely<unknown>, ledger: Ledger): Promise<void> {
  let records = ledger
    .columns(db.schema.createTable(ledger.table).addColumn('id', 'text', (c) => c.primaryKey()))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull());
  if (ledger.settles) records = records.addColumn('settled_at', 'text');
  await records.addColumn('version', 'integer', (c) => c.notNull()).execute();
  const { table, ref } = ledger.events;
  await db.schema
    .createTable(table)
    .addColumn(ref, 'text', (c) => c.notNull().references(`${ledger.table}.id`))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint(`${table}_pk`, [ref, 'version'])
    .execute();
}

/** Plain (not unique) indexes of one table, by name. */
async function createIndexes(
  db: Kysely<unknown>,
  table: string,
  indexes: Record<string, string[]>,
): Promise<void> {
  for (const [name, columns] of Object.entries(indexes)) {
    await db.schema.createIndex(name).on(table).columns(columns).execute();
  }
}

/**
 * Fills `ledger_counts` from a ledger's rows for one tag (none: the untagged counts): per day, per
 * client and status, per status, per client, and all together (counters.ts).
 */
async function countExisting(
  db: Kysely<unknown>,
  ledger: string,
  tag: { expr: RawBuilder<unknown>; columns: string[] } | null,
): Promise<void> {
  const day = sql`substr(created_at, 1, 10)`;
  for (const [byClient, byStatus] of [
    [true, true],
    [false, true],
    [true, false],
    [false, false],
  ]) {
    const client = byClient ? sql.ref('client_id') : sql.lit('');
    const status = byStatus ? sql.ref('status') : sql.lit('');
    const groups = [
      ...(byClient ? [sql.ref('client_id')] : []),
      ...(byStatus ? [sql.ref('status')] : []),
      ...(tag ? tag.columns.map((c) => sql.ref(c)) : []),
      day,
    ];
    await sql`
      insert into ledger_counts (ledger, client_id, status, tag, day, shard, n)
      select ${sql.lit(ledger)}, ${client}, ${status}, ${tag ? tag.expr : sql.lit('')}, ${day}, 0, count(*)
      from ${sql.table(ledger)}
      group by ${sql.join(groups)}
    `.execute(db);
  }
}
const migrations: Record<string, Migration> = {
  '0001_order_ledger': {
    async up(db: Kysely<unknown>) {
      await createLedger(db, {
        table: 'orders',
        columns: (t) =>
          t
            .addColumn('partner_trans_id', 'text', (c) => c.notNull().unique())
            .addColumn('order_code', 'text', (c) => c.unique())
            .addColumn('telco_trans_id', 'text')
            .addColumn('client_id', 'text', (c) => c.notNull())
            .addColumn('phone', 'text', (c) => c.notNull())
            .addColumn('telco', 'text', (c) => c.notNull())
            .addColumn('package_code', 'text', (c) => c.notNull())
            .addColumn('status', 'text', (c) => c.notNull())
            .addColumn('failure_code', 'text')
            .addColumn('failure_message', 'text')
            .addColumn('otp_attempts', 'integer', (c) => c.notNull().defaultTo(0))
            .addColumn('utm_source', 'text', (c) => c.notNull().defaultTo(''))
            .addColumn('utm_medium', 'text', (c) => c.notNull().defaultTo(''))
            .addColumn('utm_content', 'text', (c) => c.notNull().defaultTo(''))
            .addColumn('utm_campaign', 'text', (c) => c.notNull().defaultTo(''))
            .addColumn('registered_type', 'text')
            .addColumn('registered_code', 'text')
            .addColumn('otp_sent_at', 'text')
            .addColumn('registered_at', 'text'),
        events: { table: 'order_events', ref: 'order_id' },
      });
      await createIndexes(db, 'orders', {
        orders_phone_created: ['phone', 'created_at'],
        orders_client_created: ['client_id', 'created_at'],
        orders_status_created: ['status', 'created_at'],
        orders_created: ['created_at'],
      });

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('response', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['client_id', 'operation', 'key'])
        .execute();
      await createIndexes(db, 'idempotency_keys', { idempotency_keys_expires: ['expires_at'] });
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table idempotency_keys`.execute(db);
      await sql`drop table order_events`.execute(db);
      await sql`drop table orders`.execute(db);
    },
  },
  '0002_idempotency_progress': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('idempotency_keys').addColumn('progress', 'text').execute();
      await createIndexes(db, 'idempotency_keys', {
        idempotency_keys_open: ['response', 'created_at'],
      });
    },
    async down(db: Kysely<unknown>) {
      await sql`drop index idempotency_keys_open`.execute(db);
      await db.schema.alterTable('idempotency_keys').dropColumn('progress').execute();
    },
  },
  '0003_clients': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('clients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('disabled_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('client_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await createIndexes(db, 'client_keys', { client_keys_client: ['client_id'] });
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table client_keys`.execute(db);
      await sql`drop table clients`.execute(db);
    },
  },
  '0004_failure_vendor_code': {
    // `failure_code` held either the vendor's own code (a refusal) or a VendorError code. It now
    // holds the gateway's OrderFailureCode only, and the vendor's code has its own column.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('orders').addColumn('failure_vendor_code', 'text').execute();
      const ours = sql.join(
        ['VENDOR_TIMEOUT', 'VENDOR_UNAVAILABLE', 'VENDOR_HTTP', 'VENDOR_BAD_RESPONSE'].map((c) =>
          sql.lit(c),
        ),
      );
      // A vendor code on a FAILED order is a refused OTP request; on any other order, the last
      // wrong OTP (a registration failure on the way is stored under a VendorError code).
      await sql`
        update orders
        set failure_vendor_code = failure_code,
            failure_code = case when status = 'FAILED' then 'VENDOR_REJECTED' else 'OTP_INCORRECT' end
        where failure_code is not null and failure_code not in (${ours})
      `.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await sql`update orders set failure_code = failure_vendor_code where failure_vendor_code is not null`.execute(
        db,
      );
      await db.schema.alterTable('orders').dropColumn('failure_vendor_code').execute();
    },
  },
  '0005_vas_ledger': {
    // VAS registrations and cancellations (written before the notify_reg call), their history,
    // the SDP's notifications (once per queueID) and what the gateway knows of each package.
    async up(db: Kysely<unknown>) {
      await createLedger(db, {
        table: 'vas_transactions',
        columns: (t) =>
          t
            .addColumn('client_id', 'text', (c) => c.notNull())
            .addColumn('phone', 'text', (c) => c.notNull())
            .addColumn('service_id', 'text', (c) => c.notNull())
            .addColumn('package_id', 'text', (c) => c.notNull())
            .addColumn('action', 'text', (c) => c.notNull())
            .addColumn('channel', 'text', (c) => c.notNull())
            .addColumn('price', 'text', (c) => c.notNull().defaultTo(''))
            .addColumn('auto_renew', 'integer')
            .addColumn('status', 'text', (c) => c.notNull())
            .addColumn('queue_id', 'text', (c) => c.notNull().unique())
            .addColumn('vendor_code', 'text')
            .addColumn('vendor_message', 'text')
            .addColumn('failure_reason', 'text')
            .addColumn('settle_attempts', 'integer', (c) => c.notNull().defaultTo(0))
            .addColumn('next_settle_at', 'text'),
        settles: true,
        events: { table: 'vas_transaction_events', ref: 'transaction_id' },
      });
      await createIndexes(db, 'vas_transactions', {
        vas_transactions_created: ['created_at', 'id'],
        vas_transactions_package: ['phone', 'service_id', 'package_id', 'status'],
        vas_transactions_settle: ['status', 'next_settle_at'],
      });
      await db.schema
        .createTable('vas_events')
        .addColumn('queue_id', 'text', (c) => c.primaryKey())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('package_id', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('result_code', 'text', (c) => c.notNull())
        .addColumn('error_desc', 'text', (c) => c.notNull())
        .addColumn('command_code', 'text', (c) => c.notNull())
        .addColumn('price', 'text', (c) => c.notNull())
        .addColumn('auto_renew', 'integer')
        .addColumn('subscribed_at', 'text')
        .addColumn('expires_at', 'text')
        .addColumn('received_at', 'text', (c) => c.notNull())
        .execute();
      await createIndexes(db, 'vas_events', {
        vas_events_phone_received: ['phone', 'received_at'],
      });
      await db.schema
        .createTable('vas_subscriptions')
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('package_id', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('vas_subscriptions_pk', ['phone', 'service_id', 'package_id'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table vas_subscriptions`.execute(db);
      await sql`drop table vas_events`.execute(db);
      await sql`drop table vas_transaction_events`.execute(db);
      await sql`drop table vas_transactions`.execute(db);
    },
  },
  '0006_voice_calls_and_verifications': {
    // Voice OTP calls and phone verifications. A call never stores the digits it reads out; a
    // verification stores only an HMAC of its code (keyed with GATEWAY_SECRET).
    async up(db: Kysely<unknown>) {
      await createLedger(db, {
        table: 'phone_verifications',
        columns: (t) =>
          t
            .addColumn('client_id', 'text', (c) => c.notNull())
            .addColumn('phone', 'text', (c) => c.notNull())
            .addColumn('channel', 'text', (c) => c.notNull())
            .addColumn('status', 'text', (c) => c.notNull())
            .addColumn('code_hash', 'text', (c) => c.notNull())
            .addColumn('checks', 'integer', (c) => c.notNull().defaultTo(0))
            .addColumn('sends', 'integer', (c) => c.notNull().defaultTo(0))
            .addColumn('expires_at', 'text', (c) => c.notNull()),
        events: { table: 'phone_verification_events', ref: 'verification_id' },
      });
      await createIndexes(db, 'phone_verifications', {
        phone_verifications_phone_created: ['phone', 'created_at'],
      });

      await createLedger(db, {
        table: 'voice_calls',
        columns: (t) =>
          t
            .addColumn('client_id', 'text', (c) => c.notNull())
            .addColumn('phone', 'text', (c) => c.notNull())
            .addColumn('request_id', 'text')
            .addColumn('status', 'text', (c) => c.notNull())
            .addColumn('vendor_code', 'text')
            .addColumn('failure_message', 'text')
            .addColumn('verification_id', 'text', (c) => c.references('phone_verifications.id')),
        settles: true,
        events: { table: 'voice_call_events', ref: 'voice_call_id' },
      });
      await createIndexes(db, 'voice_calls', {
        voice_calls_phone_created: ['phone', 'created_at'],
        voice_calls_status_updated: ['status', 'updated_at'],
      });
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table phone_verification_events`.execute(db);
      await sql`drop table voice_call_events`.execute(db);
      await sql`drop table voice_calls`.execute(db);
      await sql`drop table phone_verifications`.execute(db);
    },
  },
  '0007_oa_packages': {
    // Zalo OA package purchases through eSMS (src/store/oa-packages.ts), and their history.
    async up(db: Kysely<unknown>) {
      await createLedger(db, {
        table: 'oa_packages',
        columns: (t) =>
          t
            .addColumn('client_id', 'text', (c) => c.notNull())
            .addColumn('oa_id', 'text', (c) => c.notNull())
            .addColumn('tier', 'text', (c) => c.notNull())
            .addColumn('active_from', 'text', (c) => c.notNull())
            .addColumn('duration', 'integer', (c) => c.notNull())
            .addColumn('status', 'text', (c) => c.notNull())
            .addColumn('service_preview_id', 'text')
            .addColumn('vendor_code', 'text')
            .addColumn('vendor_message', 'text')
            .addColumn('failure_reason', 'text'),
        events: { table: 'oa_package_events', ref: 'oa_package_id' },
      });
      await createIndexes(db, 'oa_packages', {
        oa_packages_oa_created: ['oa_id', 'created_at'],
        oa_packages_status_updated: ['status', 'updated_at'],
      });
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table oa_package_events`.execute(db);
      await sql`drop table oa_packages`.execute(db);
    },
  },
  '0008_ledger_counters': {
    // totalCount without reading the ledger (src/store/counters.ts), filled from the rows there
    // are. Counts are exact once every instance writes them (this version on).
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('ledger_counts')
        .addColumn('ledger', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('tag', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('shard', 'integer', (c) => c.notNull())
        .addColumn('n', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_counts_pk', [
          'ledger',
          'client_id',
          'status',
          'tag',
          'day',
          'shard',
        ])
        .execute();
      // The tags of counters.ts `TAGS` as of this migration.
      const tags = {
        orders: { telco: 'telco', package: 'package_code' },
        vas_transactions: { action: 'action', service: 'service_id' },
      };
      for (const [ledger, columns] of Object.entries(tags)) {
        await countExisting(db, ledger, null);
        for (const [name, column] of Object.entries(columns)) {
          await countExisting(db, ledger, {
            expr: sql`${sql.lit(`${name}=`)} || ${sql.ref(column)}`,
            columns: [column],
          });
        }
      }
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table ledger_counts`.execute(db);
    },
  },
  '0009_vas_settle_due': {
    // The settling query reads `status = 'UNKNOWN' and next_settle_at <= now` as one range of
    // its index: every UNKNOWN row now has a due time (`next_settle_at is null` defeated it).
    async up(db: Kysely<unknown>) {
      await sql`
        update vas_transactions set next_settle_at = updated_at
        where status = 'UNKNOWN' and next_settle_at is null
      `.execute(db);
    },
    async down() {},
  },
  '0010_voice_call_limits': {
    // Voice call limits (src/store/voice-guard.ts): calls counted per client, and per number
    // prefix for the fraud guard, whose blocks are kept with their history.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('voice_calls').addColumn('phone_prefix', 'text').execute();
      await createIndexes(db, 'voice_calls', {
        voice_calls_client_created: ['client_id', 'created_at'],
        voice_calls_prefix_created: ['phone_prefix', 'created_at'],
      });
      await db.schema
        .createTable('voice_prefix_blocks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('unconverted', 'integer', (c) => c.notNull())
        .addColumn('blocked_at', 'text', (c) => c.notNull())
        .addColumn('until', 'text', (c) => c.notNull())
        .addColumn('lifted_at', 'text')
        .addColumn('lifted_by', 'text')
        .execute();
      await createIndexes(db, 'voice_prefix_blocks', {
        voice_prefix_blocks_prefix_blocked: ['prefix', 'blocked_at'],
      });
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table voice_prefix_blocks`.execute(db);
      await sql`drop index voice_calls_prefix_created`.execute(db);
      await sql`drop index voice_calls_client_created`.execute(db);
      await db.schema.alterTable('voice_calls').dropColumn('phone_prefix').execute();
    },
  },
  '0011_readiness_probe': {
    // `/readyz` writes a row here and rolls it back (src/store/database.ts probeWrite): it stays
    // empty, and proves the database takes writes (not read-only, not out of disk).
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('readiness_probe')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pad', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table readiness_probe`.execute(db);
    },
  },
  '0012_ledger_combined_tags': {
    // Counters for a count filtered on both of a ledger's tags (an order's carrier and package, a
    // VAS transaction's action and service: counters.ts `combinedTag`), filled from the rows there
    // are. Exact once every instance writes them (this version on), like 0008's.
    async up(db: Kysely<unknown>) {
      // Per ledger, its two tags as counters.ts `TAGS` has them at this migration: name, column.
      const pairs: Array<[string, [string, string], [string, string]]> = [
        ['orders', ['telco', 'telco'], ['package', 'package_code']],
        ['vas_transactions', ['action', 'action'], ['service', 'service_id']],
      ];
      for (const [ledger, [a, colA], [b, colB]] of pairs) {
        await countExisting(db, ledger, {
          expr: sql`${sql.lit(`${a}=`)} || ${sql.ref(colA)} || ${sql.lit(`&${b}=`)} || ${sql.ref(colB)}`,
          columns: [colA, colB],
        });
      }
    },
    async down(db: Kysely<unknown>) {
      await sql`delete from ledger_counts where tag like '%&%'`.execute(db);
    },
  },
  '0013_console_evidence': {
    // The console's evidence per record: which idempotency keys made or acted on a record (its
    // id, once the request changed something; indexed by the online migration 0002), and how
    // often the SDP sent a notification again (a replay is acknowledged, not recorded again).
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('idempotency_keys').addColumn('record_id', 'text').execute();
      await db.schema
        .alterTable('vas_events')
        .addColumn('replays', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('vas_events').addColumn('last_replayed_at', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('vas_events').dropColumn('last_replayed_at').execute();
      await db.schema.alterTable('vas_events').dropColumn('replays').execute();
      await db.schema.alterTable('idempotency_keys').dropColumn('record_id').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};

export const MIGRATION_NAMES = Object.keys(migrations);
