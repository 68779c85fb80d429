import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { createYoga, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { createLoaders } from './loaders.js';
import { schema } from './schema/index.js';
import { useOneSensitiveMutation } from './schema/sensitive-mutations.js';
import { useGraphiQLPage } from './server/graphiql.js';
import { useVendorRoutes } from './server/vendor-routes.js';
import type { Database } from './store/database.js';
import type { InboundRoute } from './vendors/module.js';

export type App = YogaServerInstance<Record<string, never>, Context>;

/** What a request's context is made of, apart from what is per request. */
export type AppServices = Omit<Context, 'loaders' | 'clientId' | 'config' | 'logger' | 'db'>;

export interface AppOptions {
  config: Config;
  logger: Logger;
  db: Database;
  registry: Registry;
  /** Checked by `/readyz` when Redis is configured. */
  redis: Redis | null;
  services: AppServices;
  /** The routes vendors call on the gateway (their webhooks). */
  vendorRoutes: readonly InboundRoute[];
}

const CLIENT_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Builds the Yoga app: schema, context, plugins and routes. Nothing here opens or listens. */
export function createApp(options: AppOptions): App {
  const { config, logger, db, registry, redis, services } = options;
  return createYoga<Record<string, never>, Context>({
    schema,
    logging: logger,
    // Unexpected errors reach clients as "Unexpected error." only. Yoga would add the original
    // message and stack whenever the process runs with NODE_ENV=development; they are logged.
    maskedErrors: { isDev: false },
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    // Served by useGraphiQLPage: split into cacheable, compressed assets.
    graphiql: false,
    context: ({ request }) => {
      const header = request.headers.get('x-client-id')?.trim();
      return {
        ...services,
        config,
        db,
        logger,
        loaders: createLoaders(services.orders),
        clientId: header && CLIENT_ID.test(header) ? header : 'anonymous',
      };
    },
    plugins: [
      useGraphiQLPage(logger),
      useVendorRoutes(options.vendorRoutes),
      useReadinessCheck({
        endpoint: '/readyz',
        check: async ({ fetchAPI }) => {
          const problems: string[] = [];
          const dbState = await db.isReady();
          if (!dbState.ok) problems.push(dbState.reason);
          if (redis) {
            try {
              await redis.ping();
            } catch (err) {
              problems.push(`redis unreachable: ${(err as Error).message}`);
            }
          }
          return new fetchAPI.Response(JSON.stringify({ ready: problems.length === 0, problems }), {
            status: problems.length === 0 ? 200 : 503,
            headers: { 'content-type': 'application/json' },
          });
        },
      }),
      // No `url` label: a label per distinct URL (query strings included) grows without bound.
      usePrometheus({ endpoint: '/metrics', registry, labels: { url: false } }),
      useOneSensitiveMutation(),
    ],
  });
}
