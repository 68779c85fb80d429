import { type SelectQueryBuilder, sql } from 'kysely';
import { InvalidCursor } from '../domain/errors.js';
import { message } from '../domain/messages/index.js';

/**
 * Keyset pagination, newest first, shared by every ledger (orders, VAS transactions and events,
 * OA purchases): a page is the rows after or before a cursor on (a timestamp column, an id
 * column), which stays right while rows are added, unlike an offset.
 *
 * The cursor is compared as a row value, `(at, id) < (X, Y)`: PostgreSQL and SQLite (3.15+) plan
 * it as one range of an index ending in `(at, id)` (migration `0008`), so a page at any depth
 * reads one page of index entries. Written as `at < X or (at = X and id < Y)` it was a filter
 * applied after reading every newer row.
 */

/** What Pothos relay's `resolveCursorConnection` asks of a list. */
export interface PageWindow {
  after?: string | null;
  before?: string | null;
  limit: number;
  inverted: boolean;
}

/** An opaque cursor: the row's timestamp and id. */
export function encodeCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !id || Number.isNaN(Date.parse(at))) {
    throw new InvalidCursor(message('InvalidCursor.notOurs'));
  }
  return { at, id };
}

/** Narrows and orders a query to one page (newest first; oldest first when `inverted`). */
export function keysetPage<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  page: PageWindow,
  columns: { at: string; id: string },
): SelectQueryBuilder<DB, TB, O> {
  const at = sql.ref(columns.at);
  const id = sql.ref(columns.id);
  let q = query;
  if (page.after) {
    const c = decodeCursor(page.after);
    q = q.where(sql<boolean>`(${at}, ${id}) < (${c.at}, ${c.id})`);
  }
  if (page.before) {
    const c = decodeCursor(page.before);
    q = q.where(sql<boolean>`(${at}, ${id}) > (${c.at}, ${c.id})`);
  }
  const direction = sql.raw(page.inverted ? 'asc' : 'desc');
  return q.orderBy(sql`${at} ${direction}`).orderBy(sql`${id} ${direction}`).limit(page.limit);
}
