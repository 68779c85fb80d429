import type { ObjectRef } from '@pothos/core';
import { resolveCursorConnection } from '@pothos/plugin-relay';
import type { RecordKindName, RecordOf, RecordSources } from '../access.js';
import { InvalidInput } from '../domain/errors.js';
import { message } from '../domain/messages/index.js';
import type { PageWindow } from '../store/keyset.js';
import { builder } from './builder.js';
import { PAGE_SIZE } from './page-size.js';

/**
 * The paged lists of the ledgers (orders, VAS transactions and notifications, OA purchases, voice
 * calls), newest first: one way to check the page size, page through what the caller may read
 * and count it, and one `totalCount` field on their connections.
 */

type Types = typeof builder.$inferSchemaTypes;
type Ctx = Types['Context'];

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export const MAX_PAGE_SIZE = PAGE_SIZE.maxSize;

/**
 * Refuses a page size out of range (`INVALID_INPUT` naming the maximum), for every paged list,
 * rather than quietly cut it: a client asking for 500 would otherwise take 100 for all there is.
 */
export function checkPageSize(args: PageArgs): void {
  for (const name of ['first', 'last'] as const) {
    const size = args[name];
    if (size != null && (size < 0 || size > MAX_PAGE_SIZE)) {
      throw new InvalidInput(
        message('InvalidInput.pageSize', { field: name, max: MAX_PAGE_SIZE, given: size }),
        name,
      );
    }
  }
}

type InputFields = PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>;

/**
 * The days a ledger's filter narrows to, `createdFrom` (included) and `createdTo` (excluded):
 * `recorded` says when a record counts as made, in the ledger's words (`Recorded`, `Created`).
 */
export function createdRangeFields(t: InputFields, recorded: string) {
  return {
    createdFrom: t.field({
      type: 'DateTime',
      required: false,
      description: `${recorded} at or after this time.`,
    }),
    createdTo: t.field({
      type: 'DateTime',
      required: false,
      description: `${recorded} before this time.`,
    }),
  };
}

/** A page as `ledgerPage` answers it: `totalCount` counts the whole listing when asked. */
interface Counted {
  totalCount: () => Promise<number>;
}

/** The `totalCount` field of a ledger's connection (the page comes from `ledgerPage`). */
export const totalCountField =
  (description: string) => (t: PothosSchemaTypes.ObjectFieldBuilder<Types, object>) => ({
    totalCount: t.int({
      description,
      resolve: (parent) => (parent as unknown as Counted).totalCount(),
    }),
  });

/**
 * One page of a kind of record, through the caller's access (`ctx.access.list` and `count`):
 * `list` and `count` get the client whose records they must keep (null: every client's), and
 * `client` narrows the listing to one client within what the caller may read. The total is
 * counted only when `totalCount` is asked for.
 */
export async function ledgerPage<K extends RecordKindName>(
  ctx: Ctx,
  kind: K,
  args: PageArgs,
  ledger: {
    cursor: (record: RecordOf<K>) => string;
    list: (s: RecordSources, owner: string | null, window: PageWindow) => Promise<RecordOf<K>[]>;
    count: (s: RecordSources, owner: string | null) => Promise<number>;
    client?: string | null;
  },
) {
  checkPageSize(args);
  const page = await resolveCursorConnection<Promise<RecordOf<K>[]>>(
    { args, toCursor: ledger.cursor, ...PAGE_SIZE },
    ({ before, after, limit, inverted }) =>
      ctx.access.list(
        kind,
        (s, owner) => ledger.list(s, owner, { before, after, limit, inverted }),
        ledger.client,
      ),
  );
  const counted: Counted = {
    totalCount: () => ctx.access.count(kind, ledger.count, ledger.client),
  };
  return Object.assign(page, counted);
}

/**
 * A ledger's page type, `<name>Connection` with its `totalCount`, and its `<name>Edge`: what
 * `ledgerPage` answers, in words for `page` (the connection), `total` and `edge`.
 */
export function ledgerConnection<T>(
  type: ObjectRef<Types, T>,
  name: string,
  words: { page: string; total: string; edge: string },
) {
  return builder.connectionObject(
    {
      type,
      name: `${name}Connection`,
      description: words.page,
      fields: totalCountField(words.total),
    },
    { name: `${name}Edge`, description: words.edge },
  );
}
