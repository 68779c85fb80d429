import { CatalogEligibility } from '../../src/domain/eligibility.js';
import { dmallSells } from '../../src/vendors/dmall/client.js';

/**
 * What the throughput query's resolvers read from the context (`eligiblePackages` asks the
 * eligibility provider): the same rule the gateway uses, and nothing else.
 */
export function armContext() {
  return { eligibility: new CatalogEligibility(dmallSells) };
}

export function port(): number {
  return Number(process.env.PORT ?? 0);
}
