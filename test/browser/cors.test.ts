import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientStore } from '../../src/store/clients.js';
import { createDmallSimulator } from '../../src/vendors/dmall/simulator.js';
import { chromiumRuns, launchChromium } from '../helpers/chromium.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * A web front end on another origin, as a browser runs it: the page calls the gateway with its
 * API key in `Authorization: Bearer`, which Chromium sends only after a preflight allows it.
 * Debian's chromium; skipped with a reason when it is not installed, except in CI.
 */
const SECRET = 'cors-browser-secret-of-32-characters!!';

describe.skipIf(!chromiumRuns('CORS browser test'))(
  'CORS in Chromium: a front end on a listed origin',
  () => {
    const sim = createDmallSimulator({ apiKey: 'cors-dmall-key' });
    let site: Server;
    let siteOrigin: string;
    let t: TestGateway;
    let graphqlUrl: string;
    let key: string;
    let browser: Browser;
    let page: Page;
    let profile: string;

    beforeAll(async () => {
      // The front end's own server: one empty page, on its own origin (another port).
      site = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><title>shop</title><p>shop front end</p>');
      });
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
      // A real vendor URL: anonymous access is off, so only the key gets data.
      t = await startTestGateway({
        DMALL_BASE_URL: await sim.listen(),
        DMALL_API_KEY: 'cors-dmall-key',
        GATEWAY_SECRET: SECRET,
        CORS_ORIGINS: siteOrigin,
      });
      key = (await new ClientStore(t.gateway.db, SECRET).create('web-shop', ['sales'])).key;
      graphqlUrl = await t.gateway.listen();
      profile = mkdtempSync(join(tmpdir(), 'cors-profile-'));
      browser = await launchChromium({ userDataDir: profile });
      page = await browser.newPage();
      await page.goto(siteOrigin, { waitUntil: 'load' });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await t?.close();
      await sim.close();
      await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    /** `fetch` from the page, as the front end's own script would call it. */
    const query = (headers: Record<string, string>) =>
      page.evaluate(
        async (url, headers) => {
          try {
            const res = await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...headers },
              body: JSON.stringify({ query: '{ packages(telco: MOBIFONE) { code } }' }),
            });
            return { status: res.status, body: await res.json() };
          } catch (err) {
            return { blocked: String(err) };
          }
        },
        graphqlUrl,
        headers,
      );

    it('runs a query with Authorization: Bearer and gets data', async () => {
      expect(await page.evaluate(() => location.origin)).toBe(siteOrigin);
      expect(await query({ authorization: `Bearer ${key}` })).toEqual({
        status: 200,
        body: { data: { packages: [{ code: 'C120' }, { code: '3C120' }, { code: '6C120' }] } },
      });
    });

    it('reads the 401 of a request without a key (the answer carries the CORS headers too)', async () => {
      expect(await query({})).toMatchObject({
        status: 401,
        body: { errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] },
      });
    });

    it('is blocked by the browser for a header the preflight does not allow', async () => {
      expect(await query({ authorization: `Bearer ${key}`, 'x-not-allowed': 'yes' })).toMatchObject(
        { blocked: expect.stringContaining('Failed to fetch') },
      );
    });
  },
);
