import { printSubgraphSchema } from '@apollo/subgraph';
import {
  type ASTNode,
  type DefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
  Kind,
  parse,
  print,
  visit,
} from 'graphql';
import type { AnyVendorModule } from '../vendors/module.js';
import { builder } from './builder.js';
import { schemaFor } from './index.js';

/**
 * The Apollo Federation v2 subgraph schema: the client schema (`schemaFor`, same types, same
 * resolvers) plus what a supergraph router needs: `@link` and `@key` on the entities
 * (src/schema/entities.ts), `_entities(representations:)` and `_service { sdl }`. Served on
 * /graphql instead of the client schema when FEDERATION_SUBGRAPH is on; printed to
 * schema/subgraph.graphql by `npm run schema`.
 */
export function subgraphSchemaFor(modules: readonly AnyVendorModule[]): GraphQLSchema {
  // Registers the vendors' features on the builder first, so both schemas have them; the same
  // client schema (the same features) has the same subgraph schema, built once.
  const client = schemaFor(modules);
  let schema = built.get(client);
  if (!schema) {
    schema = buildSubgraphSchema();
    built.set(client, schema);
  }
  return schema;
}

const built = new WeakMap<GraphQLSchema, GraphQLSchema>();

function buildSubgraphSchema(): GraphQLSchema {
  const schema = builder.toSubGraphSchema({
    sortSchema: true,
    linkUrl: 'https://specs.apollo.dev/federation/v2.6',
    federationDirectives: ['@key'],
  });
  // The plugin's `_service` prints the fields in the order they were registered, which depends
  // on which module imported the schema first; the SDL served and the file committed are one
  // sorted text instead.
  const sdl = printSubgraph(schema);
  const fields = schema.getQueryType()!.getFields();
  const service = fields._service;
  const entities = fields._entities;
  if (!service || !entities) throw new Error('the federation plugin no longer adds them');
  service.resolve = () => ({ sdl });
  describeFederation(schema, entities, service);
  return schema;
}

/**
 * The federation's own fields and types come from `@apollo/subgraph` without descriptions; every
 * field and type this API serves has one. (Not in the printed SDL: routers know them.)
 */
function describeFederation(
  schema: GraphQLSchema,
  entities: GraphQLField<unknown, unknown>,
  service: GraphQLField<unknown, unknown>,
): void {
  entities.description =
    'Federation: the entities of these representations, for a supergraph router. Each is resolved as `node(id:)` resolves its `id`: null when there is none, or the caller may not see it.';
  entities.args[0]!.description =
    'Federation: `{ __typename, id }` of each entity, `id` being its global id (the `@key`).';
  service.description =
    'Federation: this subgraph’s SDL (`schema/subgraph.graphql`), for composing a supergraph. Introspection: the `explore` scope only, and off where introspection is off.';
  const types: Record<string, string> = {
    _Any: 'Federation: an entity representation, `{ __typename, id }`.',
    _Entity: 'Federation: the types a supergraph may resolve here by their `@key`.',
    _Service: 'Federation: what this subgraph tells a supergraph about itself.',
  };
  for (const [name, description] of Object.entries(types)) {
    const type = schema.getType(name);
    if (type) type.description = description;
  }
}

/**
 * The subgraph's SDL, as `_service { sdl }` answers it and `rover`/`hive` compose it: Apollo's
 * subgraph printer (with the `@link` and `@key` directives, without the federation's own
 * `_entities`/`_service`), sorted like `lexicographicSortSchema`.
 */
export function printSubgraph(schema: GraphQLSchema): string {
  return sortSdl(printSubgraphSchema(schema));
}

const byName = (a: { name: { value: string } }, b: { name: { value: string } }) =>
  a.name.value < b.name.value ? -1 : a.name.value > b.name.value ? 1 : 0;

/** Named lists of an SDL node that lexicographicSortSchema sorts. */
const SORTED_LISTS = ['fields', 'arguments', 'values', 'interfaces', 'types'] as const;

function sortSdl(sdl: string): string {
  const sorted = visit(parse(sdl), {
    enter(node: ASTNode) {
      const lists = node as unknown as Record<string, unknown>;
      if (node.kind === Kind.DIRECTIVE) return false; // a directive's arguments stay as written
      if (!SORTED_LISTS.some((key) => Array.isArray(lists[key]))) return undefined;
      const copy: Record<string, unknown> = { ...node };
      for (const key of SORTED_LISTS) {
        const list = lists[key];
        if (Array.isArray(list)) copy[key] = [...list].sort(byName);
      }
      return copy as unknown as ASTNode;
    },
  });
  const named = (d: DefinitionNode) => ('name' in d && d.name ? d.name.value : '');
  const definitions = [...sorted.definitions].sort((a, b) =>
    // The schema's own definition (`extend schema @link`) first, then by name.
    named(a) === named(b) ? 0 : !named(a) ? -1 : !named(b) ? 1 : named(a) < named(b) ? -1 : 1,
  );
  return print({ ...sorted, definitions });
}
