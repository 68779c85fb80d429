import { describe, expect, it } from 'vitest';
import { type TestGateway, withTestGateway } from '../helpers/gateway.js';

/**
 * Production shows a stranger no map of the schema: no GraphiQL here; no suggestions and no
 * introspection in test/server/edge/no-suggestions.test.ts and no-introspection.test.ts.
 */

const PRODUCTION = { NODE_ENV: 'production', SANDBOX: 'true' };
const htmlPage = (t: TestGateway) =>
  t.gateway.yoga.fetch('http://gateway.test/graphql', { headers: { accept: 'text/html' } });

describe('NODE_ENV=production', () => {
  it('hides GraphiQL', () =>
    withTestGateway(PRODUCTION, async (t) => {
      expect(await (await htmlPage(t)).text()).not.toContain('/graphiql/');
      const asset = await t.gateway.yoga.fetch('http://gateway.test/graphiql/anything.js');
      expect(asset.status).not.toBe(200);
    }));

  it('shows it again when configured on', () =>
    withTestGateway(
      { ...PRODUCTION, GRAPHQL_INTROSPECTION: 'true', GRAPHIQL: 'true' },
      async (t) => {
        expect(await (await htmlPage(t)).text()).toContain(
          '<script defer src="/graphiql/graphiql.',
        );
      },
    ));
});
