import {
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
  getNamedType,
  isLeafType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';

/**
 * Cache hints, declared on the fields whose answers hold for a while (`extensions:
 * cacheHint(300)`), and the policy of a whole query computed from them (as Apollo's cache
 * control does): a query is cacheable only when every field it selects that returns an object
 * has a hint (scalar and enum fields take their parent's); its `maxAge` is the smallest of them,
 * and it is `PRIVATE` when any of them is. Mutations, subscriptions and introspection are not.
 *
 * - `PUBLIC`: the answer depends only on the query (the catalogue, a number's carrier). Kept once
 *   per set of scopes (a caller without a field's scope gets an error, never a kept answer).
 * - `PRIVATE`: the answer depends on who asks (a VAS check the vendor answers for a client). Kept
 *   per client; HTTP says `private`.
 *
 * A `maxAge` of 0 answers every request anew, but keeps the last answer to serve (marked stale)
 * while a vendor cannot be reached.
 */
export type CacheScope = 'PUBLIC' | 'PRIVATE';

export interface CachePolicy {
  maxAge: number;
  scope: CacheScope;
}

const KEY = 'cacheHint';

/** The `extensions` that declare a field's hint. */
export function cacheHint(maxAge: number, scope: CacheScope = 'PUBLIC'): Record<string, unknown> {
  return { [KEY]: { maxAge, scope } satisfies CachePolicy };
}

/** A field's declared hint, if it has one. */
export function fieldCacheHint(field: GraphQLField<unknown, unknown>): CachePolicy | undefined {
  return field.extensions?.[KEY] as CachePolicy | undefined;
}

/** The policy of a document, or null when any part of it may not be kept. */
export function cachePolicy(schema: GraphQLSchema, document: DocumentNode): CachePolicy | null {
  let policy: CachePolicy | null = { maxAge: Number.POSITIVE_INFINITY, scope: 'PUBLIC' };
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        if (node.operation !== 'query') policy = null;
      },
      Field(node) {
        if (!policy) return;
        if (node.name.value === '__typename') return;
        const field = typeInfo.getFieldDef();
        if (!field || node.name.value.startsWith('__')) {
          policy = null;
          return;
        }
        const hint = fieldCacheHint(field);
        if (!hint) {
          if (!isLeafType(getNamedType(field.type))) policy = null;
          return;
        }
        policy = {
          maxAge: Math.min(policy.maxAge, hint.maxAge),
          scope: policy.scope === 'PRIVATE' || hint.scope === 'PRIVATE' ? 'PRIVATE' : 'PUBLIC',
        };
      },
    }),
  );
  const found = policy as CachePolicy | null;
  if (!found || !Number.isFinite(found.maxAge)) return null;
  const hasOperation = document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION);
  return hasOperation ? found : null;
}
