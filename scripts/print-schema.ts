import { writeFileSync } from 'node:fs';
import {
  printClientConfigFile,
  printIntrospectionFile,
  printSchemaFile,
  printSubgraphFile,
} from '../src/schema/print.js';

/** `npm run schema`: writes schema/schema.graphql, schema/client-config.json,
 * schema/introspection.json and schema/subgraph.graphql from the code. */
for (const [file, text] of [
  ['schema.graphql', printSchemaFile()],
  ['client-config.json', printClientConfigFile()],
  ['introspection.json', printIntrospectionFile()],
  ['subgraph.graphql', printSubgraphFile()],
] as const) {
  const target = new URL(`../schema/${file}`, import.meta.url);
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target.pathname}\n`);
}
