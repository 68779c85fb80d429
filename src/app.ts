import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createPubSub, createYoga, type YogaServerInstance } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Config } from './config.js';
import type { Context, GatewayPubSub } from './context.js';
import { CatalogEligibility, type EligibilityProvider } from './domain/eligibility.js';
import type { Order } from './domain/order.js';
import { createLoaders } from './loaders.js';
import { schema } from './schema/index.js';
import { useOneSensitiveMutation } from './schema/sensitive-mutations.js';
import { corsOptions, edgePlugins, maskErrors, metricsPlugin } from './server/edge.js';
import { readinessPlugin } from './server/readiness.js';
import { PackageSales } from './services/package-sales.js';
import { type Database, openDatabase } from './store/database.js';
import { IdempotencyStore } from './store/idempotency.js';
import { OrderStore } from './store/orders.js';
import { VendorMetrics } from './vendors/http.js';
import { createVendors, type Vendors } from './vendors/index.js';
import { type Sandbox, startSandbox } from './vendors/sandbox.js';

export interface Gateway {
  yoga: YogaServerInstance<Record<string, never>, Context>;
  server: Server;
  db: Database;
  registry: Registry;
  sandbox: Sandbox;
  vendors: Vendors;
  orders: OrderStore;
  /** Settles stale orders now (also runs at start-up and every 30 seconds). */
  sweep(): Promise<void>;
  /** Starts listening; resolves with the GraphQL URL. */
  listen(): Promise<string>;
  /** Stops taking requests, waits for those in flight, then closes everything it opened. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  logger: Logger;
  /** An already open database (tests); by default opened from the config and closed with the app. */
  db?: Database;
  /** The clock (tests move it to reach OTP expiry). */
  now?: () => Date;
  /** Replaces the catalog rule for `Subscriber.eligiblePackages`. */
  eligibility?: EligibilityProvider;
}

const CLIENT_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const GRAPHIQL_HEADERS = JSON.stringify({ 'x-client-id': 'graphiql' }, null, 2);

export async function createGateway(config: Config, options: GatewayOptions): Promise<Gateway> {
  const { logger } = options;
  const db = options.db ?? openDatabase(config.database, { pool: config.databasePool, logger });
  await db.migrate();

  const registry = new Registry();
  // Process CPU, memory, heap, event-loop lag and handles, next to the HTTP and vendor metrics.
  collectDefaultMetrics({ register: registry });
  const vendorMetrics = new VendorMetrics(registry);
  const sandbox = await startSandbox(config, logger);
  const vendors = createVendors(config, sandbox, vendorMetrics, logger);
  // No offline queue: while Redis is down a command fails at once instead of piling up, so
  // readiness answers quickly and honestly.
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2_000,
      })
    : null;
  redis?.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis connection error'));

  // Live updates cross instances through Redis when it is configured; in memory otherwise.
  // They are best effort: the event target drops the promises of publish and subscribe, so a
  // failed publish is caught here (an unhandled rejection would stop the process mid-sale), and
  // the subscribing connection queues its commands until Redis is back.
  const redisSubscriber =
    redis?.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null }) ?? null;
  redisSubscriber?.on('error', () => {});
  const publisher = redis && {
    publish: (channel: string, message: string) =>
      redis.publish(channel, message).catch((err: Error) => {
        logger.warn({ err: err.message }, 'live update not published: Redis unreachable');
        return 0;
      }),
  };
  const pubsub: GatewayPubSub = createPubSub(
    publisher && redisSubscriber
      ? {
          eventTarget: createRedisEventTarget({
            publishClient: publisher as unknown as Redis,
            subscribeClient: redisSubscriber,
          }),
        }
      : {},
  );
  const publish = (order: Order) => {
    for (const key of [order.orderCode, order.partnerTransId]) {
      if (key) pubsub.publish('orderUpdated', key, order);
    }
  };

  const now = options.now ?? (() => new Date());
  const eligibility = options.eligibility ?? new CatalogEligibility();
  const orders = new OrderStore(db, now);
  const idempotency = new IdempotencyStore(db, config.idempotencyTtlHours, now);
  const sales = new PackageSales({
    orders,
    idempotency,
    dmall: vendors.dmall,
    eligibility,
    otp: {
      validitySeconds: config.otp.validitySeconds,
      maxAttempts: config.otp.maxAttempts,
      limits: {
        perPhoneHour: config.otp.limitPerPhoneHour,
        perPhone10Min: config.otp.limitPerPhone10Min,
        perClientMinute: config.otp.limitPerClientMinute,
      },
    },
    duplicateWaitMs: config.dmall.timeoutMs + 5_000,
    onChange: publish,
    logger,
    now,
  });

  const sweep = async () => {
    const changed = await orders.sweep({
      // Longer than any vendor call can take, so only calls cut short by a stop are touched.
      staleAfterMs: config.dmall.timeoutMs + 30_000,
      validitySeconds: config.otp.validitySeconds,
    });
    for (const order of changed) publish(order);
    await idempotency.purgeExpired();
    if (changed.length > 0) logger.info({ count: changed.length }, 'settled stale orders');
  };
  await sweep();
  const sweeper = setInterval(() => {
    sweep().catch((err: unknown) => logger.error({ err }, 'order sweep failed'));
  }, 30_000);
  sweeper.unref();

  // Fired when the gateway starts closing: live streams end so the server can drain.
  const stopping = new AbortController();
  let graphiqlHtml: string | undefined;
  const yoga = createYoga<Record<string, never>, Context>({
    schema,
    logging: logger,
    // Unexpected errors reach clients as "Unexpected error." only. Yoga would add the original
    // message and stack whenever the process runs with NODE_ENV=development; they are logged.
    maskedErrors: { isDev: false, maskError: maskErrors },
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    // GraphiQL's assets are served by the gateway itself (no CDN): it works offline and behind
    // a shop's firewall, and no third-party script runs next to the API. The page is ~9 MB and
    // its options never change, so it is rendered once.
    renderGraphiQL: (opts) => {
      graphiqlHtml ??= renderGraphiQL(opts);
      return graphiqlHtml;
    },
    cors: corsOptions(config),
    multipart: false,
    graphiql: config.graphiql && {
      title: 'Telco gateway',
      // One tab per example, so each tab is a document with at most one sensitive mutation.
      defaultTabs: exampleTabs(),
      defaultHeaders: GRAPHIQL_HEADERS,
    },
    context: ({ request }) => {
      const header = request.headers.get('x-client-id')?.trim();
      return {
        config,
        db,
        logger,
        vendors,
        orders,
        sales,
        eligibility,
        pubsub,
        loaders: createLoaders(orders),
        shutdown: stopping.signal,
        clientId: header && CLIENT_ID.test(header) ? header : 'anonymous',
      };
    },
    plugins: [
      ...edgePlugins(config),
      readinessPlugin({ db, redis, redisRequired: config.redisRequired, registry }),
      metricsPlugin(registry),
      useOneSensitiveMutation(),
    ],
  });

  const server = createServer(yoga);
  let closing: Promise<void> | null = null;

  return {
    yoga,
    server,
    db,
    registry,
    sandbox,
    vendors,
    orders,
    sweep,
    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      const { port } = server.address() as AddressInfo;
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      return `http://${host}:${port}/graphql`;
    },
    close() {
      closing ??= (async () => {
        clearInterval(sweeper);
        stopping.abort();
        if (server.listening) {
          await new Promise<void>((resolve) => {
            // close() only drops the keep-alive connections idle at this moment; those whose
            // last response finishes later would sit out their keep-alive timeout.
            const idle = setInterval(() => server.closeIdleConnections(), 50);
            server.close(() => {
              clearInterval(idle);
              resolve();
            });
            server.closeIdleConnections();
          });
        }
        await vendors.close();
        await sandbox.close();
        redisSubscriber?.disconnect();
        redis?.disconnect();
        if (!options.db) await db.close();
      })();
      return closing;
    },
  };
}

/**
 * The operations under `operations/` (also codegen's documents), preloaded into GraphiQL as tabs,
 * each with the variables of its `<name>.variables.json` when there is one.
 */
function exampleTabs(): Array<{ query: string; variables: string | null; headers: string }> {
  const dir = new URL('../operations/', import.meta.url);
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
