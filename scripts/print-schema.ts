import { writeFileSync } from 'node:fs';
import { printSchemaFile } from '../src/schema/print.js';

/** `npm run schema`: writes schema/schema.graphql from the code. */
const target = new URL('../schema/schema.graphql', import.meta.url);
writeFileSync(target, printSchemaFile());
process.stdout.write(`wrote ${target.pathname}\n`);
