import { type CatalogPackage, packagesForTelco } from './catalog.js';
import type { PhoneNumber } from './phone.js';
import type { Telco } from './telco-prefixes.js';

/**
 * Which packages a subscriber may buy. The catalog rule below stands until a telco offers its own
 * eligibility API (the MobiFone programme mentions one, undocumented); such a provider implements
 * the same interface and replaces this one in `app.ts`.
 */
export interface EligibilityProvider {
  eligiblePackages(subscriber: PhoneNumber): Promise<CatalogPackage[]>;
}

/** The telcos the dmall partner API sells packages for (`telcoCode`). */
export const DMALL_SELLS: readonly Telco[] = ['VIETTEL', 'MOBIFONE'];

export class CatalogEligibility implements EligibilityProvider {
  async eligiblePackages(subscriber: PhoneNumber): Promise<CatalogPackage[]> {
    return DMALL_SELLS.includes(subscriber.telco) ? packagesForTelco(subscriber.telco) : [];
  }
}
