import { introspectionFromSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { clientConfig } from './client-config.js';
import { schema } from './index.js';
import { printSubgraph, subgraphSchemaFor } from './subgraph.js';

/** The committed SDL: sorted, so a diff shows only real changes. */
export function printSchemaFile(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

/**
 * The committed federation subgraph SDL (`schema/subgraph.graphql`): exactly what `_service { sdl }`
 * answers, for composing a supergraph without asking a running gateway (`rover`, `hive`, Mesh).
 */
export function printSubgraphFile(): string {
  return `${printSubgraph(subgraphSchemaFor([]))}\n`;
}

/** The committed client cache config (`schema/client-config.json`), derived from the schema. */
export function printClientConfigFile(): string {
  return `${JSON.stringify(clientConfig(schema), null, 2)}\n`;
}

/**
 * The schema as introspection data without descriptions (`schema/introspection.json`): what urql
 * graphcache's `schema` option and other clients that cannot read SDL take.
 */
export function printIntrospectionFile(): string {
  const data = introspectionFromSchema(lexicographicSortSchema(schema), { descriptions: false });
  return `${JSON.stringify(data)}\n`;
}
