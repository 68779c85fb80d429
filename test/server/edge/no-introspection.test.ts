import { describe, expect, it } from 'vitest';
import { startTestGateway } from '../../helpers/gateway.js';

/** Production shows a stranger no map of the schema: no `__schema`, no `__type`. */

describe('NODE_ENV=production', () => {
  it('hides introspection', async () => {
    const t = await startTestGateway({ NODE_ENV: 'production', SANDBOX: 'true' });
    try {
      const intro = await t.graphql('{ __schema { types { name } } }');
      expect(intro.data).toBeUndefined();
      expect(intro.errors![0]!.message).toMatch(/introspection/i);
      const type = await t.graphql('{ __type(name: "Order") { fields { name } } }');
      expect(type.data).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('shows it again when configured on', async () => {
    const t = await startTestGateway({
      NODE_ENV: 'production',
      SANDBOX: 'true',
      GRAPHQL_INTROSPECTION: 'true',
    });
    try {
      const intro = await t.graphql<{ __schema: { types: unknown[] } }>(
        '{ __schema { types { name } } }',
      );
      expect(intro.errors).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
