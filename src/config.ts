import { z } from 'zod';
import {
  bool,
  corsOrigins,
  count,
  emptyToUndefined,
  limit,
  ms,
  optionalBool,
  optionalUrl,
  otlpHeaders,
  port,
} from './config-fields.js';
import type { VoiceCallLimits, VoiceGuardRules } from './domain/voice-limits.js';
import type { TracingConfig } from './tracing.js';
import { VENDOR_MODULES, type VendorModules } from './vendors/index.js';
import type { AnyVendorModule, VendorLayerConfig, VendorSections } from './vendors/module.js';

/**
 * The only module that reads the environment. Everything else takes a `Config` (or a slice of it),
 * so tests build configs by hand and nothing depends on the process it runs in.
 */

/** The gateway's own variables; each vendor module adds its own (`src/vendors/<vendor>/index.ts`). */
export const BASE_ENV = {
  NODE_ENV: z.preprocess(
    emptyToUndefined,
    z.enum(['development', 'production', 'test']).default('development'),
  ),
  PORT: z.preprocess(emptyToUndefined, port.default(4000)),
  HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => /^(postgres(ql)?:\/\/|file:|sqlite:)/.test(v) || !v.includes('://'), {
        message: 'must be postgres://..., file:PATH, sqlite:PATH or a file path',
      })
      .optional(),
  ),
  REDIS_URL: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  ),
  SANDBOX: bool,
  /** How long an OTP stays usable at the vendor, in seconds. */
  OTP_VALIDITY_SECONDS: limit(600, 86_400),
  OTP_MAX_ATTEMPTS: limit(5, 20),
  OTP_LIMIT_PER_PHONE_HOUR: limit(5, 1000),
  OTP_LIMIT_PER_PHONE_10MIN: limit(3, 1000),
  OTP_LIMIT_PER_CLIENT_MINUTE: limit(30, 100_000),
  /** Zalo OA package purchases one client may make per hour (each one spends money). */
  OA_PURCHASE_LIMIT_PER_CLIENT_HOUR: limit(20, 100_000),
  IDEMPOTENCY_TTL_HOURS: count(24, 24 * 30),
  /** Phone verification (README "Voice calls and phone verification"). */
  VERIFICATION_VALIDITY_SECONDS: limit(600, 86_400),
  VERIFICATION_MAX_CHECKS: limit(5, 100),
  VERIFICATION_MAX_SENDS: limit(3, 100),
  VERIFICATION_LIMIT_PER_PHONE_HOUR: limit(5, 1000),
  /** Calls placed (voice OTP and verification calls together): README "Voice calls and phone verification". */
  VOICE_CALLS_PER_PHONE_10MIN: limit(3, 1000),
  VOICE_CALLS_PER_PHONE_DAY: limit(10, 10_000),
  VOICE_CALLS_PER_CLIENT_MINUTE: limit(30, 100_000),
  VOICE_CALLS_PER_CLIENT_DAY: limit(1000, 10_000_000),
  /** The fraud guard per number prefix; 0 unconverted calls turns it off. */
  VOICE_GUARD_WINDOW_SECONDS: limit(3600, 7 * 86_400),
  VOICE_GUARD_MAX_UNCONVERTED: count(20, 1_000_000),
  VOICE_GUARD_COOLDOWN_SECONDS: limit(3600, 7 * 86_400),
  /** How long `voiceOtpBalance` answers from the last balance check. */
  VOICE_OTP_BALANCE_CACHE_SECONDS: count(60, 86_400),
  /** Under this balance, a warning is logged and `/readyz` notes it (0: never). */
  VOICE_OTP_BALANCE_WARN: count(100, 1_000_000_000),
  /** The first wait of a voice call's poller (`voiceCallUpdated`); it doubles up to the max. */
  VOICE_CALL_POLL_MS: ms(1_000),
  VOICE_CALL_POLL_MAX_MS: ms(15_000),
  /** How often the sweeper settles stale orders and abandoned idempotency claims. */
  SWEEP_INTERVAL_MS: ms(30_000),
  /**
   * Margin past the slowest vendor timeout after which a request still in flight is taken for
   * cut short by a stopped process (its order UNKNOWN, its idempotency claim released).
   */
  SWEEP_GRACE_MS: ms(30_000),
  VENDOR_READ_RETRIES: count(2, 5),
  VENDOR_BREAKER_FAILURES: count(5, 1000),
  VENDOR_BREAKER_HALF_OPEN_MS: ms(30_000),
  VENDOR_MAX_CONCURRENCY: count(20, 1000),
  VENDOR_MAX_BODY_BYTES: count(1_048_576, 64 * 1_048_576),
  /** Keys the fingerprints of idempotent requests (HMAC); the same on every instance. */
  GATEWAY_SECRET: z.preprocess(
    emptyToUndefined,
    z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  ),

  // The edge (README "Limits and browsers"): what a request may ask before anything runs, which
  // browsers may call, what readiness requires, and how the database pool is sized.
  GRAPHQL_MAX_DEPTH: limit(10, 100),
  GRAPHQL_MAX_ALIASES: limit(15, 1000),
  GRAPHQL_MAX_TOKENS: limit(1000, 100_000),
  GRAPHQL_MAX_DIRECTIVES: limit(20, 1000),
  GRAPHQL_MAX_COST: limit(25_000, 10_000_000),
  MAX_REQUEST_BODY_BYTES: limit(262_144, 16 * 1_048_576),
  GRAPHQL_INTROSPECTION: optionalBool,
  GRAPHIQL: optionalBool,
  /** Serve the Apollo Federation v2 subgraph schema on /graphql (README "Federation subgraph"). */
  FEDERATION_SUBGRAPH: bool,
  CORS_ORIGINS: corsOrigins,
  REDIS_REQUIRED: bool,
  DATABASE_POOL_SIZE: limit(10, 1000),
  DATABASE_ACQUIRE_TIMEOUT_MS: ms(3_000),
  DATABASE_START_TIMEOUT_MS: ms(60_000),
  /** How long a client may take to send a request's headers, then its whole request (408). */
  HTTP_HEADERS_TIMEOUT_MS: ms(10_000),
  HTTP_REQUEST_TIMEOUT_MS: ms(30_000),

  // Clients (README "Security"): per-client budgets on top of the document limits.
  CLIENT_REQUESTS_PER_MINUTE: limit(600, 1_000_000),
  CLIENT_COST_PER_MINUTE: limit(1_000_000, 100_000_000),
  /** Open subscriptions (SSE and WebSocket) per client, across instances when REDIS_URL is set. */
  CLIENT_MAX_SUBSCRIPTIONS: limit(100, 100_000),
  /** How long a checked API key is trusted before it is checked again (0: every request). */
  API_KEY_CACHE_MS: count(10_000, 600_000),
  /** Only the published operations run (by hash), except for callers with `explore`. */
  TRUSTED_DOCUMENTS: bool,
  TRUSTED_DOCUMENTS_MANIFEST: z.preprocess(emptyToUndefined, z.string().optional()),

  // The response cache (README "Caching"): answers of queries made only of hinted fields.
  /** Answers kept in memory when Redis is not configured (0: no response cache). */
  RESPONSE_CACHE_MAX_ENTRIES: count(10_000, 10_000_000),
  /** How long past its max-age a kept answer may be served, marked stale, while a vendor is down. */
  RESPONSE_CACHE_STALE_SECONDS: count(3_600, 7 * 86_400),

  // Tracing (README "Tracing (OpenTelemetry)"): off, and free, unless the endpoint is set.
  /** OTLP/HTTP collector base URL; spans go to `<url>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  OTEL_SERVICE_NAME: z.preprocess(emptyToUndefined, z.string().default('telco-gateway')),
  /** Headers of each export, `name=value,name2=value2` (values URL-encoded), e.g. an API key. */
  OTEL_EXPORTER_OTLP_HEADERS: z.preprocess(emptyToUndefined, otlpHeaders.optional()),
};

/**
 * Used when `GATEWAY_SECRET` is unset outside production (and in a production sandbox): it is
 * public, so it protects nothing, and production refuses to start without a secret of its own.
 */
const SANDBOX_SECRET = 'sandbox-gateway-secret-not-for-production-use';

type Env = z.output<z.ZodObject<typeof BASE_ENV>>;

export type DatabaseConfig = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** The settings that are not a vendor's. */
export interface BaseConfig extends VendorLayerConfig {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  logLevel: Env['LOG_LEVEL'];
  database: DatabaseConfig;
  redisUrl: string | null;
  /** The server secret that keys request fingerprints and API key hashes. */
  secret: string;
  /**
   * True while every vendor runs in sandbox: requests without an API key are served anonymously
   * (local exploration, GraphiQL). Once any vendor is real, every request needs a key.
   */
  anonymousAllowed: boolean;
  /** Per-client budgets per minute, for authenticated clients. */
  clients: {
    requestsPerMinute: number;
    costPerMinute: number;
    keyCacheMs: number;
    maxSubscriptions: number;
  };
  /** Trusted documents: null when off; the manifest's path when on (null path: the default). */
  trustedDocuments: { manifest: string | null } | null;
  /** The response cache (src/server/response-cache.ts); maxEntries 0: off. */
  responseCache: { maxEntries: number; staleSeconds: number };
  otp: {
    validitySeconds: number;
    maxAttempts: number;
    limitPerPhoneHour: number;
    limitPerPhone10Min: number;
    limitPerClientMinute: number;
  };
  oaPackages: { limitPerClientHour: number };
  idempotencyTtlHours: number;
  verification: {
    validitySeconds: number;
    maxChecks: number;
    maxSends: number;
    perPhoneHour: number;
  };
  voice: {
    balanceCacheSeconds: number;
    balanceWarn: number;
    pollMs: number;
    pollMaxMs: number;
    limits: VoiceCallLimits;
    guard: VoiceGuardRules;
  };
  sweeper: { intervalMs: number; graceMs: number };
  // The edge: document limits, browsers, readiness, database pool.
  limits: {
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    maxDirectives: number;
    maxCost: number;
    maxBodyBytes: number;
  };
  /** Introspection and "Did you mean" suggestions; off in production unless configured on. */
  exposeIntrospection: boolean;
  /** GraphiQL at /graphql; off in production unless configured on. */
  graphiql: boolean;
  /**
   * /graphql serves the federation subgraph schema (`_entities`, `_service`, `@key`s) instead of
   * the client schema, for a supergraph router.
   */
  federationSubgraph: boolean;
  /** Origins browsers may call from; `*` (no credentials) or a list; empty allows none. */
  corsOrigins: '*' | string[];
  /** When true, Redis unreachable makes /readyz 503; otherwise the gateway reports degraded. */
  redisRequired: boolean;
  /**
   * Node's HTTP server: a request whose headers, or whole body, take longer is answered 408 and
   * its connection closed, so slow senders cannot hold connections (headers at most the whole).
   */
  httpServer: { headersTimeoutMs: number; requestTimeoutMs: number };
  /** OpenTelemetry: endpoint null is off (src/tracing.ts). */
  tracing: TracingConfig;
  databasePool: {
    size: number;
    /** How long a query waits for a connection before failing with DATABASE_UNAVAILABLE. */
    acquireTimeoutMs: number;
    /** How long start-up retries an unreachable database before exiting. */
    startTimeoutMs: number;
  };
}

/** The whole configuration for a list of vendor modules: the base settings and one section each. */
export type GatewayConfig<M extends readonly AnyVendorModule[]> = BaseConfig & VendorSections<M>;

/** The configuration of the gateway's own vendors. */
export type Config = GatewayConfig<VendorModules>;

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Validates the whole environment and reports every problem at once. Messages name the variable
 * and say what is expected; they never repeat the value, which may be a secret.
 */
export function loadConfig(source?: Record<string, string | undefined>): Config;
export function loadConfig<M extends readonly AnyVendorModule[]>(
  source: Record<string, string | undefined> | undefined,
  modules: M,
): GatewayConfig<M>;
export function loadConfig(
  source: Record<string, string | undefined> = process.env,
  modules: readonly AnyVendorModule[] = VENDOR_MODULES,
): GatewayConfig<readonly AnyVendorModule[]> {
  const shape: z.ZodRawShape = { ...BASE_ENV };
  for (const module of modules) {
    for (const name of Object.keys(module.env)) {
      if (name in shape) throw new Error(`${module.name} declares ${name}, which is already taken`);
    }
    Object.assign(shape, module.env);
  }
  const parsed = z.object(shape).safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${String(i.path[0] ?? '(environment)')}: ${i.message}`),
    );
  }
  const all = parsed.data as Record<string, unknown>;
  const env = all as Env;
  const problems: string[] = [];
  const sandboxAllowed = env.NODE_ENV !== 'production' || env.SANDBOX;
  for (const { urlVariable: url, requiredWithUrl } of modules) {
    if (all[url]) {
      for (const name of requiredWithUrl) {
        if (!all[name]) problems.push(`${name}: required when ${url} is set`);
      }
    } else if (!sandboxAllowed) {
      problems.push(
        `${url}: required when NODE_ENV=production (set SANDBOX=true to run this vendor's simulator instead)`,
      );
    }
  }
  if (!env.GATEWAY_SECRET && env.NODE_ENV === 'production' && !env.SANDBOX) {
    problems.push('GATEWAY_SECRET: required when NODE_ENV=production');
  }
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS: must not be more than HTTP_REQUEST_TIMEOUT_MS');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    database: parseDatabaseUrl(env.DATABASE_URL),
    redisUrl: env.REDIS_URL ?? null,
    sandboxAllowed,
    secret: env.GATEWAY_SECRET ?? SANDBOX_SECRET,
    anonymousAllowed: modules.every((m) => !all[m.urlVariable]),
    clients: {
      requestsPerMinute: env.CLIENT_REQUESTS_PER_MINUTE,
      costPerMinute: env.CLIENT_COST_PER_MINUTE,
      keyCacheMs: env.API_KEY_CACHE_MS,
      maxSubscriptions: env.CLIENT_MAX_SUBSCRIPTIONS,
    },
    responseCache: {
      maxEntries: env.RESPONSE_CACHE_MAX_ENTRIES,
      staleSeconds: env.RESPONSE_CACHE_STALE_SECONDS,
    },
    trustedDocuments: env.TRUSTED_DOCUMENTS
      ? { manifest: env.TRUSTED_DOCUMENTS_MANIFEST ?? null }
      : null,
    otp: {
      validitySeconds: env.OTP_VALIDITY_SECONDS,
      maxAttempts: env.OTP_MAX_ATTEMPTS,
      limitPerPhoneHour: env.OTP_LIMIT_PER_PHONE_HOUR,
      limitPerPhone10Min: env.OTP_LIMIT_PER_PHONE_10MIN,
      limitPerClientMinute: env.OTP_LIMIT_PER_CLIENT_MINUTE,
    },
    oaPackages: { limitPerClientHour: env.OA_PURCHASE_LIMIT_PER_CLIENT_HOUR },
    idempotencyTtlHours: env.IDEMPOTENCY_TTL_HOURS,
    verification: {
      validitySeconds: env.VERIFICATION_VALIDITY_SECONDS,
      maxChecks: env.VERIFICATION_MAX_CHECKS,
      maxSends: env.VERIFICATION_MAX_SENDS,
      perPhoneHour: env.VERIFICATION_LIMIT_PER_PHONE_HOUR,
    },
    voice: {
      balanceCacheSeconds: env.VOICE_OTP_BALANCE_CACHE_SECONDS,
      balanceWarn: env.VOICE_OTP_BALANCE_WARN,
      pollMs: env.VOICE_CALL_POLL_MS,
      pollMaxMs: env.VOICE_CALL_POLL_MAX_MS,
      limits: {
        perPhone10Min: env.VOICE_CALLS_PER_PHONE_10MIN,
        perPhoneDay: env.VOICE_CALLS_PER_PHONE_DAY,
        perClientMinute: env.VOICE_CALLS_PER_CLIENT_MINUTE,
        perClientDay: env.VOICE_CALLS_PER_CLIENT_DAY,
      },
      guard: {
        windowSeconds: env.VOICE_GUARD_WINDOW_SECONDS,
        maxUnconverted: env.VOICE_GUARD_MAX_UNCONVERTED,
        cooldownSeconds: env.VOICE_GUARD_COOLDOWN_SECONDS,
      },
    },
    sweeper: { intervalMs: env.SWEEP_INTERVAL_MS, graceMs: env.SWEEP_GRACE_MS },
    http: {
      readRetries: env.VENDOR_READ_RETRIES,
      breakerFailures: env.VENDOR_BREAKER_FAILURES,
      breakerHalfOpenMs: env.VENDOR_BREAKER_HALF_OPEN_MS,
      maxConcurrency: env.VENDOR_MAX_CONCURRENCY,
      maxBodyBytes: env.VENDOR_MAX_BODY_BYTES,
    },
    limits: {
      maxDepth: env.GRAPHQL_MAX_DEPTH,
      maxAliases: env.GRAPHQL_MAX_ALIASES,
      maxTokens: env.GRAPHQL_MAX_TOKENS,
      maxDirectives: env.GRAPHQL_MAX_DIRECTIVES,
      maxCost: env.GRAPHQL_MAX_COST,
      maxBodyBytes: env.MAX_REQUEST_BODY_BYTES,
    },
    exposeIntrospection: env.GRAPHQL_INTROSPECTION ?? env.NODE_ENV !== 'production',
    graphiql: env.GRAPHIQL ?? env.NODE_ENV !== 'production',
    federationSubgraph: env.FEDERATION_SUBGRAPH,
    corsOrigins:
      env.CORS_ORIGINS?.[0] === '*'
        ? '*'
        : (env.CORS_ORIGINS ?? (env.NODE_ENV === 'production' ? [] : '*')),
    redisRequired: env.REDIS_REQUIRED,
    httpServer: {
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
    },
    tracing: {
      endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT ?? null,
      serviceName: env.OTEL_SERVICE_NAME,
      headers: env.OTEL_EXPORTER_OTLP_HEADERS ?? {},
    },
    databasePool: {
      size: env.DATABASE_POOL_SIZE,
      acquireTimeoutMs: env.DATABASE_ACQUIRE_TIMEOUT_MS,
      startTimeoutMs: env.DATABASE_START_TIMEOUT_MS,
    },
    ...Object.fromEntries(modules.map((m) => [m.name, m.section(all)])),
  } as GatewayConfig<readonly AnyVendorModule[]>;
}

function parseDatabaseUrl(url: string | undefined): DatabaseConfig {
  if (!url) return { kind: 'sqlite', path: './data/gateway.sqlite' };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  return { kind: 'sqlite', path: url.replace(/^(file|sqlite):(\/\/)?/, '') };
}
