import { z } from 'zod';

/**
 * The only module that reads the environment. Everything else takes a `Config` (or a slice of it),
 * so tests build configs by hand and nothing depends on the process it runs in.
 */

const VENDORS = ['dmall', 'vascloud', 'voiceOtp', 'esms'] as const;
export type VendorName = (typeof VENDORS)[number];

const port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be 0 to 65535')
  .max(65535, 'must be 0 to 65535');
const ms = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .positive('must be positive')
    .max(600_000, 'must be at most 600000 (10 minutes)')
    .default(fallback);
const count = (fallback: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .max(max, `must be at most ${max}`)
    .default(fallback);
const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .transform((u) => u.replace(/\/+$/, ''));
const optionalUrl = z.preprocess(emptyToUndefined, httpUrl.optional());
const secret = z.preprocess(emptyToUndefined, z.string().min(1).optional());
const bool = z.preprocess(
  emptyToUndefined,
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .optional()
    .transform((v) => v === 'true' || v === '1'),
);

/** Unset stays unset, so a default can depend on NODE_ENV. */
const optionalBool = z.preprocess(
  emptyToUndefined,
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
);
const limit = (fallback: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be 1 or more')
    .max(max, `must be at most ${max}`)
    .default(fallback);
const ORIGIN = /^https?:\/\/[^/?#\s,]+$/;
const corsOrigins = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .transform((v) => v.split(',').map((o) => o.trim().replace(/\/+$/, '')))
    .refine((list) => (list.length === 1 && list[0] === '*') || list.every((o) => ORIGIN.test(o)), {
      message: 'must be * or a comma-separated list of origins such as https://shop.example.vn',
    })
    .optional(),
);

function emptyToUndefined(v: unknown) {
  return typeof v === 'string' && v.trim() === '' ? undefined : v;
}

const EnvSchema = z.object({
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
  OTP_VALIDITY_SECONDS: z.preprocess(emptyToUndefined, count(600, 86_400)),
  OTP_MAX_ATTEMPTS: z.preprocess(emptyToUndefined, count(5, 20)),
  OTP_LIMIT_PER_PHONE_HOUR: z.preprocess(emptyToUndefined, count(5, 1000)),
  OTP_LIMIT_PER_PHONE_10MIN: z.preprocess(emptyToUndefined, count(3, 1000)),
  OTP_LIMIT_PER_CLIENT_MINUTE: z.preprocess(emptyToUndefined, count(30, 100_000)),
  IDEMPOTENCY_TTL_HOURS: z.preprocess(emptyToUndefined, count(24, 24 * 30)),
  VENDOR_READ_RETRIES: z.preprocess(emptyToUndefined, count(2, 5)),
  VENDOR_BREAKER_FAILURES: z.preprocess(emptyToUndefined, count(5, 1000)),
  VENDOR_BREAKER_HALF_OPEN_MS: z.preprocess(emptyToUndefined, ms(30_000)),
  VENDOR_MAX_CONCURRENCY: z.preprocess(emptyToUndefined, count(20, 1000)),
  VENDOR_MAX_BODY_BYTES: z.preprocess(emptyToUndefined, count(1_048_576, 64 * 1_048_576)),

  DMALL_BASE_URL: optionalUrl,
  DMALL_API_KEY: secret,
  DMALL_TIMEOUT_MS: z.preprocess(emptyToUndefined, ms(15_000)),

  VASCLOUD_BASE_URL: optionalUrl,
  VASCLOUD_CP_URL: optionalUrl,
  VASCLOUD_TIMEOUT_MS: z.preprocess(emptyToUndefined, ms(10_000)),

  VOICE_OTP_BASE_URL: optionalUrl,
  VOICE_OTP_USERNAME: secret,
  VOICE_OTP_PASSWORD: secret,
  VOICE_OTP_KEY: secret,
  VOICE_OTP_SENDER: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  VOICE_OTP_TIMEOUT_MS: z.preprocess(emptyToUndefined, ms(15_000)),

  ESMS_BASE_URL: optionalUrl,
  ESMS_API_KEY: secret,
  ESMS_SECRET_KEY: secret,
  ESMS_TIMEOUT_MS: z.preprocess(emptyToUndefined, ms(15_000)),

  // The edge (README "Limits and browsers"): what a request may ask before anything runs, which
  // browsers may call, what readiness requires, and how the database pool is sized.
  GRAPHQL_MAX_DEPTH: z.preprocess(emptyToUndefined, limit(10, 100)),
  GRAPHQL_MAX_ALIASES: z.preprocess(emptyToUndefined, limit(15, 1000)),
  GRAPHQL_MAX_TOKENS: z.preprocess(emptyToUndefined, limit(1000, 100_000)),
  GRAPHQL_MAX_DIRECTIVES: z.preprocess(emptyToUndefined, limit(20, 1000)),
  GRAPHQL_MAX_COST: z.preprocess(emptyToUndefined, limit(10_000, 10_000_000)),
  MAX_REQUEST_BODY_BYTES: z.preprocess(emptyToUndefined, limit(262_144, 16 * 1_048_576)),
  GRAPHQL_INTROSPECTION: optionalBool,
  GRAPHIQL: optionalBool,
  CORS_ORIGINS: corsOrigins,
  REDIS_REQUIRED: bool,
  DATABASE_POOL_SIZE: z.preprocess(emptyToUndefined, limit(10, 1000)),
  DATABASE_ACQUIRE_TIMEOUT_MS: z.preprocess(emptyToUndefined, ms(3_000)),
  DATABASE_START_TIMEOUT_MS: z.preprocess(emptyToUndefined, ms(60_000)),
});

type Env = z.infer<typeof EnvSchema>;

/** The credentials each vendor needs once its base URL points at a real vendor. */
const VENDOR_ENV: Record<VendorName, { url: keyof Env; required: (keyof Env)[] }> = {
  dmall: { url: 'DMALL_BASE_URL', required: ['DMALL_API_KEY'] },
  vascloud: { url: 'VASCLOUD_BASE_URL', required: ['VASCLOUD_CP_URL'] },
  voiceOtp: {
    url: 'VOICE_OTP_BASE_URL',
    required: ['VOICE_OTP_USERNAME', 'VOICE_OTP_PASSWORD', 'VOICE_OTP_KEY', 'VOICE_OTP_SENDER'],
  },
  esms: { url: 'ESMS_BASE_URL', required: ['ESMS_API_KEY', 'ESMS_SECRET_KEY'] },
};

export type DatabaseConfig = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export interface VendorConfig {
  /** Null: the vendor runs as an in-process simulator (sandbox). */
  baseUrl: string | null;
  timeoutMs: number;
}

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  logLevel: Env['LOG_LEVEL'];
  database: DatabaseConfig;
  redisUrl: string | null;
  sandboxAllowed: boolean;
  otp: {
    validitySeconds: number;
    maxAttempts: number;
    limitPerPhoneHour: number;
    limitPerPhone10Min: number;
    limitPerClientMinute: number;
  };
  idempotencyTtlHours: number;
  http: {
    readRetries: number;
    breakerFailures: number;
    breakerHalfOpenMs: number;
    maxConcurrency: number;
    maxBodyBytes: number;
  };
  dmall: VendorConfig & { apiKey: string | null };
  vascloud: VendorConfig & { cpUrl: string | null };
  voiceOtp: VendorConfig & {
    username: string | null;
    password: string | null;
    key: string | null;
    sender: string | null;
  };
  esms: VendorConfig & { apiKey: string | null; secretKey: string | null };

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
  /** Origins browsers may call from; `*` (no credentials) or a list; empty allows none. */
  corsOrigins: '*' | string[];
  /** When true, Redis unreachable makes /readyz 503; otherwise the gateway reports degraded. */
  redisRequired: boolean;
  databasePool: {
    size: number;
    /** How long a query waits for a connection before failing with DATABASE_UNAVAILABLE. */
    acquireTimeoutMs: number;
    /** How long start-up retries an unreachable database before exiting. */
    startTimeoutMs: number;
  };
}

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
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${String(i.path[0] ?? '(environment)')}: ${i.message}`),
    );
  }
  const env = parsed.data;
  const problems: string[] = [];
  const sandboxAllowed = env.NODE_ENV !== 'production' || env.SANDBOX;
  for (const { url, required } of Object.values(VENDOR_ENV)) {
    if (env[url]) {
      for (const name of required) {
        if (!env[name]) problems.push(`${name}: required when ${url} is set`);
      }
    } else if (!sandboxAllowed) {
      problems.push(
        `${url}: required when NODE_ENV=production (set SANDBOX=true to run this vendor's simulator instead)`,
      );
    }
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
    otp: {
      validitySeconds: env.OTP_VALIDITY_SECONDS,
      maxAttempts: env.OTP_MAX_ATTEMPTS,
      limitPerPhoneHour: env.OTP_LIMIT_PER_PHONE_HOUR,
      limitPerPhone10Min: env.OTP_LIMIT_PER_PHONE_10MIN,
      limitPerClientMinute: env.OTP_LIMIT_PER_CLIENT_MINUTE,
    },
    idempotencyTtlHours: env.IDEMPOTENCY_TTL_HOURS,
    http: {
      readRetries: env.VENDOR_READ_RETRIES,
      breakerFailures: env.VENDOR_BREAKER_FAILURES,
      breakerHalfOpenMs: env.VENDOR_BREAKER_HALF_OPEN_MS,
      maxConcurrency: env.VENDOR_MAX_CONCURRENCY,
      maxBodyBytes: env.VENDOR_MAX_BODY_BYTES,
    },
    dmall: {
      baseUrl: env.DMALL_BASE_URL ?? null,
      timeoutMs: env.DMALL_TIMEOUT_MS,
      apiKey: env.DMALL_API_KEY ?? null,
    },
    vascloud: {
      baseUrl: env.VASCLOUD_BASE_URL ?? null,
      timeoutMs: env.VASCLOUD_TIMEOUT_MS,
      cpUrl: env.VASCLOUD_CP_URL ?? null,
    },
    voiceOtp: {
      baseUrl: env.VOICE_OTP_BASE_URL ?? null,
      timeoutMs: env.VOICE_OTP_TIMEOUT_MS,
      username: env.VOICE_OTP_USERNAME ?? null,
      password: env.VOICE_OTP_PASSWORD ?? null,
      key: env.VOICE_OTP_KEY ?? null,
      sender: env.VOICE_OTP_SENDER ?? null,
    },
    esms: {
      baseUrl: env.ESMS_BASE_URL ?? null,
      timeoutMs: env.ESMS_TIMEOUT_MS,
      apiKey: env.ESMS_API_KEY ?? null,
      secretKey: env.ESMS_SECRET_KEY ?? null,
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
    corsOrigins:
      env.CORS_ORIGINS?.[0] === '*'
        ? '*'
        : (env.CORS_ORIGINS ?? (env.NODE_ENV === 'production' ? [] : '*')),
    redisRequired: env.REDIS_REQUIRED,
    databasePool: {
      size: env.DATABASE_POOL_SIZE,
      acquireTimeoutMs: env.DATABASE_ACQUIRE_TIMEOUT_MS,
      startTimeoutMs: env.DATABASE_START_TIMEOUT_MS,
    },
  };
}

function parseDatabaseUrl(url: string | undefined): DatabaseConfig {
  if (!url) return { kind: 'sqlite', path: './data/gateway.sqlite' };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  return { kind: 'sqlite', path: url.replace(/^(file|sqlite):(\/\/)?/, '') };
}
