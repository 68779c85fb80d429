import type { CacheExchangeOpts } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import config from '../schema/client-config.json' with { type: 'json' };
import introspection from '../schema/introspection.json' with { type: 'json' };

/**
 * urql graphcache config for this gateway, derived from `schema/client-config.json` (which
 * `npm run schema` writes from the schema):
 *
 *   cacheExchange(gatewayGraphcacheConfig())
 *
 * - `schema`: the introspection (`schema/introspection.json`), so fragments on `Error`, `Node`
 *   and the result unions match exactly, on reads and on writes (with `possibleTypes` alone,
 *   graphcache still walks every fragment of a mutation result when writing and warns about the
 *   fields of the ones that do not apply).
 * - `keys`: types without an `id` are embedded in their parent (`() => null`), so graphcache does
 *   not warn "Invalid key" for them.
 * - `resolvers`: every connection field pages with `relayPagination()`: a page fetched with
 *   `after:` is merged into the list with the same other arguments.
 */
export function gatewayGraphcacheConfig(): Partial<CacheExchangeOpts> {
  const keys: NonNullable<CacheExchangeOpts['keys']> = {};
  for (const type of config.embeddedTypes) keys[type] = () => null;
  const resolvers: NonNullable<CacheExchangeOpts['resolvers']> = {};
  for (const { type, field } of config.paginatedFields) {
    resolvers[type] = { ...resolvers[type], [field]: relayPagination() };
  }
  return { schema: introspection as CacheExchangeOpts['schema'], keys, resolvers };
}
