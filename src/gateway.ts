import type { Server } from 'node:http';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Kysely, Migration } from 'kysely';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { type App, createApp } from './app.js';
import type { Config } from './config.js';
import { CatalogEligibility, type EligibilityProvider } from './domain/eligibility.js';
import { ENTITY_TYPES } from './schema/entities.js';
import { schemaFor } from './schema/index.js';
import { subgraphSchemaFor } from './schema/subgraph.js';
import { createAuthenticator } from './server/auth.js';
import { createHttpServer } from './server/http-server.js';
import { KeyWatch } from './server/key-watch.js';
import { createLiveUpdates } from './server/live-updates.js';
import { MemorySlots, RedisSlots } from './server/subscription-slots.js';
import { startSweeper } from './server/sweeper.js';
import { attachWebSocket } from './server/websocket.js';
import { DmallSales } from './services/dmall-sales.js';
import { IdempotentRunner } from './services/idempotent.js';
import { LedgerCalls } from './services/ledger-call.js';
import { OAPackagePurchases } from './services/oa-packages.js';
import { OtpClientLimiter } from './services/otp-client-limiter.js';
import { PhoneVerificationService } from './services/phone-verification.js';
import { RedisSharedCache } from './services/shared-cache.js';
import { VasService } from './services/vas.js';
import { RedisPollLease } from './services/voice-call-poller.js';
import { VoiceCallService } from './services/voice-calls.js';
import { ClientStore } from './store/clients.js';
import { type Database, openDatabase } from './store/database.js';
import { IdempotencyStore } from './store/idempotency.js';
import { OAPackageStore } from './store/oa-packages.js';
import { OrderStore } from './store/orders.js';
import { VasStore } from './store/vas.js';
import { VoiceStore } from './store/voice.js';
import { createTracing } from './tracing.js';
import { dmallSells } from './vendors/dmall/index.js';
import { VendorMetrics } from './vendors/http.js';
import {
  createVendors,
  slowestVendorMs,
  VENDOR_MODULES,
  type VendorModules,
  type Vendors,
} from './vendors/index.js';
import type { AnyVendorModule, FeatureService } from './vendors/module.js';
import { type Sandbox, startSandbox } from './vendors/sandbox.js';
import type { VasNotification } from './vendors/vascloud/wire.js';

export interface Gateway {
  yoga: App;
  server: Server;
  db: Database;
  registry: Registry;
  sandbox: Sandbox;
  vendors: Vendors;
  orders: OrderStore;
  oaPackages: OAPackageStore;
  voice: VoiceCallService;
  idempotency: IdempotencyStore;
  vas: VasService;
  vasStore: VasStore;
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
  /**
   * The vendor modules, when not the gateway's own list (a test adding a vendor). The config must
   * have been loaded with the same list.
   */
  modules?: readonly AnyVendorModule[];
  /**
   * Span processors beside the OTLP exporter's (tests: an `InMemorySpanExporter`'s); given any,
   * the gateway traces even without `OTEL_EXPORTER_OTLP_ENDPOINT`.
   */
  spanProcessors?: readonly SpanProcessor[];
}

/**
 * The composition root: opens the database, starts the sandbox, builds the vendor clients, the
 * services, the app and the HTTP server, and closes them all in reverse order.
 */
export async function createGateway(config: Config, options: GatewayOptions): Promise<Gateway> {
  const { logger } = options;
  const modules = options.modules ?? VENDOR_MODULES;
  const db = options.db ?? openDatabase(config.database, { pool: config.databasePool, logger });
  // The gateway's tables, then those of its vendors' features.
  await db.migrate(
    Object.assign({}, ...modules.map((m) => m.feature?.migrations ?? {})) as Record<
      string,
      Migration
    >,
  );

  // Off (null) unless OTEL_EXPORTER_OTLP_ENDPOINT is set or a test hands in a span processor.
  const tracing = createTracing(config.tracing, options.spanProcessors);
  const registry = new Registry();
  // Process CPU, memory, heap, event-loop lag and handles, next to the HTTP and vendor metrics.
  collectDefaultMetrics({ register: registry });
  const sandbox = await startSandbox(config, modules, logger);
  const vendors = createVendors(config, {
    sandbox,
    metrics: new VendorMetrics(registry),
    logger,
    modules: modules as VendorModules,
  });
  const live = createLiveUpdates(config.redisUrl, logger);
  if (live.redis && !(await live.connected())) {
    logger.warn('Redis is not reachable yet: serving degraded (limits and streams per instance)');
  }

  const now = options.now ?? (() => new Date());
  const eligibility = options.eligibility ?? new CatalogEligibility(dmallSells);
  const orders = new OrderStore(db, now);
  const slowestCallMs = slowestVendorMs(config, modules);
  const idempotency = new IdempotencyStore(db, {
    ttlHours: config.idempotencyTtlHours,
    // Past the slowest vendor call and the sweeper's margin, a claim's process has died.
    abandonAfterMs: slowestCallMs + config.sweeper.graceMs,
    now,
  });
  const idempotent = new IdempotentRunner({
    store: idempotency,
    secret: config.secret,
    // A duplicate waits as long as the first request's vendor call can take, and a little more.
    duplicateWaitMs: slowestCallMs + 5_000,
  });
  const sales = new DmallSales({
    orders,
    idempotent,
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
    // Shared by the instances when they share Redis.
    clientLimiter: new OtpClientLimiter(config.otp.limitPerClientMinute, live.redis),
    onChange: live.publishOrder,
    logger,
    now,
  });

  const oaPackages = new OAPackageStore(db, now);
  const oaPurchases = new OAPackagePurchases({
    store: oaPackages,
    idempotent,
    esms: vendors.esms,
    limitPerClientHour: config.oaPackages.limitPerClientHour,
    logger,
    now,
  });
  const vasStore = new VasStore(db, now);
  const vas = new VasService({
    store: vasStore,
    idempotent,
    client: vendors.vascloud,
    onChange: live.publishVas,
    logger,
    now,
  });
  vendors.listen('vascloud', (event) => vas.onNotification(event as VasNotification));

  const voiceStore = new VoiceStore(db, now);
  const voice = new VoiceCallService({
    store: voiceStore,
    idempotent,
    voiceOtp: vendors.voiceOtp,
    rules: { limits: config.voice.limits, guard: config.voice.guard },
    balance: {
      cacheSeconds: config.voice.balanceCacheSeconds,
      warnBelow: config.voice.balanceWarn,
      // Every instance reads the balance one of them fetched (when they share Redis).
      ...(live.redis ? { shared: new RedisSharedCache(live.redis) } : {}),
    },
    poll: {
      initialMs: config.voice.pollMs,
      maxMs: config.voice.pollMaxMs,
      // One poller per call across instances when they share Redis.
      ...(live.redis ? { lease: new RedisPollLease(live.redis, logger) } : {}),
    },
    registry,
    onCallChange: live.publishVoiceCall,
    logger,
    now,
  });
  const verifications = new PhoneVerificationService({
    store: voiceStore,
    idempotent,
    calls: voice,
    secret: config.secret,
    rules: config.verification,
    logger,
    now,
  });

  // Vendor features: each built from its client and the shared parts (VendorFeature).
  const clients = vendors as unknown as Record<string, unknown>;
  const features: Record<string, FeatureService> = Object.fromEntries(
    (modules as readonly AnyVendorModule[]).flatMap((m) =>
      m.feature
        ? [
            [
              m.name,
              m.feature.service({
                client: clients[m.name],
                db: db.db as unknown as Kysely<unknown>,
                calls: new LedgerCalls(idempotent),
                logger,
                now,
              }),
            ],
          ]
        : [],
    ),
  );

  const sweeper = startSweeper({
    // Every ledger's sweep, declared by the feature that owns it.
    ledgers: [
      sales.ledgerSweep,
      oaPurchases.ledgerSweep,
      voice.ledgerSweep,
      vas.ledgerSweep,
      ...Object.values(features).flatMap((f) => (f.ledgerSweep ? [f.ledgerSweep] : [])),
    ],
    idempotency,
    slowestCallMs,
    graceMs: config.sweeper.graceMs,
    intervalMs: config.sweeper.intervalMs,
    logger,
  });
  await sweeper.sweep();

  // Fired when the gateway starts closing: live streams end so the server can drain.
  const stopping = new AbortController();
  const authenticate = createAuthenticator({
    clients: new ClientStore(db, config.secret),
    anonymousAllowed: config.anonymousAllowed,
    cacheMs: config.clients.keyCacheMs,
  });
  // Open streams: their keys re-checked every API_KEY_CACHE_MS, their number capped per client.
  const keys = new KeyWatch({ authenticate, intervalMs: config.clients.keyCacheMs, logger });
  const slots = live.redis
    ? new RedisSlots({ redis: live.redis, limit: config.clients.maxSubscriptions, logger })
    : new MemorySlots(config.clients.maxSubscriptions);
  const yoga = createApp({
    config,
    logger,
    db,
    registry,
    redis: live.redis,
    now,
    services: {
      sales,
      oaPurchases,
      vas,
      voice,
      verifications,
      features,
      eligibility,
      pubsub: live.pubsub,
      shutdown: stopping.signal,
    },
    records: { orders, vasStore, oaPackages, voiceStore, vas, idempotency },
    vendorRoutes: vendors.routes,
    schema: config.federationSubgraph ? subgraphSchemaFor(modules) : schemaFor(modules),
    authenticate,
    streams: { keys, slots },
    tracer: tracing?.tracer ?? null,
  });
  const http = createHttpServer(yoga, config.httpServer);
  logger.info(
    { anonymous: config.anonymousAllowed },
    config.anonymousAllowed
      ? 'every vendor runs in sandbox: requests without an API key are served anonymously'
      : 'API keys required: every request needs Authorization: Bearer <key>',
  );
  if (config.federationSubgraph) {
    logger.info(
      { entities: ENTITY_TYPES },
      'FEDERATION_SUBGRAPH: /graphql serves the Apollo Federation v2 subgraph schema (_entities, _service)',
    );
  }
  const ws = attachWebSocket(http.server, yoga, logger, config.corsOrigins, { authenticate, keys });
  let closing: Promise<void> | null = null;

  return {
    yoga,
    server: http.server,
    db,
    registry,
    sandbox,
    vendors,
    orders,
    oaPackages,
    voice,
    idempotency,
    vas,
    vasStore,
    sweep: sweeper.sweep,
    listen: () => http.listen(config.port, config.host),
    close() {
      closing ??= (async () => {
        sweeper.stop();
        voice.close();
        stopping.abort();
        await Promise.all([ws.close(), http.close()]);
        keys.close();
        await slots.close();
        await vendors.close();
        await sandbox.close();
        live.close();
        if (!options.db) await db.close();
        // Last: the spans of everything above reach the collector before the process exits.
        await tracing?.shutdown();
      })();
      return closing;
    },
  };
}
