import { writeFileSync } from 'node:fs';
import {
  printClientConfigFile,
  printIntrospectionFile,
  printSchemaFile,
} from '../src/schema/print.js';

/** `npm run schema`: writes schema/schema.graphql, schema/client-config.json and
 * schema/introspection.json from the code. */
for (const [file, text] of [
  ['schema.graphql', printSchemaFile()],
  ['client-config.json', printClientConfigFile()],
  ['introspection.json', printIntrospectionFile()],
] as const) {
  const target = new URL(`../schema/${file}`, import.meta.url);
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target.pathname}\n`);
}
