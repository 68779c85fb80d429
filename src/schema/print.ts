import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './index.js';

/** The committed SDL: sorted, so a diff shows only real changes. */
export function printSchemaFile(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
