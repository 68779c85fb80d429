import { readdirSync, readFileSync } from 'node:fs';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

const GRAPHIQL_HEADERS = JSON.stringify({ 'x-client-id': 'graphiql' }, null, 2);

/**
 * GraphiQL as the gateway serves it: its assets come from the gateway itself (no CDN), so it
 * works offline and behind a shop's firewall and no third-party script runs next to the API.
 * One tab per example operation, so each tab is a document with at most one sensitive mutation.
 */
export function graphiqlOptions(): GraphiQLOptions {
  return {
    title: 'Telco gateway',
    defaultTabs: exampleTabs(),
    defaultHeaders: GRAPHIQL_HEADERS,
  };
}

/** The page is ~9 MB and its options never change, so it is rendered once. */
export function cachedGraphiQLRenderer(): (options: GraphiQLOptions) => string {
  let html: string | undefined;
  return (options) => {
    html ??= renderGraphiQL(options);
    return html;
  };
}

/**
 * The operations under `operations/` (also codegen's documents), preloaded into GraphiQL as tabs,
 * each with the variables of its `<name>.variables.json` when there is one.
 */
export function exampleTabs(): Array<{ query: string; variables: string | null; headers: string }> {
  const dir = new URL('../../operations/', import.meta.url);
  const files = new Set(readdirSync(dir));
  return [...files]
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => {
      const vars = f.replace(/\.graphql$/, '.variables.json');
      return {
        query: readFileSync(new URL(f, dir), 'utf8').trim(),
        variables: files.has(vars) ? readFileSync(new URL(vars, dir), 'utf8').trim() : null,
        headers: GRAPHIQL_HEADERS,
      };
    });
}
