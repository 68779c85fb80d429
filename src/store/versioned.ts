import type { Kysely, Selectable, Transaction, Updateable } from 'kysely';
import { countChange, isCounted } from './counters.js';
import type { DB } from './schema.js';

/**
 * The ledgers whose rows move by version, each with its history: the events table and the
 * column by which an event names its row.
 */
const LEDGERS = {
  orders: { events: 'order_events', key: 'order_id' },
  vas_transactions: { events: 'vas_transaction_events', key: 'transaction_id' },
  oa_packages: { events: 'oa_package_events', key: 'oa_package_id' },
  voice_calls: { events: 'voice_call_events', key: 'voice_call_id' },
  phone_verifications: { events: 'phone_verification_events', key: 'verification_id' },
} as const;

export type Ledger = keyof typeof LEDGERS;

// Kysely's types cannot follow a table chosen at run time: inside these two functions the
// transaction is untyped; their signatures keep each ledger's own row and column types.
// biome-ignore lint/suspicious/noExplicitAny: a table named at run time (see above)
type Untyped = Transaction<any>;

/** Appends version `version` of a row to its ledger's history. */
export async function appendEvent(
  trx: Transaction<DB>,
  ledger: Ledger,
  id: string,
  version: number,
  status: string,
  detail: string,
  at: string,
): Promise<void> {
  const { events, key } = LEDGERS[ledger];
  await (trx as unknown as Untyped)
    .insertInto(events)
    .values({ [key]: id, version, status, detail, at })
    .execute();
}

/**
 * Moves a row to `status`, with the other columns in `set`, if it is still at the version the
 * caller read (optimistic concurrency), and appends the change to its history and to the
 * ledger's counters (`counters.ts`) in the same transaction. The row as it is now, or null when
 * someone else changed it first. `current.status` is the status at `current.version`.
 */
export async function transition<L extends Ledger>(
  db: Kysely<DB>,
  ledger: L,
  current: { id: string; version: number; status: string },
  status: string,
  set: Updateable<DB[L]>,
  detail: string,
  at: string,
): Promise<Selectable<DB[L]> | null> {
  const version = current.version + 1;
  return db.transaction().execute(async (trx) => {
    const t = trx as unknown as Untyped;
    const table: string = ledger;
    const columns: Record<string, unknown> = { ...set, status, updated_at: at, version };
    // The row as updated comes back from the update itself (RETURNING, SQLite and PostgreSQL):
    // one round trip fewer per change than reading it again.
    const row = await t
      .updateTable(table)
      .set(columns)
      .where('id', '=', current.id)
      .where('version', '=', current.version)
      .returningAll()
      .executeTakeFirst();
    if (!row) return null;
    await appendEvent(trx, ledger, current.id, version, status, detail, at);
    if (isCounted(ledger)) {
      await countChange(
        trx,
        ledger,
        row as { client_id: string; created_at: string },
        current.status,
        status,
      );
    }
    return row as Selectable<DB[L]>;
  });
}
