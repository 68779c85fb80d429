import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

/**
 * The one set of migrations, valid on SQLite and PostgreSQL: portable column types only, no
 * auto-increment, timestamps as ISO text. Never edit a released migration; add the next one.
 */
const migrations: Record<string, Migration> = {
  '0001_order_ledger': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('orders')
        .addColumn('id', 'text', (c) => c.primaryKey())
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
        .addColumn('registered_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('orders_phone_created')
        .on('orders')
        .columns(['phone', 'created_at'])
        .execute();
      await db.schema
        .createIndex('orders_client_created')
        .on('orders')
        .columns(['client_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('orders_status_created')
        .on('orders')
        .columns(['status', 'created_at'])
        .execute();
      await db.schema.createIndex('orders_created').on('orders').column('created_at').execute();

      await db.schema
        .createTable('order_events')
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('order_events_pk', ['order_id', 'version'])
        .execute();

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
      await db.schema
        .createIndex('idempotency_keys_expires')
        .on('idempotency_keys')
        .column('expires_at')
        .execute();
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
      await db.schema
        .createIndex('idempotency_keys_open')
        .on('idempotency_keys')
        .columns(['response', 'created_at'])
        .execute();
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
      await db.schema
        .createIndex('client_keys_client')
        .on('client_keys')
        .column('client_id')
        .execute();
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
      await db.schema
        .createTable('vas_transactions')
        .addColumn('id', 'text', (c) => c.primaryKey())
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
        .addColumn('next_settle_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('settled_at', 'text')
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('vas_transactions_created')
        .on('vas_transactions')
        .columns(['created_at', 'id'])
        .execute();
      await db.schema
        .createIndex('vas_transactions_package')
        .on('vas_transactions')
        .columns(['phone', 'service_id', 'package_id', 'status'])
        .execute();
      await db.schema
        .createIndex('vas_transactions_settle')
        .on('vas_transactions')
        .columns(['status', 'next_settle_at'])
        .execute();
      await db.schema
        .createTable('vas_transaction_events')
        .addColumn('transaction_id', 'text', (c) => c.notNull().references('vas_transactions.id'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('vas_transaction_events_pk', ['transaction_id', 'version'])
        .execute();
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
      await db.schema
        .createIndex('vas_events_phone_received')
        .on('vas_events')
        .columns(['phone', 'received_at'])
        .execute();
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
      await db.schema
        .createTable('phone_verifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('checks', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('sends', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('phone_verifications_phone_created')
        .on('phone_verifications')
        .columns(['phone', 'created_at'])
        .execute();

      await db.schema
        .createTable('voice_calls')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('vendor_code', 'text')
        .addColumn('failure_message', 'text')
        .addColumn('verification_id', 'text', (c) => c.references('phone_verifications.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('settled_at', 'text')
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('voice_calls_phone_created')
        .on('voice_calls')
        .columns(['phone', 'created_at'])
        .execute();
      await db.schema
        .createIndex('voice_calls_status_updated')
        .on('voice_calls')
        .columns(['status', 'updated_at'])
        .execute();

      await db.schema
        .createTable('voice_call_events')
        .addColumn('voice_call_id', 'text', (c) => c.notNull().references('voice_calls.id'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('voice_call_events_pk', ['voice_call_id', 'version'])
        .execute();
      await db.schema
        .createTable('phone_verification_events')
        .addColumn('verification_id', 'text', (c) =>
          c.notNull().references('phone_verifications.id'),
        )
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('phone_verification_events_pk', ['verification_id', 'version'])
        .execute();
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
      await db.schema
        .createTable('oa_packages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('oa_id', 'text', (c) => c.notNull())
        .addColumn('tier', 'text', (c) => c.notNull())
        .addColumn('active_from', 'text', (c) => c.notNull())
        .addColumn('duration', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('service_preview_id', 'text')
        .addColumn('vendor_code', 'text')
        .addColumn('vendor_message', 'text')
        .addColumn('failure_reason', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('oa_packages_oa_created')
        .on('oa_packages')
        .columns(['oa_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('oa_packages_status_updated')
        .on('oa_packages')
        .columns(['status', 'updated_at'])
        .execute();
      await db.schema
        .createTable('oa_package_events')
        .addColumn('oa_package_id', 'text', (c) => c.notNull().references('oa_packages.id'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('oa_package_events_pk', ['oa_package_id', 'version'])
        .execute();
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
      const day = sql`substr(created_at, 1, 10)`;
      // The tags of counters.ts `TAGS` as of this migration.
      const tags = {
        orders: { telco: 'telco', package: 'package_code' },
        vas_transactions: { action: 'action', service: 'service_id' },
      };
      for (const [ledger, columns] of Object.entries(tags)) {
        const tagged = [
          null,
          ...Object.entries(columns).map(([name, column]) => ({
            expr: sql`${sql.lit(`${name}=`)} || ${sql.ref(column)}`,
            group: sql.ref(column),
          })),
        ];
        for (const t of tagged) {
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
              ...(t ? [t.group] : []),
              day,
            ];
            await sql`
              insert into ledger_counts (ledger, client_id, status, tag, day, shard, n)
              select ${sql.lit(ledger)}, ${client}, ${status}, ${t ? t.expr : sql.lit('')}, ${day}, 0, count(*)
              from ${sql.table(ledger)}
              group by ${sql.join(groups)}
            `.execute(db);
          }
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
      await db.schema
        .createIndex('voice_calls_client_created')
        .on('voice_calls')
        .columns(['client_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('voice_calls_prefix_created')
        .on('voice_calls')
        .columns(['phone_prefix', 'created_at'])
        .execute();
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
      await db.schema
        .createIndex('voice_prefix_blocks_prefix_blocked')
        .on('voice_prefix_blocks')
        .columns(['prefix', 'blocked_at'])
        .execute();
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
      const day = sql`substr(created_at, 1, 10)`;
      // Per ledger, its two tags as counters.ts `TAGS` has them at this migration: name, column.
      const pairs: Array<[string, [string, string], [string, string]]> = [
        ['orders', ['telco', 'telco'], ['package', 'package_code']],
        ['vas_transactions', ['action', 'action'], ['service', 'service_id']],
      ];
      for (const [ledger, [a, colA], [b, colB]] of pairs) {
        const expr = sql`${sql.lit(`${a}=`)} || ${sql.ref(colA)} || ${sql.lit(`&${b}=`)} || ${sql.ref(colB)}`;
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
            sql.ref(colA),
            sql.ref(colB),
            day,
          ];
          await sql`
            insert into ledger_counts (ledger, client_id, status, tag, day, shard, n)
            select ${sql.lit(ledger)}, ${client}, ${status}, ${expr}, ${day}, 0, count(*)
            from ${sql.table(ledger)}
            group by ${sql.join(groups)}
          `.execute(db);
        }
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
