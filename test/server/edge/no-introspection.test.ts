import { describe, expect, it } from 'vitest';
import { withTestGateway } from '../../helpers/gateway.js';

/**
 * Production shows a stranger no map of the schema: no `__schema`, no `__type`, and no
 * federation `_service { sdl }` (a supergraph composes from schema/subgraph.graphql instead).
 */

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

  it('hides the federation subgraph’s SDL too, and still resolves its entities', () =>
    withTestGateway({ ...PRODUCTION, FEDERATION_SUBGRAPH: 'true' }, async (t) => {
      const service = await t.graphql('{ _service { sdl } }');
      expect(service.data).toBeUndefined();
      // In Vietnamese by default (README "Languages"), naming the field and the file to use.
      expect(service.errors![0]!.message).toMatch(/Introspection .*"_service".*subgraph\.graphql/);
      expect(service.errors![0]!.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const entities = await t.graphql(
        'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Package { code } } }',
        { r: [{ __typename: 'Package', id: btoa('Package:MOBIFONE:C120') }] },
      );
      expect(entities).toEqual({ data: { _entities: [{ code: 'C120' }] } });
    }));

  it('shows it again when configured on', () =>
    withTestGateway({ ...PRODUCTION, GRAPHQL_INTROSPECTION: 'true' }, async (t) => {
      const intro = await t.graphql<{ __schema: { types: unknown[] } }>(
        '{ __schema { types { name } } }',
      );
      expect(intro.errors).toBeUndefined();
    }));

  it('serves `_service` again when introspection is configured on', () =>
    withTestGateway(
      { ...PRODUCTION, GRAPHQL_INTROSPECTION: 'true', FEDERATION_SUBGRAPH: 'true' },
      async (t) => {
        const service = await t.graphql<{ _service: { sdl: string } }>('{ _service { sdl } }');
        expect(service.data?._service.sdl).toMatch(/^extend schema @link/);
      },
    ));
});
