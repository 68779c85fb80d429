import { describe, expect, it } from 'vitest';
import { withTestGateway } from '../../helpers/gateway.js';

/** Production shows a stranger no map of the schema: no "Did you mean ...?". */

const PRODUCTION = { NODE_ENV: 'production', SANDBOX: 'true' };

describe('NODE_ENV=production', () => {
  it('hides suggestions', () =>
    withTestGateway(PRODUCTION, async (t) => {
      const typo = await t.graphql('{ packagez(telco: MOBIFONE) { code } }');
      expect(typo.errors).toHaveLength(1);
      expect(typo.errors![0]!.message).not.toContain('Did you mean');
      expect(typo.errors![0]!.message).not.toContain('packages');
      const badEnum = await t.graphql('{ packages(telco: MOBIFONEE) { code } }');
      expect(JSON.stringify(badEnum.errors)).not.toContain('Did you mean');
    }));

  it('shows them again when introspection is configured on', () =>
    withTestGateway({ ...PRODUCTION, GRAPHQL_INTROSPECTION: 'true' }, async (t) => {
      const typo = await t.graphql('{ packagez { code } }');
      expect(typo.errors![0]!.message).toContain('Did you mean');
    }));
});
