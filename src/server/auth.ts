import { createHash } from 'node:crypto';
import { BREAK, type DocumentNode, GraphQLError, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  type IRateLimiterOptions,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { Caller } from '../domain/access.js';
import { message } from '../domain/messages/index.js';
import type { Client, ClientStore } from '../store/clients.js';
import { documentCost } from './edge/document-limits.js';
import { SCHEMA_FIELDS } from './edge/no-introspection.js';
import { type ProtocolCode, refusal } from './edge/refusal.js';
import { localizedError } from './localized-error.js';

export type { Caller } from '../domain/access.js';

const CLIENT_LABEL = /^[A-Za-z0-9._:-]{1,64}$/;
const KEY_CACHE_MAX = 10_000;

export function unauthenticated(): GraphQLError {
  // One answer for every reason (missing, malformed, unknown, revoked, disabled): nothing to probe.
  return refusal(message('UNAUTHENTICATED.keyRequired'), {
    status: 401,
    headers: { 'www-authenticate': 'Bearer' },
  });
}

export interface AuthenticatorOptions {
  clients: ClientStore;
  /** True while every vendor runs in sandbox: requests without a key are served anonymously. */
  anonymousAllowed: boolean;
  /** How long a checked key is trusted before it is checked again (revocation takes this long). */
  cacheMs: number;
  now?: () => number;
}

/**
 * Who is calling, from a request's headers. `fresh` reads the key store even when the key was
 * checked within `API_KEY_CACHE_MS` (the key watch of open streams, src/server/key-watch.ts).
 */
export type Authenticate = (headers: Headers, options?: { fresh?: boolean }) => Promise<Caller>;

/** True for the error `unauthenticated()` makes: the key is not (or no longer) valid. */
export function isUnauthenticated(err: unknown): boolean {
  return (
    err instanceof GraphQLError &&
    err.extensions.code === ('UNAUTHENTICATED' satisfies ProtocolCode)
  );
}

/**
 * Reads `Authorization: Bearer <key>`. A key, when sent, must be valid, sandbox or not; without
 * one, the caller is anonymous in sandbox and refused otherwise. `x-client-id` is only a label.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { client: Client; until: number }>();
  return async (headers, { fresh = false } = {}) => {
    const authorization = headers.get('authorization')?.trim();
    if (!authorization) {
      if (!options.anonymousAllowed) throw unauthenticated();
      const label = headers.get('x-client-id')?.trim();
      return {
        clientId: label && CLIENT_LABEL.test(label) ? label : 'anonymous',
        scopes: null,
        authenticated: false,
      };
    }
    const key = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] ?? '';
    const cacheKey = createHash('sha256').update(key).digest('hex');
    const cached = fresh ? undefined : cache.get(cacheKey);
    let client = cached && cached.until > now() ? cached.client : null;
    if (!client) {
      client = await options.clients.authenticate(key);
      if (!client) {
        // Found revoked by a fresh check: new requests with it are refused now, not when it expires.
        cache.delete(cacheKey);
        throw unauthenticated();
      }
      if (options.cacheMs > 0) {
        if (cache.size >= KEY_CACHE_MAX) cache.clear();
        cache.set(cacheKey, { client, until: now() + options.cacheMs });
      }
    }
    return { clientId: client.name, scopes: client.scopes, authenticated: true };
  };
}

const INTROSPECTS = new WeakMap<DocumentNode, boolean>();

function introspects(document: DocumentNode): boolean {
  let found = INTROSPECTS.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      Field(node) {
        if (SCHEMA_FIELDS.has(node.name.value)) {
          found = true;
          return BREAK;
        }
        return undefined;
      },
    });
    INTROSPECTS.set(document, found);
  }
  return found;
}

/**
 * Introspection is the `explore` scope's: a client without it gets FORBIDDEN for a document that
 * reads `__schema`, `__type` or the subgraph's `_service` (anonymous sandbox callers hold every
 * scope).
 */
export function useExploreScope(): Plugin<{ caller?: Caller }> {
  const refuse = (caller: Caller | undefined, document: DocumentNode) =>
    caller?.scopes && !caller.scopes.includes('explore') && introspects(document)
      ? localizedError(message('Forbidden.introspection'), {
          extensions: { code: 'FORBIDDEN', http: { status: 403 } },
        })
      : null;
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refused = refuse(args.contextValue.caller, args.document);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
  };
}

export interface BudgetOptions {
  /** Requests per client per minute. */
  requestsPerMinute: number;
  /** Document cost (the cost limit's count) per client per minute. */
  costPerMinute: number;
  /** Shared by every instance when set; in memory otherwise. */
  redis: Redis | null;
  logger: Logger;
}

/**
 * Per-client budgets on top of the document limits: a number of requests and a total document
 * cost per minute, counted across instances through Redis when it is configured (and in memory
 * while Redis is unreachable). They apply to authenticated clients: anonymous callers exist only
 * in sandbox. A client over budget gets RATE_LIMITED (429) with `retryAfterSeconds`; the others
 * are served as before.
 */
export function useClientBudgets(options: BudgetOptions): Plugin<{ caller?: Caller }> {
  const limiter = (keyPrefix: string, points: number) => {
    const base: IRateLimiterOptions = { keyPrefix, points, duration: 60 };
    return options.redis
      ? new RateLimiterRedis({
          ...base,
          storeClient: options.redis,
          insuranceLimiter: new RateLimiterMemory(base),
        })
      : new RateLimiterMemory(base);
  };
  const requests = limiter('gw:budget:requests', options.requestsPerMinute);
  const cost = limiter('gw:budget:cost', options.costPerMinute);

  const spend = async (
    caller: Caller | undefined,
    document: Parameters<typeof documentCost>[0],
  ) => {
    if (!caller?.authenticated) return null;
    try {
      await requests.consume(caller.clientId, 1);
      const points = documentCost(document) ?? 1;
      if (points > 0) await cost.consume(caller.clientId, Math.min(points, options.costPerMinute));
      return null;
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const retryAfterSeconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      return refusal(
        message('RATE_LIMITED.budget', { retryAfterSeconds }),
        { status: 429, headers: { 'retry-after': String(retryAfterSeconds) } },
        { retryAfterSeconds },
      );
    }
  };

  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const refused = await spend(args.contextValue.caller, args.document);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      const refused = await spend(args.contextValue.caller, args.document);
      if (refused) setResultAndStopExecution({ errors: [refused] });
    },
  };
}
