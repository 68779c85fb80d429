import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The ledger stores query with the domain's rules (statuses that block, count or are in doubt;
 * limit windows; validity): they type no copy of their own. The behavioural tests beside this
 * one give the stores non-default windows; this catches a list or a duration typed back in.
 */
const LEDGER_STORES = ['orders.ts', 'vas.ts', 'voice.ts', 'voice-guard.ts', 'oa-packages.ts'];

const source = (file: string) =>
  readFileSync(new URL(`../../src/store/${file}`, import.meta.url), 'utf8')
    // Comments may name statuses and windows.
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');

describe('the ledger stores take their rules from the domain', () => {
  it.each(LEDGER_STORES)('%s types no list of statuses', (file) => {
    expect(source(file)).not.toMatch(/\[\s*'[A-Z][A-Z_]*'(\s*,\s*'[A-Z][A-Z_]*')+\s*,?\s*\]/);
  });

  it.each(LEDGER_STORES)('%s types no window or duration', (file) => {
    // 60_000, 3_600_000, 86400000, `seconds * 1000`: a window or a validity worked out here.
    expect(source(file)).not.toMatch(/\b\d{1,3}(_\d{3})+\b|\b\d{4,}\b|\*\s*1000\b/);
  });

  it('would notice one', () => {
    const typed = "q.where('status', 'in', [\n  'PENDING',\n  'UNKNOWN',\n]); now - 3_600_000";
    expect(typed).toMatch(/\[\s*'[A-Z][A-Z_]*'(\s*,\s*'[A-Z][A-Z_]*')+\s*,?\s*\]/);
    expect(typed).toMatch(/\b\d{1,3}(_\d{3})+\b|\b\d{4,}\b|\*\s*1000\b/);
  });
});
