import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('edge configuration', () => {
  it('defaults: limits, open CORS and introspection outside production', () => {
    const config = loadConfig({});
    expect(config.limits).toEqual({
      maxDepth: 10,
      maxAliases: 15,
      maxTokens: 1000,
      maxDirectives: 20,
      maxCost: 25_000,
      maxBodyBytes: 262_144,
    });
    expect(config.corsOrigins).toBe('*');
    expect(config.exposeIntrospection).toBe(true);
    expect(config.graphiql).toBe(true);
    expect(config.redisRequired).toBe(false);
    expect(config.databasePool).toEqual({
      size: 10,
      acquireTimeoutMs: 3_000,
      startTimeoutMs: 60_000,
    });
    expect(config.httpServer).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 });
  });

  it('reads the HTTP timeouts, headers at most the whole request', () => {
    expect(
      loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '300', HTTP_REQUEST_TIMEOUT_MS: '600' }).httpServer,
    ).toEqual({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(
      problems({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' }),
    ).toEqual(['HTTP_HEADERS_TIMEOUT_MS: must not be more than HTTP_REQUEST_TIMEOUT_MS']);
    expect(problems({ HTTP_HEADERS_TIMEOUT_MS: '0', HTTP_REQUEST_TIMEOUT_MS: 'soon' })).toEqual([
      'HTTP_HEADERS_TIMEOUT_MS: must be positive',
      'HTTP_REQUEST_TIMEOUT_MS: must be a number of milliseconds',
    ]);
  });

  it('production: no CORS origin, no introspection, no GraphiQL unless configured', () => {
    const prod = loadConfig({ NODE_ENV: 'production', SANDBOX: 'true' });
    expect(prod.corsOrigins).toEqual([]);
    expect(prod.exposeIntrospection).toBe(false);
    expect(prod.graphiql).toBe(false);
    const on = loadConfig({
      NODE_ENV: 'production',
      SANDBOX: 'true',
      CORS_ORIGINS: 'https://shop.example.vn, https://pos.example.vn:8443/',
      GRAPHQL_INTROSPECTION: 'true',
      GRAPHIQL: '1',
    });
    expect(on.corsOrigins).toEqual(['https://shop.example.vn', 'https://pos.example.vn:8443']);
    expect(on.exposeIntrospection).toBe(true);
    expect(on.graphiql).toBe(true);
  });

  it('names each bad variable, never its value', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({
        CORS_ORIGINS: 'ftp://files.internal/path',
        GRAPHQL_MAX_DEPTH: '0',
        DATABASE_POOL_SIZE: 'many',
        REDIS_REQUIRED: 'yes',
      });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'CORS_ORIGINS',
      'DATABASE_POOL_SIZE',
      'GRAPHQL_MAX_DEPTH',
      'REDIS_REQUIRED',
    ]);
    expect(error!.message).not.toContain('files.internal');
  });
});
