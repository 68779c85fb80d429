import { readFileSync } from 'node:fs';
import { type OperationDefinitionNode, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

/**
 * Every GraphQL example in the README runs as written on a fresh sandbox, in order. A `$variable`
 * is the field of that name (or alias) in an earlier answer, as the README says.
 */

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The README's ```graphql blocks, one document per operation, in order. */
function readmeOperations(text = readme): string[] {
  const docs: string[] = [];
  for (const [, block] of text.matchAll(/```graphql\n([\s\S]*?)```/g)) {
    const code = block!.replace(/#.*$/gm, '');
    docs.push(...code.split(/\n(?=query|mutation|subscription)/).filter((d) => d.trim()));
  }
  return docs;
}

/** The last value of a field named `name` anywhere in the answers so far. */
function lastValue(answers: unknown[], name: string): unknown {
  let found: unknown;
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k === name && (typeof child === 'string' || typeof child === 'number')) found = child;
        walk(child);
      }
    }
  };
  answers.forEach(walk);
  return found;
}

describe('the README', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await t.close();
  });

  it('has examples that each run as written, in order, on a fresh sandbox', async () => {
    const docs = readmeOperations();
    expect(docs.length).toBeGreaterThanOrEqual(12);
    const answers: unknown[] = [];
    for (const doc of docs) {
      const op = parse(doc).definitions[0] as OperationDefinitionNode;
      const variables: Record<string, unknown> = {};
      for (const d of op.variableDefinitions ?? []) {
        const name = d.variable.name.value;
        variables[name] = lastValue(answers, name);
        expect(variables[name], `${name} for\n${doc}`).toBeDefined();
      }
      const res = await fetchOperation(t, doc, variables, op.operation === 'subscription');
      expect(res.errors, doc).toBeUndefined();
      expect(res.data, doc).toBeTruthy();
      if (op.operation === 'mutation') {
        for (const value of Object.values(res.data!)) {
          expect((value as { __typename: string }).__typename, doc).toMatch(/Success$/);
        }
      }
      answers.push(res.data);
    }
  });
});

interface Answer {
  data?: Record<string, unknown>;
  errors?: unknown[];
}

/** A query or mutation over POST; a subscription over SSE, read to its end (or first event). */
async function fetchOperation(
  t: TestGateway,
  query: string,
  variables: Record<string, unknown>,
  stream: boolean,
): Promise<Answer> {
  const headers = { 'x-client-id': 'readme' };
  if (!stream) return t.graphql(query, variables, headers);
  const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      const event = /event: next\ndata: (.*)\n/.exec(text);
      if (event) return JSON.parse(event[1]!) as Answer;
    }
  } finally {
    await reader.cancel();
  }
  throw new Error(`the stream ended without an event:\n${text}`);
}
