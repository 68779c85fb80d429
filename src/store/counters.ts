import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB, LedgerCountsTable } from './schema.js';

/**
 * Row counts of the ledgers that answer `totalCount` (orders, VAS transactions), kept per client,
 * status, tag and day (UTC, of `created_at`) in `ledger_counts`, changed in the same transaction
 * as the row: an insert adds one, a status change moves one from the old status to the new.
 * `''` in `client_id`, `status` or `tag` is the row for every client, status or tag, so a count
 * reads at most one row per day and shard whatever the filter. A tag is one more filter the API
 * offers on a column with few values (`TAGS`: an order's carrier or package, a VAS transaction's
 * action or service); a filter on both of a ledger's tags reads their combined tag. Each transaction picks one of
 * `SHARDS` rows at random, so concurrent writers on PostgreSQL rarely wait on the same row.
 */

export type CountedLedger = 'orders' | 'vas_transactions';

export const COUNTED_LEDGERS: readonly CountedLedger[] = ['orders', 'vas_transactions'];

/** Per ledger, the columns whose single-value filters the counters answer, by tag name. */
export const TAGS = {
  orders: { telco: 'telco', package: 'package_code' },
  vas_transactions: { action: 'action', service: 'service_id' },
} as const satisfies Record<CountedLedger, Record<string, string>>;

/** `telco=VIETTEL`: the tag of one column's value. */
export function tag(name: string, value: string): string {
  return `${name}=${value}`;
}

/**
 * The tag of several filters together (`telco=VIETTEL&package=C120`), in `TAGS` order; with one
 * filter, its own tag. Each ledger's counters carry the tag of all its tags together, so a count
 * filtered on both reads counters too.
 */
export function combinedTag(tags: readonly string[]): string {
  return tags.join('&');
}

function tagsOf(ledger: CountedLedger, row: Record<string, unknown>): string[] {
  const single = Object.entries(TAGS[ledger]).map(([name, column]) =>
    tag(name, String(row[column])),
  );
  return single.length > 1 ? [...single, combinedTag(single)] : single;
}

/**
 * The counter tag for a count filtered on these tag values (`TAGS` names; absent: not filtered):
 * `null` for no tag filter, else the one tag the counters keep for exactly that filter.
 */
export function counterTag<L extends CountedLedger>(
  ledger: L,
  values: Partial<Record<keyof (typeof TAGS)[L], string | null | undefined>>,
): string | null {
  const tags = (Object.keys(TAGS[ledger]) as Array<keyof (typeof TAGS)[L]>)
    .filter((name) => values[name])
    .map((name) => tag(String(name), String(values[name])));
  return tags.length === 0 ? null : combinedTag(tags);
}

const SHARDS = 8;
const ALL = '';

export function isCounted(ledger: string): ledger is CountedLedger {
  return (COUNTED_LEDGERS as readonly string[]).includes(ledger);
}

/**
 * Records a new row (`from` null) or a status change of a row, in the caller's transaction.
 * Counter rows are written in one statement, in key order: two transactions never take the same
 * two rows in opposite orders.
 */
export async function countChange(
  trx: Transaction<DB>,
  ledger: CountedLedger,
  row: { client_id: string; created_at: string },
  from: string | null,
  to: string,
): Promise<void> {
  if (from === to) return;
  const day = row.created_at.slice(0, 10);
  const shard = Math.floor(Math.random() * SHARDS);
  const values: LedgerCountsTable[] = [];
  for (const t of [ALL, ...tagsOf(ledger, row)]) {
    for (const client_id of [row.client_id, ALL]) {
      values.push({ ledger, client_id, status: to, tag: t, day, shard, n: 1 });
      values.push({ ledger, client_id, status: from ?? ALL, tag: t, day, shard, n: from ? -1 : 1 });
    }
  }
  const key = (v: (typeof values)[number]) => `${v.client_id}\u0000${v.status}\u0000${v.tag}`;
  values.sort((a, b) => (key(a) < key(b) ? -1 : 1));
  await trx
    .insertInto('ledger_counts')
    .values(values)
    .onConflict((oc) =>
      oc
        .columns(['ledger', 'client_id', 'status', 'tag', 'day', 'shard'])
        .doUpdateSet({ n: sql`ledger_counts.n + excluded.n` }),
    )
    .execute();
}

/** What the counters can answer: an owner, a status, a tag, and a range of whole days. */
export interface CounterQuery {
  clientId: string | null;
  status: string | null;
  tag: string | null;
  /** First day counted, `yyyy-mm-dd`, inclusive; null: from the start. */
  fromDay: string | null;
  /** Day after the last one counted, exclusive; null: to the end. */
  toDay: string | null;
}

export async function readCounters(
  db: Kysely<DB>,
  ledger: CountedLedger,
  q: CounterQuery,
): Promise<number> {
  let query = db
    .selectFrom('ledger_counts')
    .select((eb) => eb.fn.sum<number | string | null>('n').as('n'))
    .where('ledger', '=', ledger)
    .where('client_id', '=', q.clientId ?? ALL)
    .where('status', '=', q.status ?? ALL)
    .where('tag', '=', q.tag ?? ALL);
  if (q.fromDay) query = query.where('day', '>=', q.fromDay);
  if (q.toDay) query = query.where('day', '<', q.toDay);
  const row = await query.executeTakeFirst();
  return Number(row?.n ?? 0);
}

const DAY_MS = 86_400_000;

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Splits `[from, to)` into the whole UTC days the counters answer and the parts of a day at
 * either end that must be counted row by row (each at most one day of rows, through an index).
 */
export function splitRange(
  from: Date | null,
  to: Date | null,
): { days: { fromDay: string | null; toDay: string | null } | null; edges: Array<[Date, Date]> } {
  const startMs = from?.getTime() ?? null;
  const endMs = to?.getTime() ?? null;
  if (startMs !== null && endMs !== null && endMs <= startMs) return { days: null, edges: [] };
  // First whole day at or after `from`; the day `to` falls in (whole days end before it).
  const firstWhole = startMs === null ? null : Math.ceil(startMs / DAY_MS) * DAY_MS;
  const endWhole = endMs === null ? null : Math.floor(endMs / DAY_MS) * DAY_MS;
  if (firstWhole !== null && endWhole !== null && endWhole <= firstWhole) {
    // Both ends within one day (or two adjacent partial days): count the rows.
    return { days: null, edges: [[from!, to!]] };
  }
  const edges: Array<[Date, Date]> = [];
  if (startMs !== null && firstWhole !== startMs) edges.push([from!, new Date(firstWhole!)]);
  if (endMs !== null && endWhole !== endMs) edges.push([new Date(endWhole!), to!]);
  return {
    days: {
      fromDay: firstWhole === null ? null : dayOf(firstWhole),
      toDay: endWhole === null ? null : dayOf(endWhole),
    },
    edges,
  };
}

/**
 * `count(*)` of the rows of one owner, status and tag (each may be null: all) created in
 * `[from, to)`: whole days from the counters, a partial day at either end from `exact`, which
 * counts rows through an index on `(owner?, status?, created_at)`.
 */
export async function countRows(
  db: Kysely<DB>,
  ledger: CountedLedger,
  filter: {
    clientId?: string | null;
    status?: string | null;
    tag?: string | null;
    createdFrom?: Date | null;
    createdTo?: Date | null;
  },
  exact: (from: Date, to: Date) => Promise<number>,
): Promise<number> {
  const { days, edges } = splitRange(filter.createdFrom ?? null, filter.createdTo ?? null);
  const counts = await Promise.all([
    days
      ? readCounters(db, ledger, {
          clientId: filter.clientId ?? null,
          status: filter.status ?? null,
          tag: filter.tag ?? null,
          ...days,
        })
      : 0,
    ...edges.map(([from, to]) => exact(from, to)),
  ]);
  return counts.reduce((a, b) => a + b, 0);
}
