import { describe, expect, it } from 'vitest';
import { withTestGateway } from '../../helpers/gateway.js';

/** Production shows a stranger no map of the schema: no `__schema`, no `__type`. */

const PRODUCTION = { NODE_ENV: 'production', SANDBOX: 'true' };

describe('NODE_ENV=production', () => {
  it('hides introspection', () =>
    withTestGateway(PRODUCTION, async (t) => {
      const intro = await t.graphql('{ __schema { types { name } } }');
      expect(intro.data).toBeUndefined();
      expect(intro.errors![0]!.message).toMatch(/introspection/i);
      const type = await t.graphql('{ __type(name: "Order") { fields { name } } }');
      expect(type.data).toBeUndefined();
    }));

  it('shows it again when configured on', () =>
    withTestGateway({ ...PRODUCTION, GRAPHQL_INTROSPECTION: 'true' }, async (t) => {
      const intro = await t.graphql<{ __schema: { types: unknown[] } }>(
        '{ __schema { types { name } } }',
      );
      expect(intro.errors).toBeUndefined();
    }));
});
