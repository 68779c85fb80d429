import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../../src/config.js';
import { ms, optionalUrl, secret } from '../../src/config-fields.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { VendorError, type VendorHttp, VendorMetrics } from '../../src/vendors/http.js';
import { createVendors, VENDOR_MODULES } from '../../src/vendors/index.js';
import { defineVendor, type EnvOf, type VendorSection } from '../../src/vendors/module.js';
import { type Sandbox, startSandbox } from '../../src/vendors/sandbox.js';
import { route, SimulatorServer, text } from '../../src/vendors/simulator-kit.js';
import { sqliteDatabase, type TestDatabase } from '../helpers/db.js';

/**
 * A vendor that exists only in this test: a GET API with a token in the query string, plain-text
 * replies, and a webhook it calls on the gateway. Adding it touches no file in `src/`.
 */

const ACME_ENV = {
  ACME_BASE_URL: optionalUrl,
  ACME_TOKEN: secret,
  ACME_TIMEOUT_MS: ms(2_000),
};
type AcmeSection = VendorSection & { token: string | null };

class AcmeClient {
  constructor(private readonly opts: { http: VendorHttp; token: string }) {}

  /** A read: the balance, as the vendor's plain text `BAL:<number>`. */
  balance(): Promise<number> {
    return this.opts.http.call({
      operation: 'balance',
      method: 'GET',
      path: `/api/balance?token=${encodeURIComponent(this.opts.token)}`,
      safeToRepeat: true,
      parse: (reply) => {
        const match = /^BAL:(\d+)$/.exec(reply.body.trim());
        if (!match) throw new Error('not a balance');
        return Number(match[1]);
      },
    });
  }
}

interface AcmeEvent {
  account: string;
  status: string;
}

const acme = defineVendor({
  name: 'acme',
  env: ACME_ENV,
  urlVariable: 'ACME_BASE_URL',
  requiredWithUrl: ['ACME_TOKEN'],
  section: (env: EnvOf<typeof ACME_ENV>): AcmeSection => ({
    baseUrl: env.ACME_BASE_URL ?? null,
    timeoutMs: env.ACME_TIMEOUT_MS,
    token: env.ACME_TOKEN ?? null,
  }),
  redactPaths: ['token'],
  sandbox: {
    credentials: { token: 'sandbox-acme-token' },
    simulator: ({ config }) =>
      new SimulatorServer({
        name: 'acme',
        authorize: (req) =>
          req.query.get('token') === config.token ? null : text(401, 'ERR:BAD_TOKEN'),
        badRequest: (message) => text(400, `ERR:${message}`),
        routes: [
          route({
            method: 'GET',
            path: '/api/balance',
            format: 'query',
            input: z.object({ token: z.string() }),
            handle: () => text(200, 'BAL:4200'),
          }),
        ],
      }),
  },
  client: ({ http, config }) => new AcmeClient({ http, token: config.token ?? '' }),
  inbound: ({ deliver }) => [
    {
      method: 'POST',
      path: '/vendors/acme/notify',
      async handle(request) {
        const body = z
          .object({ account: z.string(), status: z.string() })
          .safeParse(await request.json().catch(() => null));
        if (!body.success) return new Response('ERR:BAD_BODY', { status: 400 });
        try {
          await deliver(body.data);
          return new Response('OK');
        } catch {
          return new Response('ERR:RETRY', { status: 503 });
        }
      },
    },
  ],
});

const MODULES = [...VENDOR_MODULES, acme] as const;
const logger = pino({ level: 'silent' });

describe('a vendor module added from outside src/', () => {
  let sandbox: Sandbox | undefined;
  let gateway: Gateway | undefined;
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await sandbox?.close();
    await gateway?.close();
    await database?.dispose();
    sandbox = undefined;
    gateway = undefined;
    database = undefined;
  });

  it('is configured from its own variables, with the same rules as every vendor', () => {
    const config = loadConfig({ NODE_ENV: 'test', ACME_TIMEOUT_MS: '2500' }, MODULES);
    expect(config.acme).toEqual({ baseUrl: null, timeoutMs: 2500, token: null });

    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env, MODULES);
      } catch (err) {
        if (err instanceof ConfigError) return err.problems;
      }
      return [];
    };
    expect(problems({ ACME_BASE_URL: 'https://acme.test', ACME_TIMEOUT_MS: 'soon' })).toEqual([
      'ACME_TIMEOUT_MS: must be a number of milliseconds',
    ]);
    expect(problems({ ACME_BASE_URL: 'https://acme.test' })).toEqual([
      'ACME_TOKEN: required when ACME_BASE_URL is set',
    ]);
    expect(problems({ NODE_ENV: 'production', GATEWAY_SECRET: 'x'.repeat(32) })).toContain(
      "ACME_BASE_URL: required when NODE_ENV=production (set SANDBOX=true to run this vendor's simulator instead)",
    );
  });

  it('is simulated in sandbox and callable through VendorHttp', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }, MODULES);
    sandbox = await startSandbox(config, MODULES, logger);
    expect(sandbox.urls.acme).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const vendors = createVendors(config, {
      sandbox,
      metrics: new VendorMetrics(new Registry()),
      logger,
      modules: MODULES,
    });
    try {
      await expect(vendors.acme.balance()).resolves.toBe(4200);
      const [call] = sandbox.simulators.acme!.callsTo('/api/balance');
      expect(call).toMatchObject({ method: 'GET' });
      expect(call!.query.get('token')).toBe('sandbox-acme-token');
    } finally {
      await vendors.close();
    }
  });

  it('refuses a wrong credential in the simulator as the vendor would', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }, MODULES);
    sandbox = await startSandbox(config, MODULES, logger);
    const res = await fetch(`${sandbox.urls.acme}/api/balance?token=wrong`);
    expect({ status: res.status, body: await res.text() }).toEqual({
      status: 401,
      body: 'ERR:BAD_TOKEN',
    });
    const post = await fetch(`${sandbox.urls.acme}/api/balance`, { method: 'POST' });
    expect({ status: post.status, allow: post.headers.get('allow') }).toEqual({
      status: 405,
      allow: 'GET',
    });
  });

  it('mounts its inbound route on the gateway, which the simulator can call back', async () => {
    const config = loadConfig(
      { NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1' },
      MODULES,
    );
    database = sqliteDatabase();
    gateway = await createGateway(config, { logger, db: database.database, modules: MODULES });
    const url = await gateway.listen();
    const notifyUrl = url.replace(/\/graphql$/, '/vendors/acme/notify');
    const acmeSim = gateway.sandbox.simulators.acme!;
    const body = JSON.stringify({ account: 'A-1', status: 'ACTIVE' });

    // No service listens yet: the vendor is told to retry, nothing is dropped silently.
    expect(await acmeSim.callBack(notifyUrl, body)).toMatchObject({
      status: 503,
      reply: 'ERR:RETRY',
    });

    const received: AcmeEvent[] = [];
    gateway.vendors.listen('acme' as never, async (event) => {
      received.push(event as AcmeEvent);
    });
    expect(await acmeSim.callBack(notifyUrl, body)).toMatchObject({ status: 200, reply: 'OK' });
    expect(await acmeSim.callBack(notifyUrl, '{"account":1}')).toMatchObject({ status: 400 });
    expect(received).toEqual([{ account: 'A-1', status: 'ACTIVE' }]);

    const wrongMethod = await fetch(notifyUrl);
    expect({ status: wrongMethod.status, allow: wrongMethod.headers.get('allow') }).toEqual({
      status: 405,
      allow: 'POST',
    });
  });

  it('keeps a failing vendor call a VendorError in the gateway’s terms', async () => {
    const config = loadConfig(
      { NODE_ENV: 'test', LOG_LEVEL: 'silent', VENDOR_READ_RETRIES: '0' },
      MODULES,
    );
    sandbox = await startSandbox(config, MODULES, logger);
    const vendors = createVendors(
      { ...config, acme: { ...config.acme, baseUrl: sandbox.urls.acme!, token: 'wrong' } },
      { sandbox, metrics: new VendorMetrics(new Registry()), logger, modules: MODULES },
    );
    try {
      const err = await vendors.acme.balance().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VendorError);
      expect(err).toMatchObject({ vendor: 'acme', code: 'VENDOR_HTTP', status: 401 });
    } finally {
      await vendors.close();
    }
  });
});
