import { readFileSync } from 'node:fs';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  printClientConfigFile,
  printIntrospectionFile,
  printSchemaFile,
  printSubgraphFile,
} from '../../src/schema/print.js';

describe('schema/schema.graphql', () => {
  it('matches the schema the code builds (run `npm run schema` and commit)', () => {
    const committed = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printSchemaFile());
  });

  it.each([
    ['client-config.json', printClientConfigFile],
    ['introspection.json', printIntrospectionFile],
    ['subgraph.graphql', printSubgraphFile],
  ])('schema/%s matches the schema too (run `npm run schema` and commit)', (file, print) => {
    const committed = readFileSync(new URL(`../../schema/${file}`, import.meta.url), 'utf8');
    expect(committed).toBe(print());
  });

  it('keeps the client schema free of the federation: building the subgraph changes nothing', async () => {
    const { builder } = await import('../../src/schema/builder.js');
    const { subgraphSchemaFor } = await import('../../src/schema/subgraph.js');
    subgraphSchemaFor([]);
    const rebuilt = `${printSchema(lexicographicSortSchema(builder.toSchema()))}\n`;
    expect(rebuilt).toBe(printSchemaFile());
    expect(rebuilt).not.toMatch(/_entities|_service|_Any|@key|@link/);
  });

  it.each([
    ['client', async () => (await import('../../src/schema/index.js')).schema],
    ['subgraph', async () => (await import('../../src/schema/subgraph.js')).subgraphSchemaFor([])],
  ])('describes every type, field, argument and enum value (%s schema)', async (_, load) => {
    const schema = await load();
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
