import { type Config, loadConfig } from '../../src/config.js';

/** A valid config for tests, from an environment-shaped record (nothing read from process.env). */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    ...env,
  });
}
