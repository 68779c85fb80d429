import { describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.js';

/**
 * Production shows a stranger no map of the schema: no GraphiQL here; no suggestions and no
 * introspection in test/server/edge/no-suggestions.test.ts and no-introspection.test.ts.
 */

describe('NODE_ENV=production', () => {
  it('hides GraphiQL', async () => {
    const t = await startTestGateway({ NODE_ENV: 'production', SANDBOX: 'true' });
    try {
      const page = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
        headers: { accept: 'text/html' },
      });
      expect(await page.text()).not.toContain('/graphiql/');
      const asset = await t.gateway.yoga.fetch('http://gateway.test/graphiql/anything.js');
      expect(asset.status).not.toBe(200);
    } finally {
      await t.close();
    }
  });

  it('shows it again when configured on', async () => {
    const t = await startTestGateway({
      NODE_ENV: 'production',
      SANDBOX: 'true',
      GRAPHQL_INTROSPECTION: 'true',
      GRAPHIQL: 'true',
    });
    try {
      const page = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
        headers: { accept: 'text/html' },
      });
      expect(await page.text()).toContain('<script defer src="/graphiql/graphiql.');
    } finally {
      await t.close();
    }
  });
});
