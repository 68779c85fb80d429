import { readdirSync, readFileSync } from 'node:fs';
import { getIntrospectionQuery, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../../src/schema/index.js';
import { checkDocument } from '../../../src/server/edge/document-limits.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { orderReads, postBody } from './helpers.js';

/** Document limits (tokens, aliases, depth, directives, cost): refused before any resolver runs, one error each. */

let t: TestGateway;
let resolverCalls: () => number;
beforeAll(async () => {
  t = await startTestGateway();
  resolverCalls = orderReads(t);
});
afterAll(async () => {
  await t.close();
});

const post = (body: string) => postBody(t, body);

const ALIASES = (n: number, first = '100') =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: orders(first: ${first}) { totalCount edges { node { events { status } } } }`).join(' ')} }`;

describe('document limits', () => {
  it('refuses 10,000 nested selections by the token limit, not a parser stack overflow', async () => {
    const res = await post(
      JSON.stringify({ query: `{ ${'a { '.repeat(10_000)}b${' }'.repeat(10_000)} }` }),
    );
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: object }> };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'MAX_TOKENS_EXCEEDED' });
    expect(body.errors[0]!.message).toContain('GRAPHQL_MAX_TOKENS');
  });

  it('refuses 10,000 bare braces with one syntax error', async () => {
    const res = await post(JSON.stringify({ query: '{'.repeat(10_000) }));
    const body = (await res.json()) as { errors: Array<{ message: string }> };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.message).not.toContain('Unexpected error');
  });

  it('refuses the 1,000-alias orders document with one error and no resolver call', async () => {
    const before = resolverCalls();
    const res = await post(JSON.stringify({ query: ALIASES(1000) }));
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.extensions.code).toBe('MAX_TOKENS_EXCEEDED');
    expect(resolverCalls()).toBe(before);
  });

  it('names each rule: aliases, depth, directives, cost', async () => {
    const other = await startTestGateway({ GRAPHQL_MAX_TOKENS: '100000' });
    try {
      const codeOf = async (query: string, variables?: Record<string, unknown>) => {
        const res = await other.graphql(query, variables);
        expect(res.errors).toHaveLength(1);
        return res.errors![0]!.extensions!.code;
      };
      expect(await codeOf(ALIASES(1000))).toBe('MAX_ALIASES_EXCEEDED');
      expect(await codeOf(deep(12))).toBe('MAX_DEPTH_EXCEEDED');
      expect(
        await codeOf(
          `{ packages { ${Array.from({ length: 21 }, () => 'code @include(if: true)').join(' ')} } }`,
        ),
      ).toBe('MAX_DIRECTIVES_EXCEEDED');
      // Fourteen pages of 100 orders: under the alias limit, over the cost.
      expect(await codeOf(ALIASES(14))).toBe('MAX_COST_EXCEEDED');
      // A page size given by a variable is charged at the maximum page size (100).
      const paged = `query ($n: Int) { ${Array.from({ length: 14 }, (_, i) => `a${i}: orders(first: $n) { totalCount edges { node { events { status } } } }`).join(' ')} }`;
      expect(await codeOf(paged, { n: 100 })).toBe('MAX_COST_EXCEEDED');
      expect(await codeOf(paged, { n: 2 })).toBe('MAX_COST_EXCEEDED');
      expect((await other.graphql(ALIASES(14, '2'))).errors).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('lets every README and docs/ example, every operation and GraphiQL introspection through', async () => {
    const limits = t.config.limits;
    const docsDir = new URL('../../../docs/', import.meta.url);
    const readme = [
      readFileSync(new URL('../../../README.md', import.meta.url), 'utf8'),
      ...readdirSync(docsDir)
        .filter((f) => f.endsWith('.md'))
        .map((f) => readFileSync(new URL(f, docsDir), 'utf8')),
    ].join('\n');
    const docs: string[] = [];
    for (const [, block] of readme.matchAll(/```graphql\n([\s\S]*?)```/g)) {
      const code = block!.replace(/#.*$/gm, '');
      docs.push(...code.split(/\n(?=query|mutation|subscription)/).filter((d) => d.trim()));
    }
    expect(docs.length).toBeGreaterThanOrEqual(6);
    const dir = new URL('../../../operations/', import.meta.url);
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.graphql'))) {
      docs.push(readFileSync(new URL(f, dir), 'utf8'));
    }
    for (const doc of docs) {
      expect(checkDocument(schema, parse(doc), limits), doc).toBeNull();
    }
    // Including the reconcile operation, whose `$first` is charged at the largest page size.

    for (const query of [
      getIntrospectionQuery(),
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
        oneOf: true,
      }),
    ]) {
      const res = await t.graphql<{ __schema: { types: unknown[] } }>(query);
      expect(res.errors).toBeUndefined();
      expect(res.data!.__schema.types.length).toBeGreaterThan(10);
    }
  });
});

/** A document `levels` selection sets deep (inline fragments count as levels). */
function deep(levels: number) {
  return `{ ${'... on Query { '.repeat(levels)}__typename${' }'.repeat(levels)} }`;
}
