import {
  type GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  isUnionType,
} from 'graphql';

/**
 * What a normalizing client cache needs to know about this schema, derived from the schema itself
 * (so a new type is covered without anyone remembering) and committed as
 * `schema/client-config.json` by `npm run schema`:
 *
 * - `possibleTypes`: every interface and union with the object types that may stand for it, in
 *   the shape Apollo Client's `possibleTypes` and urql graphcache's `possibleTypes` both take, so
 *   fragments on `Error`, `Node` and the result unions match exactly instead of by heuristic.
 * - `embeddedTypes`: object types with no `id` (payloads, errors, events, edges, connections).
 *   They are values inside their parent, not entities: graphcache is told `keys: { T: () => null }`
 *   and Apollo `keyFields: false`, so neither warns nor merges two of them.
 * - `paginatedFields`: every field returning a Relay connection, with the arguments that are not
 *   cursors (`keyArgs`: a different filter is a different list), for Apollo's
 *   `relayStylePagination(keyArgs)` and graphcache's `relayPagination()`.
 */
export interface ClientConfig {
  possibleTypes: Record<string, string[]>;
  embeddedTypes: string[];
  paginatedFields: { type: string; field: string; keyArgs: string[] }[];
}

const CURSOR_ARGS = new Set(['first', 'after', 'last', 'before']);
const ROOTS = new Set(['Query', 'Mutation', 'Subscription']);

export function clientConfig(schema: GraphQLSchema): ClientConfig {
  const types = Object.values(schema.getTypeMap())
    .filter((t) => !t.name.startsWith('__'))
    .sort((a, b) => a.name.localeCompare(b.name));
  const possibleTypes: Record<string, string[]> = {};
  const embeddedTypes: string[] = [];
  const paginatedFields: ClientConfig['paginatedFields'] = [];
  for (const type of types) {
    if (isInterfaceType(type) || isUnionType(type)) {
      possibleTypes[type.name] = schema
        .getPossibleTypes(type)
        .map((t) => t.name)
        .sort();
    }
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    if (!ROOTS.has(type.name) && !fields.id) embeddedTypes.push(type.name);
    for (const field of Object.values(fields)) {
      const named = getNamedType(field.type);
      if (!isObjectType(named) || !named.name.endsWith('Connection')) continue;
      if (!named.getFields().edges || !named.getFields().pageInfo) continue;
      paginatedFields.push({
        type: type.name,
        field: field.name,
        keyArgs: field.args
          .map((a) => a.name)
          .filter((a) => !CURSOR_ARGS.has(a))
          .sort(),
      });
    }
  }
  return { possibleTypes, embeddedTypes, paginatedFields };
}
