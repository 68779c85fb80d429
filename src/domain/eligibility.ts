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

/** Catalog packages of the carriers the selling vendor serves (dmall's list, from its module). */
export class CatalogEligibility implements EligibilityProvider {
  constructor(private readonly sells: (telco: Telco) => boolean) {}

  async eligiblePackages(subscriber: PhoneNumber): Promise<CatalogPackage[]> {
    return this.sells(subscriber.telco) ? packagesForTelco(subscriber.telco) : [];
  }
}
