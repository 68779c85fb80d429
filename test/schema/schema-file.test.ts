import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  printClientConfigFile,
  printIntrospectionFile,
  printSchemaFile,
} from '../../src/schema/print.js';

describe('schema/schema.graphql', () => {
  it('matches the schema the code builds (run `npm run schema` and commit)', () => {
    const committed = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printSchemaFile());
  });

  it.each([
    ['client-config.json', printClientConfigFile],
    ['introspection.json', printIntrospectionFile],
  ])('schema/%s matches the schema too (run `npm run schema` and commit)', (file, print) => {
    const committed = readFileSync(new URL(`../../schema/${file}`, import.meta.url), 'utf8');
    expect(committed).toBe(print());
  });

  it('describes every type, field, argument and enum value', async () => {
    const { schema } = await import('../../src/schema/index.js');
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (
        type.name.startsWith('__') ||
        ['String', 'Int', 'Boolean', 'ID', 'Float'].includes(type.name)
      ) {
        continue;
      }
      if (!type.description) missing.push(type.name);
      if ('getFields' in type) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if ('getValues' in type) {
        for (const value of type.getValues()) {
          if (!value.description) missing.push(`${type.name}.${value.name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
