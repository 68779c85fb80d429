import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BASE_ENV } from '../src/config.js';
import { VENDOR_MODULES } from '../src/vendors/index.js';

/** Every variable the gateway reads is documented, and listed in `.env.example`. */

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const variables = [
  ...Object.keys(BASE_ENV),
  ...VENDOR_MODULES.flatMap((m) => Object.keys(m.env as Record<string, unknown>)),
];

describe('configuration', () => {
  it('documents every variable in docs/configuration.md and lists it in .env.example', () => {
    expect(variables.length).toBeGreaterThan(40);
    const table = read('docs/configuration.md');
    const example = read('.env.example');
    const undocumented = variables.filter((v) => !table.includes(`\`${v}\``));
    const unlisted = variables.filter((v) => !new RegExp(`^#?\\s*${v}=`, 'm').test(example));
    expect({ undocumented, unlisted }).toEqual({ undocumented: [], unlisted: [] });
  });
});
