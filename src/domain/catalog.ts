import type { Telco } from './telco-prefixes.js';

/** A package the gateway can sell, as the vendor documents describe it. */
export interface CatalogPackage {
  /** The code the vendor expects in `productCode`. */
  readonly code: string;
  readonly telco: Telco;
  readonly name: string;
  /** VND including VAT; null where the documents give no price. */
  readonly priceVnd: number | null;
  /** Length of one billing cycle in days; null where the documents do not say. */
  readonly cycleDays: number | null;
  /** The benefits as the documents list them; empty where they list none. */
  readonly benefits: readonly string[];
  readonly description: string;
  /** The document this entry is taken from. */
  readonly source: string;
}

const C120_BENEFITS = [
  '4 GB of high-speed data a day',
  'Free on-net calls under 20 minutes each',
  '50 free off-net minutes',
] as const;

/** A Viettel product code of the dmall document, which says nothing else about it. */
function dmallViettelPackage(code: string): CatalogPackage {
  return {
    code,
    telco: 'VIETTEL',
    name: code,
    priceVnd: null,
    cycleDays: null,
    benefits: [],
    description:
      'Viettel package sold through the dmall partner API. The partner document gives its code only: price, cycle and benefits are set by Viettel.',
    source: 'dmall-partner-otp',
  };
}

/**
 * The catalog, kept as data. MobiFone entries come from the retail programme document; the Viettel
 * entries are the product codes in the dmall document, which gives no price, cycle or benefits.
 */
export const CATALOG: readonly CatalogPackage[] = [
  {
    code: 'C120',
    telco: 'MOBIFONE',
    name: 'C120',
    priceVnd: 120_000,
    cycleDays: 30,
    benefits: C120_BENEFITS,
    description:
      'MobiFone prepaid, 30-day cycle. Benefits start as soon as registration succeeds; MobiFone renews automatically when the main account holds enough money.',
    source: 'mobifone-retail-programme',
  },
  {
    code: '3C120',
    telco: 'MOBIFONE',
    name: '3C120',
    priceVnd: 360_000,
    cycleDays: 90,
    benefits: [...C120_BENEFITS, 'Benefits reset every 30 days'],
    description:
      'MobiFone prepaid, 90-day cycle with the C120 benefits reset every 30 days. Renews automatically when the main account holds enough money.',
    source: 'mobifone-retail-programme',
  },
  {
    code: '6C120',
    telco: 'MOBIFONE',
    name: '6C120',
    priceVnd: 720_000,
    cycleDays: 180,
    benefits: [...C120_BENEFITS, 'Benefits reset every 30 days'],
    description:
      'MobiFone prepaid, 180-day cycle with the C120 benefits reset every 30 days. Renews automatically when the main account holds enough money.',
    source: 'mobifone-retail-programme',
  },
  dmallViettelPackage('MP5X'),
  dmallViettelPackage('V200B'),
];

export function findPackage(code: string): CatalogPackage | undefined {
  const wanted = code.trim().toUpperCase();
  return CATALOG.find((p) => p.code === wanted);
}

export function packagesForTelco(telco?: Telco | null): CatalogPackage[] {
  return telco ? CATALOG.filter((p) => p.telco === telco) : [...CATALOG];
}
