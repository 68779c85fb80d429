import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCsv, type Fetch } from '../../src/server/console-export.js';
import {
  csvHeader,
  csvLine,
  csvRow,
  type LedgerPage,
  readConsoleFilter,
} from '../../src/server/console-ledgers.js';
import { ClientStore } from '../../src/store/clients.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * The console's server side: the page and its assets, and the CSV export (streamed page by
 * page, refused from other sites, with the key's own answer when the API refuses it). The page
 * itself, in a browser, is test/browser/console.test.ts.
 */

const SECRET = 'console-server-secret-of-32-characters!';
const silent = pino({ level: 'silent' });
const fetchAPI = { Response, ReadableStream };
const KEY = `tgw_${'a'.repeat(12)}.${'b'.repeat(43)}`;

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => {
  const body = new URLSearchParams(fields).toString();
  return new Request('http://gateway.test/console/export.csv', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    },
    body,
  });
};

/** An app that answers pages of `rows` orders, 100 a page, counting the pages asked for. */
function pagedApp(rows: number) {
  const asked: Array<string | null> = [];
  const app: Fetch = async (_url, init) => {
    const { variables } = JSON.parse(String(init.body)) as {
      variables: { first: number; after: string | null };
    };
    asked.push(variables.after);
    const start = variables.after ? Number(variables.after) : 0;
    const end = Math.min(rows, start + variables.first);
    const page: LedgerPage = {
      totalCount: rows,
      pageInfo: { hasNextPage: end < rows, endCursor: String(end) },
      edges: Array.from({ length: end - start }, (_, i) => ({
        node: { orderCode: `DG${start + i}`, status: 'REGISTERED', phone: '0936004420' },
      })),
    };
    return Response.json({ data: { page } });
  };
  return { app, asked };
}

const run = (request: Request, app: Fetch) =>
  exportCsv(request, new URL(request.url), app, fetchAPI, silent);

describe('the CSV export', () => {
  it('streams: a page is asked for only when the one before was taken', async () => {
    const { app, asked } = pagedApp(250);
    const res = await run(form({ key: KEY, ledger: 'orders', from: '2026-03-14' }), app);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="orders-2026-03-14.csv"',
    );
    // Answered after the first page only (it decides the status); nothing read yet.
    expect(asked).toEqual([null]);
    const reader = res.body!.getReader();
    const chunks: string[] = [];
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    const read = async () => {
      const { value, done } = await reader.read();
      if (!done) chunks.push(decoder.decode(value, { stream: true }));
      return done;
    };
    await read(); // the BOM and the header
    expect(chunks[0]).toBe(`\uFEFF${csvHeader('orders')}`);
    await read(); // the first page's rows; the second page is asked for as they are taken
    expect(asked.length).toBeLessThanOrEqual(2);
    while (!(await read()));
    expect(asked).toEqual([null, '100', '200']);
    const lines = chunks.join('').split('\r\n');
    expect(lines).toHaveLength(1 + 250 + 1);
    expect(lines[1]).toBe(
      csvRow('orders', { orderCode: 'DG0', status: 'REGISTERED', phone: '0936004420' }).slice(
        0,
        -2,
      ),
    );
  });

  it('fails the download, rather than end it short, when a later page fails', async () => {
    const { app } = pagedApp(150);
    const failing: Fetch = async (url, init) => {
      const { variables } = JSON.parse(String(init.body)) as {
        variables: { after: string | null };
      };
      if (variables.after) {
        return Response.json(
          { errors: [{ message: 'x', extensions: { code: 'DATABASE_UNAVAILABLE' } }] },
          { status: 503 },
        );
      }
      return app(url, init);
    };
    const res = await run(form({ key: KEY, ledger: 'orders' }), failing);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('refuses another site, another body, a malformed key or filter, before asking the API', async () => {
    const { app, asked } = pagedApp(1);
    const answer = async (request: Request) => {
      const res = await run(request, app);
      return [res.status, await res.text()];
    };
    expect(await answer(form({ key: KEY }, { 'sec-fetch-site': 'cross-site' }))).toEqual([
      403,
      'Cross-origin export refused.',
    ]);
    expect(await answer(form({ key: KEY }, { origin: 'https://evil.example' }))).toEqual([
      403,
      'Cross-origin export refused.',
    ]);
    expect(await answer(form({ key: 'tgw_short' }))).toEqual([401, 'UNAUTHENTICATED']);
    expect(await answer(form({ key: KEY, ledger: 'payroll' }))).toEqual([400, 'Invalid ledger.']);
    expect(await answer(form({ key: KEY, ledger: 'vas', telco: 'VIETTEL' }))).toEqual([
      400,
      'Invalid telco.',
    ]);
    expect(await answer(form({ key: KEY, from: '2026-03-15', to: '2026-03-14' }))).toEqual([
      400,
      'Invalid to.',
    ]);
    const json = new Request('http://gateway.test/console/export.csv', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect((await answer(json))[0]).toBe(415);
    expect(asked).toEqual([]);
    // The page's own form: same site, and `Origin: null` under its no-referrer policy.
    const own = await run(
      form({ key: KEY }, { 'sec-fetch-site': 'same-origin', origin: 'null' }),
      app,
    );
    expect(own.status).toBe(200);
    await own.text();
  });
});

describe('filters and CSV lines', () => {
  it('takes only the fields a ledger has, with their shapes', () => {
    const read = (fields: Record<string, string>) => readConsoleFilter((n) => fields[n]);
    expect(read({ ledger: 'oa', package: 'PREMIUM', oa: '4368496041230001' })).toMatchObject({
      ledger: 'oa',
      package: 'PREMIUM',
      oa: '4368496041230001',
    });
    expect(read({ ledger: 'oa', package: 'C120' })).toEqual({ invalid: 'package' });
    expect(read({ ledger: 'voice', oa: '1' })).toEqual({ invalid: 'oa' });
    expect(read({ ledger: 'orders', status: 'ACCEPTED' })).toEqual({ invalid: 'status' });
    expect(read({ ledger: 'orders', client: 'shop a' })).toEqual({ invalid: 'client' });
  });

  it('quotes what needs it and defuses formulas, keeping negative codes numbers', () => {
    expect(csvLine(['a,b', 'say "hi"', '=SUM(A1)', '-8', '-x', '+1', '@me', 'Đã đăng ký'])).toBe(
      '"a,b","say ""hi""",\'=SUM(A1),-8,\'-x,\'+1,\'@me,Đã đăng ký\r\n',
    );
    // A leading minus is a number only when the whole cell is one.
    expect(csvLine(['-1+1', "-2+cmd|' /C calc'!A0", '-12.5'])).toBe(
      "'-1+1,'-2+cmd|' /C calc'!A0,-12.5\r\n",
    );
  });
});

describe('the console through the gateway', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ GATEWAY_SECRET: SECRET });
    key = (await new ClientStore(t.gateway.db, SECRET).create('auditor', ['ledger:all'])).key;
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    t.gateway.yoga.fetch(`http://gateway.test${path}`, { headers });

  it('serves the page with its own assets only, hashed and cached for ever', async () => {
    const res = await get('/console');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    const assets = [...html.matchAll(/(?:href|src)="(\/console\/assets\/[^"]+)"/g)].map(
      (m) => m[1]!,
    );
    expect(assets).toHaveLength(2);
    expect(html).not.toMatch(/https?:\/\//);
    for (const path of assets) {
      const asset = await get(path, { 'accept-encoding': 'br' });
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const body = await asset.text();
      expect(body.length).toBeGreaterThan(0);
    }
    expect((await get('/console/assets/console.nope.js')).status).toBe(404);
  });

  it('exports through the API with the form’s key, and answers the API’s refusal of it', async () => {
    const post = (fields: Record<string, string>) =>
      t.gateway.yoga.fetch(form(fields, { 'sec-fetch-site': 'same-origin' }));
    const ok = await post({ key, ledger: 'voice' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe(`\uFEFF${csvHeader('voice')}`);
    const revoked = `tgw_${'z'.repeat(12)}.${'y'.repeat(43)}`;
    const refused = await post({ key: revoked, ledger: 'orders' });
    expect([refused.status, await refused.text()]).toEqual([401, 'UNAUTHENTICATED']);
  });
});
