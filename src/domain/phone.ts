import { InvalidPhoneNumber } from './errors.js';
import { message } from './messages/index.js';
import { TELCO_PREFIXES, type Telco } from './telco-prefixes.js';

/** A Vietnamese mobile number in the three forms the vendors use. */
export interface PhoneNumber {
  /** Local form, `0936004420` (dmall, voice OTP). */
  readonly local: string;
  /** MSISDN, `84936004420` (VAS cloud). */
  readonly msisdn: string;
  /** E.164, `+84936004420`. */
  readonly e164: string;
  readonly telco: Telco;
}

// Longest prefix first, so `993` (Gmobile) wins over a hypothetical `99`.
const PREFIX_TABLE: ReadonlyArray<readonly [string, Telco]> = Object.entries(TELCO_PREFIXES)
  .flatMap(([telco, prefixes]) => prefixes.map((p) => [p, telco as Telco] as const))
  .sort((a, b) => b[0].length - a[0].length);

/** The nine significant digits of a mobile number: 3, 5, 7, 8 or 9 followed by eight digits. */
const SUBSCRIBER_DIGITS = /^[35789]\d{8}$/;

export function detectTelco(subscriberDigits: string): Telco {
  for (const [prefix, telco] of PREFIX_TABLE) {
    if (subscriberDigits.startsWith(prefix)) return telco;
  }
  return 'UNKNOWN';
}

/**
 * The one reading of a Vietnamese mobile number: accepts `0936004420`, `84936004420` or
 * `+84936004420`, with spaces, dots or dashes between digits. Anything else throws
 * `InvalidPhoneNumber` with a message fit for a clerk (a mutation returns it in its result
 * union; a look-up answers it as a top-level error with code INVALID_PHONE_NUMBER).
 */
export function parsePhone(input: string): PhoneNumber {
  const compact = input.trim().replace(/[\s.-]/g, '');
  let digits: string | undefined;
  if (/^0\d+$/.test(compact)) digits = compact.slice(1);
  else if (/^\+84\d+$/.test(compact)) digits = compact.slice(3);
  else if (/^84\d+$/.test(compact)) digits = compact.slice(2);
  if (digits === undefined || !SUBSCRIBER_DIGITS.test(digits)) {
    throw new InvalidPhoneNumber(message('InvalidPhoneNumber.notMobile'), input);
  }
  return {
    local: `0${digits}`,
    msisdn: `84${digits}`,
    e164: `+84${digits}`,
    telco: detectTelco(digits),
  };
}

/** Whether `parsePhone` reads `input` as a mobile number (for a schema that refuses the rest). */
export function isPhoneNumber(input: string): boolean {
  try {
    parsePhone(input);
    return true;
  } catch {
    return false;
  }
}

/** `0936004420` → `093****420`, for logs. Works on any of the three forms and on garbage. */
export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  const local = digits.startsWith('84') && digits.length === 11 ? `0${digits.slice(2)}` : digits;
  return `${local.slice(0, 3)}${'*'.repeat(local.length - 6)}${local.slice(-3)}`;
}
