import pino from 'pino';
import type { Config } from '../../src/config.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway.js';
import { testConfig } from './config.js';
import { sqliteDatabase, type TestDatabase } from './db.js';

export interface TestGateway {
  gateway: Gateway;
  config: Config;
  /**
   * POSTs a GraphQL operation through `yoga.fetch`, in process. It asks for English messages
   * (`Accept-Language: en`), which the tests that check wording assert; a header given here
   * replaces it (the default language, Vietnamese, is what a request without one gets:
   * test/languages.e2e.test.ts).
   */
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{
    data?: T;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  }>;
  close(): Promise<void>;
}

export async function startTestGateway(
  env: Record<string, string> = {},
  database: TestDatabase = sqliteDatabase(),
  options: Partial<GatewayOptions> = {},
): Promise<TestGateway> {
  const config = testConfig(env);
  const gateway = await createGateway(config, {
    logger: pino({ level: 'silent' }),
    db: database.database,
    ...options,
  });
  return {
    gateway,
    config,
    async graphql(query, variables, headers) {
      const res = await gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-language': 'en', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return res.json();
    },
    async close() {
      await gateway.close();
      await database.dispose();
    },
  };
}

/** Runs `use` on a gateway started for it, closed after whatever `use` does. */
export async function withTestGateway<T>(
  env: Record<string, string>,
  use: (t: TestGateway) => Promise<T>,
): Promise<T> {
  const t = await startTestGateway(env);
  try {
    return await use(t);
  } finally {
    await t.close();
  }
}
