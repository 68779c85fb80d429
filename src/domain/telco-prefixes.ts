/**
 * Vietnamese mobile prefixes (the digits after the national `0`, or after `84`), by carrier.
 *
 * Source: libphonenumber's carrier data for +84 (`resources/carrier/en/84.txt`) after the 2018
 * renumbering of 11-digit numbers. The longest matching prefix wins, so `99` entries list their
 * three-digit blocks. 71-75 and 992 (VSAT) are not mobile carriers we sell to and stay UNKNOWN.
 */
export const TELCO_PREFIXES = {
  VIETTEL: ['32', '33', '34', '35', '36', '37', '38', '39', '86', '96', '97', '98'],
  MOBIFONE: ['70', '76', '77', '78', '79', '89', '90', '93'],
  VINAPHONE: ['81', '82', '83', '84', '85', '88', '91', '94'],
  VIETNAMOBILE: ['52', '56', '58', '92'],
  GMOBILE: ['59', '993', '994', '995', '996', '997'],
  ITEL: ['87', '998', '999'],
  REDDI: ['55'],
} as const;

/** The carriers with prefixes above, in that order. */
export const KNOWN_TELCOS = Object.keys(TELCO_PREFIXES) as ReadonlyArray<
  keyof typeof TELCO_PREFIXES
>;

/** The carrier of a number: one of those above, or UNKNOWN (no prefix of theirs). */
export type Telco = (typeof KNOWN_TELCOS)[number] | 'UNKNOWN';
export const TELCOS: readonly Telco[] = [...KNOWN_TELCOS, 'UNKNOWN'];
