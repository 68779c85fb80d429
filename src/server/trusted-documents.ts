import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';
import { message } from '../domain/messages/index.js';
import type { Caller } from './auth.js';
import { refusal } from './edge/refusal.js';

const onlyPublished = () => refusal(message('PERSISTED_QUERY_ONLY.published'), 403);

/**
 * The manifest codegen's client preset writes for the operations in `operations/` (`npm run
 * codegen`, also run by `npm run build`): `{ "sha256:<hex>": "<document>" }`.
 */
export const DEFAULT_MANIFEST = fileURLToPath(
  new URL('../../generated/client/persisted-documents.json', import.meta.url),
);

export function readManifest(path: string): Map<string, string> {
  if (!existsSync(path)) {
    throw new Error(
      `TRUSTED_DOCUMENTS is on but ${path} does not exist: run npm run codegen (npm run build does) or set TRUSTED_DOCUMENTS_MANIFEST`,
    );
  }
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${path} is not a persisted-documents manifest (an object of hash: document)`);
  }
  const entries = Object.entries(parsed)
    .map(([hash, document]) => [hash.replace(/^sha256:/, ''), document] as const)
    .filter((e): e is [string, string] => /^[0-9a-f]{64}$/.test(e[0]) && typeof e[1] === 'string');
  return new Map(entries);
}

/**
 * Trusted documents: only the published operations run, by hash (`extensions.persistedQuery`
 * `{ version: 1, sha256Hash }`, as Apollo and urql send them), except for callers with the
 * `explore` scope (and anonymous sandbox callers), who may also send documents of their own.
 *
 * The key is checked before the document: a request without a valid key gets 401
 * UNAUTHENTICATED whatever it sends, never 403 PERSISTED_QUERY_ONLY or an unknown-hash error,
 * so a client is told what is really wrong and nothing is learned about the manifest without a key.
 */
export function useTrustedDocuments(
  manifest: ReadonlyMap<string, string>,
  authenticate: (headers: Headers) => Promise<Caller>,
): Plugin {
  const callers = new WeakMap<Request, Caller>();
  const persisted = usePersistedOperations({
    // The hash as Apollo and urql send it (hex), or as codegen's documents carry it (`sha256:hex`).
    getPersistedOperation: (hash) => manifest.get(hash.replace(/^sha256:/, '')) ?? null,
    allowArbitraryOperations: (request) => {
      const caller = callers.get(request);
      return !!caller && (caller.scopes === null || caller.scopes.includes('explore'));
    },
    customErrors: {
      persistedQueryOnly: onlyPublished,
      notFound: () => refusal(message('PERSISTED_QUERY_NOT_FOUND.unknownHash'), 400),
      keyNotFound: () => refusal(message('PERSISTED_QUERY_ID_REQUIRED.noQuery'), 400),
    },
  });
  return {
    ...persisted,
    // One hook, in this order: authenticate (throws 401), then the plugin's document check.
    async onParams(payload) {
      callers.set(payload.request, await authenticate(payload.request.headers));
      await persisted.onParams?.(payload);
    },
  };
}

/**
 * The same rule where Yoga's request handling does not run: GraphQL over WebSocket
 * (src/server/websocket.ts) hands each operation to the envelop directly, so the persisted
 * operations plugin above, which reads an HTTP request's parameters, never sees it. A caller
 * without `explore` runs only a published document, as its exact text (over HTTP the plugin above
 * has already put the published text in place of the hash).
 */
export function usePublishedDocumentsOnly(
  manifest: ReadonlyMap<string, string>,
): Plugin<{ caller?: Caller; params?: { query?: unknown } }> {
  const published = new Set(manifest.values());
  const refuse = (context: { caller?: Caller; params?: { query?: unknown } }) => {
    const { caller } = context;
    if (!caller || caller.scopes === null || caller.scopes.includes('explore')) return null;
    const query = context.params?.query;
    if (typeof query === 'string' && published.has(query)) return null;
    return onlyPublished();
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refused = refuse(args.contextValue);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = refuse(args.contextValue);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
  };
}
