import { createHash } from 'node:crypto';
import {
  type DocumentNode,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLSchema,
  print,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Caller } from '../domain/access.js';
import { type CachePolicy, cachePolicy } from '../schema/cache-hints.js';
import { errorCodeOf } from './error-code.js';

/**
 * The response cache (README "Caching"): a query made only of fields with cache hints
 * (src/schema/cache-hints.ts) is answered from a kept answer while it is younger than its
 * `maxAge`; kept answers live on for `RESPONSE_CACHE_STALE_SECONDS` more, and one of those is
 * served, marked `extensions.stale`, when the fresh answer fails because a vendor (or the
 * database) cannot be reached: a catalogue or a VAS check a clerk saw a minute ago beats an error.
 * GET answers carry `Cache-Control` and an `ETag`, and a matching `If-None-Match` gets 304.
 *
 * Kept in memory (at most `RESPONSE_CACHE_MAX_ENTRIES`, oldest first out) or in Redis when
 * `REDIS_URL` is set (shared by every instance). Keyed by the document, its variables and who
 * may see the answer: the caller's scopes for a PUBLIC answer, the client for a PRIVATE one.
 */

export interface KeptAnswer {
  result: ExecutionResult;
  /** When it was kept (ms since the epoch). */
  storedAt: number;
  policy: CachePolicy;
}

export interface AnswerStore {
  get(key: string): Promise<KeptAnswer | undefined>;
  set(key: string, answer: KeptAnswer, ttlMs: number): Promise<void>;
}

/** In-process, bounded: the oldest entry goes first. */
export class MemoryAnswerStore implements AnswerStore {
  private readonly entries = new Map<string, { answer: KeptAnswer; expiresAt: number }>();
  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}
  async get(key: string) {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.answer;
  }
  async set(key: string, answer: KeptAnswer, ttlMs: number) {
    this.entries.delete(key);
    this.entries.set(key, { answer, expiresAt: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}

/** Shared by every instance; Redis expires entries itself. */
export class RedisAnswerStore implements AnswerStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'tgw:answer:',
  ) {}
  async get(key: string) {
    const raw = await this.redis.get(this.prefix + key);
    return raw ? (JSON.parse(raw) as KeptAnswer) : undefined;
  }
  async set(key: string, answer: KeptAnswer, ttlMs: number) {
    await this.redis.set(this.prefix + key, JSON.stringify(answer), 'PX', Math.max(1, ttlMs));
  }
}

/** What the cache did for one request, for its HTTP headers. */
interface Outcome {
  policy: CachePolicy;
  /** Seconds since the answer was made (0 for a fresh one). */
  age: number;
  stale: boolean;
}

export interface ResponseCacheOptions {
  schema: GraphQLSchema;
  store: AnswerStore;
  staleSeconds: number;
  now: () => number;
  logger: Logger;
}

const hash = (text: string) => createHash('sha256').update(text).digest('base64url');

/** An error that says a dependency could not be reached (try again later), not a wrong request. */
const isUnavailable = (error: GraphQLError) =>
  errorCodeOf(error)?.endsWith('_UNAVAILABLE') ?? false;

export function useResponseCache(options: ResponseCacheOptions): Plugin {
  const { schema, store, staleSeconds, now, logger } = options;
  const policies = new WeakMap<DocumentNode, { policy: CachePolicy | null; text: string }>();
  const outcomes = new WeakMap<Request, Outcome>();
  const policyOf = (document: DocumentNode) => {
    let known = policies.get(document);
    if (!known) {
      const policy = cachePolicy(schema, document);
      known = { policy, text: policy ? print(document) : '' };
      policies.set(document, known);
    }
    return known;
  };

  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const { policy, text } = policyOf(args.document);
      if (!policy) return;
      const context = args.contextValue as { caller?: Caller; request?: Request };
      const caller = context.caller;
      if (!caller) return;
      const who =
        policy.scope === 'PRIVATE'
          ? `client:${caller.clientId}`
          : `scopes:${caller.scopes ? [...caller.scopes].sort().join(',') : '*'}`;
      const key = hash(
        JSON.stringify([text, args.operationName ?? null, args.variableValues ?? {}, who]),
      );
      const kept = await store.get(key).catch((err: unknown) => {
        logger.warn({ err }, 'response cache read failed; answering fresh');
        return undefined;
      });
      const age = kept ? Math.max(0, Math.floor((now() - kept.storedAt) / 1000)) : 0;
      if (kept && age < kept.policy.maxAge) {
        if (context.request)
          outcomes.set(context.request, { policy: kept.policy, age, stale: false });
        setResultAndStopExecution(kept.result);
        return;
      }
      return {
        async onExecuteDone({ result, setResult }) {
          if (!('data' in result) && !('errors' in result)) return;
          const done = result as ExecutionResult;
          if (!done.errors?.length) {
            const answer: KeptAnswer = { result: done, storedAt: now(), policy };
            // Awaited (a Redis SET): the next request, on any instance, finds it.
            await store
              .set(key, answer, (policy.maxAge + staleSeconds) * 1000)
              .catch((err: unknown) => logger.warn({ err }, 'response cache write failed'));
            if (context.request) outcomes.set(context.request, { policy, age: 0, stale: false });
            return;
          }
          if (!kept || !done.errors.every(isUnavailable)) return;
          const reason = errorCodeOf(done.errors[0]!);
          logger.info(
            { code: reason, ageSeconds: age },
            'serving a kept answer while a dependency is unavailable',
          );
          if (context.request) outcomes.set(context.request, { policy, age, stale: true });
          setResult({
            ...kept.result,
            extensions: {
              ...kept.result.extensions,
              stale: { ageSeconds: age, reason },
            },
          });
        },
      };
    },

    async onResponse({ request, response, setResponse }) {
      const outcome = outcomes.get(request);
      if (!outcome || request.method !== 'GET' || response.status !== 200) return;
      if (outcome.policy.maxAge === 0 && !outcome.stale) return;
      const headers = new Headers(response.headers);
      if (outcome.stale) {
        headers.set('cache-control', 'no-store');
        setResponse(new Response(response.body, { status: 200, headers }));
        return;
      }
      const body = await response.text();
      const etag = `"${hash(body).slice(0, 32)}"`;
      const visibility = outcome.policy.scope === 'PRIVATE' ? 'private' : 'public';
      headers.set(
        'cache-control',
        `${visibility}, max-age=${Math.max(0, outcome.policy.maxAge - outcome.age)}`,
      );
      headers.set('etag', etag);
      // A shared cache keeps one answer per key: never one caller's answer for another.
      const vary = new Set(
        (headers.get('vary') ?? '')
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean),
      );
      for (const name of ['Authorization', 'X-Client-Id']) vary.add(name);
      headers.set('vary', [...vary].join(', '));
      const match = request.headers.get('if-none-match');
      if (match?.split(',').some((m) => m.trim().replace(/^W\//, '') === etag)) {
        headers.delete('content-length');
        headers.delete('content-type');
        setResponse(new Response(null, { status: 304, headers }));
        return;
      }
      setResponse(new Response(body, { status: 200, headers }));
    },
  };
}
