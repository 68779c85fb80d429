import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { createYoga, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { schema } from './schema/index.js';
import { type Database, openDatabase } from './store/database.js';
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
  /** Starts listening; resolves with the GraphQL URL. */
  listen(): Promise<string>;
  /** Stops taking requests, waits for those in flight, then closes everything it opened. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  logger: Logger;
  /** An already open database (tests); by default opened from the config and closed with the app. */
  db?: Database;
}

const CLIENT_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export async function createGateway(config: Config, options: GatewayOptions): Promise<Gateway> {
  const { logger } = options;
  const db = options.db ?? openDatabase(config.database);
  await db.migrate();

  const registry = new Registry();
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

  const yoga = createYoga<Record<string, never>, Context>({
    schema,
    logging: logger,
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    graphiql: {
      title: 'Telco gateway',
      defaultQuery: exampleOperations(),
    },
    context: ({ request }) => {
      const header = request.headers.get('x-client-id')?.trim();
      return {
        config,
        db,
        logger,
        vendors,
        clientId: header && CLIENT_ID.test(header) ? header : 'anonymous',
      };
    },
    plugins: [
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
      usePrometheus({ endpoint: '/metrics', registry }),
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
        if (server.listening) {
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
          });
        }
        await vendors.close();
        await sandbox.close();
        if (redis) redis.disconnect();
        if (!options.db) await db.close();
      })();
      return closing;
    },
  };
}

/** The operations under `operations/` (also codegen's documents), preloaded into GraphiQL. */
function exampleOperations(): string {
  const dir = new URL('../operations/', import.meta.url);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort();
  return files.map((f) => readFileSync(new URL(f, dir), 'utf8').trim()).join('\n\n');
}
