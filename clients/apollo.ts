import type { InMemoryCacheConfig, TypePolicies } from '@apollo/client/core';
import { relayStylePagination } from '@apollo/client/utilities';
import config from '../schema/client-config.json' with { type: 'json' };

/**
 * Apollo Client 3 (web) cache config for this gateway, derived from `schema/client-config.json`
 * (which `npm run schema` writes from the schema):
 *
 *   new InMemoryCache(gatewayCacheConfig())
 *
 * - `possibleTypes`: fragments on `Error`, `Node` and the result unions match exactly.
 * - Types without an `id` (payloads, errors, events, edges) are stored inside their parent
 *   (`keyFields: false`), so two of them are never merged.
 * - Every connection field pages with `relayStylePagination(keyArgs)`: `fetchMore({ variables:
 *   { after: pageInfo.endCursor } })` appends to the list that has the same filter.
 *
 * Apollo Kotlin and Apollo iOS read `possibleTypes` from the schema at build time; they need only
 * the pagination part (see README "Clients").
 */
export function gatewayCacheConfig(): InMemoryCacheConfig {
  const typePolicies: TypePolicies = {};
  for (const type of config.embeddedTypes) typePolicies[type] = { keyFields: false };
  for (const { type, field, keyArgs } of config.paginatedFields) {
    const policy = typePolicies[type] ?? {};
    policy.fields = { ...policy.fields, [field]: relayStylePagination(keyArgs) };
    typePolicies[type] = policy;
  }
  return { possibleTypes: config.possibleTypes, typePolicies };
}
