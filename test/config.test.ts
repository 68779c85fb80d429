import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults: port 4000, SQLite under ./data, every vendor in sandbox', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.database).toEqual({ kind: 'sqlite', path: './data/gateway.sqlite' });
    expect(config.redisUrl).toBeNull();
    expect(config.dmall.baseUrl).toBeNull();
    expect(config.sandboxAllowed).toBe(true);
    expect(config.otp.validitySeconds).toBe(600);
  });

  it('reports every problem at once, naming each variable', () => {
    const problems = problemsOf({ PORT: 'abc', DMALL_BASE_URL: 'not-a-url', LOG_LEVEL: 'loud' });
    expect(problems).toHaveLength(3);
    expect(problems.some((p) => p.startsWith('PORT:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('DMALL_BASE_URL:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('LOG_LEVEL:'))).toBe(true);
  });

  it('refuses a limit of 0 that would refuse every OTP or purchase, naming each variable', () => {
    const zero = [
      'OTP_VALIDITY_SECONDS',
      'OTP_MAX_ATTEMPTS',
      'OTP_LIMIT_PER_PHONE_HOUR',
      'OTP_LIMIT_PER_PHONE_10MIN',
      'OTP_LIMIT_PER_CLIENT_MINUTE',
      'OA_PURCHASE_LIMIT_PER_CLIENT_HOUR',
    ];
    expect(problemsOf(Object.fromEntries(zero.map((name) => [name, '0'])))).toEqual(
      zero.map((name) => `${name}: must be 1 or more`),
    );
  });

  it('never echoes a value, which may be a secret', () => {
    const problems = problemsOf({ DMALL_BASE_URL: 'ftp://s3cr3t-host', DMALL_TIMEOUT_MS: 'xyz' });
    expect(problems.join('\n')).not.toContain('s3cr3t');
    expect(problems.join('\n')).not.toContain('xyz');
  });

  it('requires credentials once a vendor points at a real URL', () => {
    const problems = problemsOf({ DMALL_BASE_URL: 'https://api.dmall.com.vn' });
    expect(problems).toEqual(['DMALL_API_KEY: required when DMALL_BASE_URL is set']);
    const config = loadConfig({ DMALL_BASE_URL: 'https://api.dmall.com.vn/', DMALL_API_KEY: 'k' });
    expect(config.dmall).toMatchObject({ baseUrl: 'https://api.dmall.com.vn', apiKey: 'k' });
  });

  it('refuses to start production with a vendor unset, unless SANDBOX=true', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual([
      expect.stringMatching(/^DMALL_BASE_URL: required when NODE_ENV=production/),
      expect.stringMatching(/^VASCLOUD_BASE_URL: /),
      expect.stringMatching(/^VOICE_OTP_BASE_URL: /),
      expect.stringMatching(/^ESMS_BASE_URL: /),
      'GATEWAY_SECRET: required when NODE_ENV=production',
    ]);
    expect(loadConfig({ NODE_ENV: 'production', SANDBOX: 'true' }).sandboxAllowed).toBe(true);
  });

  it('reads DATABASE_URL as PostgreSQL or a SQLite path', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h:5432/db',
    });
    expect(loadConfig({ DATABASE_URL: 'file:/tmp/x.sqlite' }).database).toEqual({
      kind: 'sqlite',
      path: '/tmp/x.sqlite',
    });
    expect(problemsOf({ DATABASE_URL: 'mysql://h/db' })).toEqual([
      expect.stringMatching(/^DATABASE_URL: /),
    ]);
  });

  it('validates REDIS_URL and per-vendor timeouts', () => {
    expect(problemsOf({ REDIS_URL: 'http://x', VOICE_OTP_TIMEOUT_MS: '0' })).toEqual([
      expect.stringMatching(/^REDIS_URL: /),
      expect.stringMatching(/^VOICE_OTP_TIMEOUT_MS: /),
    ]);
    expect(loadConfig({ ESMS_TIMEOUT_MS: '2500' }).esms.timeoutMs).toBe(2500);
  });
});
