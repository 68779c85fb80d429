import type { ObjectRef } from '@pothos/core';
import { RECORD_KINDS, type RecordKindName, type RecordOf } from '../access.js';
import { GatewayError } from '../domain/errors.js';
import type { builder } from './builder.js';

type Types = typeof builder.$inferSchemaTypes;
type Ctx = Types['Context'];

/**
 * The `Node` types that are not records: anyone may read them (the catalogue, and a subscriber's
 * number-derived facts). Every other `Node` type is a kind of `RECORD_KINDS`.
 */
export const PUBLIC_NODE_TYPES: readonly string[] = ['Subscriber', 'Package'];

/**
 * The access rule on a record's GraphQL type, for `builder.node`/`objectType`: every object of
 * the type the API returns, by whatever field, is checked once (`runScopesOnType`) against
 * `RecordAccess.canSee`. Resolvers load records through `ctx.access`, which answers what the
 * caller may not see as unknown; this is the backstop: a field that bypassed it would fail with
 * FORBIDDEN rather than show another client's record.
 */
export function recordAuth<K extends RecordKindName>(kind: K) {
  return {
    runScopesOnType: true,
    authScopes: (record: RecordOf<K>, ctx: Ctx) => ctx.access.canSee(kind, record),
  } as const;
}

/**
 * What every record's `builder.node` declares alike, from its kind in `RECORD_KINDS`: the access
 * rule (`recordAuth`), the key its global id holds, and the loader of `node(id:)`.
 */
export function recordNode<K extends RecordKindName>(kind: K) {
  const { key } = RECORD_KINDS[kind] as unknown as { key: (record: RecordOf<K>) => string };
  return {
    ...recordAuth(kind),
    id: { resolve: (record: RecordOf<K>) => key(record) },
    loadMany: loadRecords(kind),
  };
}

/**
 * A field that returns the record an error or payload names by key, through the caller's
 * access: null (nullable fields) when the caller may not see it, as for an unknown one. A
 * non-null field is for a record the caller made or was allowed to act on (a refusal of its
 * own sale); if it is not visible after all, the field fails rather than show it.
 */
export function recordField<K extends RecordKindName, P>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, P>,
  kind: K,
  options: {
    type: ObjectRef<Types, RecordOf<K>>;
    key: (parent: P) => string | null;
    description: string;
    nullable: boolean;
  },
) {
  const resolve = async (parent: P, _args: unknown, ctx: Ctx) => {
    const key = options.key(parent);
    const record = key ? await ctx.access.get(kind, key) : null;
    if (!record && !options.nullable) throw new Error(`${kind} ${key} is not visible here`);
    return record;
  };
  // Typed by its arguments above; Pothos cannot infer a field over a generic kind.
  return t.field({
    type: options.type,
    nullable: options.nullable,
    description: options.description,
    resolve,
  } as never);
}

/**
 * `loadMany` of a record's node type: the records the caller may see, null for the others and
 * for unknown keys; a key whose loading failed (a vendor check) fails that node only.
 */
export function loadRecords<K extends RecordKindName>(kind: K) {
  return async (keys: string[], ctx: Ctx) =>
    (await ctx.access.getMany(kind, keys)).map((r) => (r instanceof Error ? Promise.reject(r) : r));
}

/**
 * Runs a mutation's service call and shows the caller only errors about records it may see: an
 * error that names another client's record (`GatewayError.named`: an open order blocking a new
 * OTP, a VAS transaction in doubt) becomes its `elsewhere()` form, which says what blocks the
 * request without the record or its ids. Every result union that lists such an error lists its
 * `elsewhere` type too (test/access.test.ts checks it).
 */
export async function asSeenBy<T>(ctx: Ctx, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof GatewayError && err.named) {
      if (!(await ctx.access.get(err.named.kind, err.named.key))) throw err.elsewhere();
    }
    throw err;
  }
}
