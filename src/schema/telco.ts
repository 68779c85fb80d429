import { TELCOS } from '../domain/telco-prefixes.js';
import { builder } from './builder.js';
import { describedValues } from './enum-values.js';

const DESCRIPTIONS: Record<(typeof TELCOS)[number], string> = {
  VIETTEL: 'Viettel Mobile.',
  MOBIFONE: 'MobiFone.',
  VINAPHONE: 'VinaPhone (VNPT).',
  VIETNAMOBILE: 'Vietnamobile.',
  GMOBILE: 'Gmobile.',
  ITEL: 'iTel (Indochina Telecom).',
  REDDI: 'Reddi (Mobicast).',
  UNKNOWN: 'A well-formed mobile number whose prefix belongs to no carrier the gateway knows.',
};

export const TelcoEnum = builder.enumType('Telco', {
  description: 'A Vietnamese mobile carrier, detected from the number prefix.',
  values: describedValues(TELCOS, DESCRIPTIONS),
});
