import type { Tracer } from '@opentelemetry/api';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { RecordAccess, type RecordSources } from './access.js';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { SubscriberIds } from './domain/subscriber-id.js';
import { createLoaders, type LoaderSources, useLoadersPerSubscriptionEvent } from './loaders.js';
import { maskError } from './schema/errors.js';
import { schema } from './schema/index.js';
import { useOneSensitiveMutation } from './schema/sensitive-mutations.js';
import { type Caller, useClientBudgets, useExploreScope } from './server/auth.js';
import { useConsolePage } from './server/console.js';
import { corsOptions } from './server/edge/csrf-cors.js';
import { maskErrors } from './server/edge/mask-errors.js';
import { metricsPlugin } from './server/edge/metrics.js';
import { edgePlugins } from './server/edge.js';
import { useGraphiQLPage } from './server/graphiql.js';
import { languageOf, useMessageLanguage } from './server/language.js';
import { readinessPlugin } from './server/readiness.js';
import { MemoryAnswerStore, RedisAnswerStore, useResponseCache } from './server/response-cache.js';
import { useStreamEventIds } from './server/stream-event-ids.js';
import { type StreamGuardOptions, useStreamGuard } from './server/stream-guard.js';
import { useSubscriptionSpans, useTracing } from './server/tracing.js';
import {
  DEFAULT_MANIFEST,
  readManifest,
  usePublishedDocumentsOnly,
  useTrustedDocuments,
} from './server/trusted-documents.js';
import { useVendorRoutes } from './server/vendor-routes.js';
import { yogaLogger } from './server/yoga-logger.js';
import type { Database } from './store/database.js';
import type { InboundRoute } from './vendors/module.js';

export type App = YogaServerInstance<Record<string, never>, Context>;

/** What a request's context is made of, apart from what is per request. */
export type AppServices = Omit<
  Context,
  'loaders' | 'access' | 'clientId' | 'caller' | 'config' | 'logger' | 'subscriberIds' | 'language'
>;

export interface AppOptions {
  config: Config;
  logger: Logger;
  db: Database;
  registry: Registry;
  /** Checked by `/readyz` when Redis is configured. */
  redis: Redis | null;
  services: AppServices;
  /**
   * Where records are read from: only `RecordAccess` and the loaders hold them, never the
   * context, so no resolver reads a record without the access rule.
   */
  records: RecordSources;
  /** The routes vendors call on the gateway (their webhooks). */
  vendorRoutes: readonly InboundRoute[];
  /** The schema, with the vendors' features (`schemaFor`); by default the gateway's own. */
  schema?: GraphQLSchema;
  /** The clock of the response cache (tests move it). */
  now?: () => Date;
  /** Who is calling, from the request's headers (src/server/auth.ts). */
  authenticate: (headers: Headers) => Promise<Caller>;
  /** Open subscriptions: their keys re-checked, their number per client capped. */
  streams: StreamGuardOptions;
  /** The tracer of operation spans (src/tracing.ts); null or absent: tracing is off. */
  tracer?: Tracer | null;
}

/** Builds the Yoga app: schema, context, plugins and routes. Nothing here opens or listens. */
export function createApp(options: AppOptions): App {
  const { config, logger, db, registry, redis, services } = options;
  const sources: LoaderSources = { ...options.records, voice: services.voice };
  const subscriberIds = new SubscriberIds(config.secret);
  const trustedManifest = config.trustedDocuments
    ? readManifest(config.trustedDocuments.manifest ?? DEFAULT_MANIFEST)
    : null;
  // The console's CSV export asks the app itself, through every plugin, as any client would.
  const self = (url: string, init: RequestInit) => Promise.resolve(yoga.fetch(url, init));
  const yoga: App = createYoga<Record<string, never>, Context>({
    schema: options.schema ?? schema,
    logging: yogaLogger(logger),
    // Unexpected errors reach clients as "Unexpected error." only. Yoga would add the original
    // message and stack whenever the process runs with NODE_ENV=development; they are logged.
    // Registered errors that no result union lists become top-level errors with their code;
    // a database outage is DATABASE_UNAVAILABLE.
    maskedErrors: { isDev: false, maskError: maskErrors(maskError) },
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    cors: corsOptions(config),
    multipart: false,
    // The body cap is the edge's (`MAX_REQUEST_BODY_BYTES`, src/server/edge/request-body.ts): it
    // reads a body of declared length directly and streams only a chunked one. Yoga's own cap
    // would pipe every body through a TransformStream, which costs more than the rest of a small
    // query.
    maxRequestBodySize: false,
    // Served by useGraphiQLPage (when GRAPHIQL is on): split into cacheable, compressed assets.
    graphiql: false,
    context: async ({ request }) => {
      const caller = await options.authenticate(request.headers);
      return {
        ...services,
        config,
        logger,
        loaders: createLoaders(sources),
        access: new RecordAccess(caller, sources),
        subscriberIds,
        caller,
        clientId: caller.clientId,
        language: languageOf(request.headers),
      };
    },
    plugins: [
      // First: its span is the request's, around every plugin after it (README "Tracing").
      useTracing(options.tracer ?? null, '/graphql'),
      // Then, first to see each result: the gateway's errors are in the caller's language before any
      // other plugin copies them.
      useMessageLanguage(),
      ...(config.graphiql ? [useGraphiQLPage(logger)] : []),
      useConsolePage(logger, self),
      useVendorRoutes(options.vendorRoutes),
      ...(trustedManifest
        ? [
            useTrustedDocuments(trustedManifest, options.authenticate),
            usePublishedDocumentsOnly(trustedManifest),
          ]
        : []),
      ...edgePlugins(config),
      readinessPlugin({
        db,
        redis,
        redisRequired: config.redisRequired,
        registry,
        notes: async () => {
          const note = services.voice.readinessNote();
          return note ? [note] : [];
        },
      }),
      metricsPlugin(registry),
      useClientBudgets({
        requestsPerMinute: config.clients.requestsPerMinute,
        costPerMinute: config.clients.costPerMinute,
        redis,
        logger,
      }),
      useExploreScope(),
      useOneSensitiveMutation(),
      useLoadersPerSubscriptionEvent(sources),
      useStreamGuard(options.streams),
      useStreamEventIds(),
      // After the event ids: a delivery's span records the id sent.
      useSubscriptionSpans(),
      ...(config.responseCache.maxEntries > 0 ? [responseCache(options)] : []),
    ],
  });
  return yoga;
}

/** Answers of cacheable queries, kept in Redis when configured, else in memory. */
function responseCache(options: AppOptions): Plugin {
  const now = options.now ? () => options.now!().getTime() : Date.now;
  return useResponseCache({
    schema: options.schema ?? schema,
    store: options.redis
      ? new RedisAnswerStore(options.redis)
      : new MemoryAnswerStore(options.config.responseCache.maxEntries, now),
    staleSeconds: options.config.responseCache.staleSeconds,
    now,
    logger: options.logger,
  });
}
