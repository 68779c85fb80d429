import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

/**
 * Debian's chromium for the browser tests (`.ci/run` installs it). Locally a test skips with a
 * printed reason when it is missing; in CI (`CI=true`) it runs and fails instead.
 */
export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser test named `what` runs here; prints why not when it does not. */
export function chromiumRuns(what: string): boolean {
  const runs = existsSync(CHROMIUM) || process.env.CI === 'true';
  if (!runs) console.warn(`${what}: skipped (${CHROMIUM} not installed; CI installs it).`);
  return runs;
}

/** Launches it headless, with nothing of its own reaching the network. */
export function launchChromium(options: { userDataDir?: string } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`CI=true but ${CHROMIUM} is not installed`);
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    ...options,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
