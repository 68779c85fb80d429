import { describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.js';

/** Production shows a stranger no map of the schema. */

describe('NODE_ENV=production', () => {
  it('hides suggestions, introspection and GraphiQL', async () => {
    const t = await startTestGateway({ NODE_ENV: 'production', SANDBOX: 'true' });
    try {
      const typo = await t.graphql('{ packagez(telco: MOBIFONE) { code } }');
      expect(typo.errors).toHaveLength(1);
      expect(typo.errors![0]!.message).not.toContain('Did you mean');
      expect(typo.errors![0]!.message).not.toContain('packages');
      const badEnum = await t.graphql('{ packages(telco: MOBIFONEE) { code } }');
      expect(JSON.stringify(badEnum.errors)).not.toContain('Did you mean');

      const intro = await t.graphql('{ __schema { types { name } } }');
      expect(intro.data).toBeUndefined();
      expect(intro.errors![0]!.message).toMatch(/introspection/i);
      const type = await t.graphql('{ __type(name: "Order") { fields { name } } }');
      expect(type.data).toBeUndefined();

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

  it('shows them again when configured on', async () => {
    const t = await startTestGateway({
      NODE_ENV: 'production',
      SANDBOX: 'true',
      GRAPHQL_INTROSPECTION: 'true',
      GRAPHIQL: 'true',
    });
    try {
      const intro = await t.graphql<{ __schema: { types: unknown[] } }>(
        '{ __schema { types { name } } }',
      );
      expect(intro.errors).toBeUndefined();
      const typo = await t.graphql('{ packagez { code } }');
      expect(typo.errors![0]!.message).toContain('Did you mean');
      const page = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
        headers: { accept: 'text/html' },
      });
      expect(await page.text()).toContain('<script defer src="/graphiql/graphiql.');
    } finally {
      await t.close();
    }
  });
});
