/**
 * What every entry of the message catalogue is made of (the catalogue: `index.ts`). Pure.
 */

/** The languages the gateway writes its messages in; the first is the default. */
export const LANGUAGES = ['vi', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = LANGUAGES[0];

/**
 * What a message is filled with: JSON values only, so that an error stored with its idempotency
 * key renders again, in the language of whoever replays it.
 */
export type Param = string | number | boolean | null | readonly string[];
export type Params = Readonly<Record<string, Param>>;

/**
 * One message, written in every language from the same parameters. Vietnamese is for a shop
 * clerk, with its diacritics; numbers, codes, ids and field names stay as they are in both.
 */
export interface Entry<P extends Params> {
  vi: (params: P) => string;
  en: (params: P) => string;
}

/**
 * An entry of the catalogue: TypeScript refuses one that lacks a language, and fills in the
 * English renderer's parameters from the Vietnamese one's.
 */
export function say<P extends Params = Record<never, never>>(entry: Entry<P>): Entry<P> {
  return entry;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * A window for "in the last …": `60_000` → `minute` / `1 phút`, `600_000` → `10 minutes` /
 * `10 phút`, a day → `24 hours` / `24 giờ`.
 */
export function spellWindow(ms: number, language: Language): string {
  const [n, unit] =
    ms % HOUR_MS === 0
      ? [ms / HOUR_MS, 'hour']
      : ms % MINUTE_MS === 0
        ? [ms / MINUTE_MS, 'minute']
        : [ms / 1000, 'second'];
  if (language === 'vi') return `${n} ${{ hour: 'giờ', minute: 'phút', second: 'giây' }[unit]}`;
  return n === 1 ? unit : `${n} ${unit}s`;
}
