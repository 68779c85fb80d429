import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../src/domain/scopes.js';
import {
  type ConsoleFilter,
  CSV_COLUMNS,
  csvLine,
  graphqlFilter,
  PAGE_QUERIES,
} from '../../src/server/console-ledgers.js';
import { ClientStore } from '../../src/store/clients.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * The back-office console as a clerk uses it, in headless Chromium with every request to
 * anything but the gateway aborted (and recorded: none may be attempted): sign in with a key,
 * filter the seeded day, totals equal to the API's, an UNKNOWN VAS transaction settled from the
 * page, the CSV export equal row by row to the API's ledger, a `ledger`-only key sees its own
 * rows only, and no console error anywhere. `CONSOLE_SCREENSHOT=docs/console.png` keeps a
 * screenshot of the orders view (how README's is made).
 */
const CHROMIUM = '/usr/bin/chromium';
const CI = process.env.CI === 'true';
const SCREENSHOT = process.env.CONSOLE_SCREENSHOT;
const SECRET = 'console-test-secret-of-32-characters!!';

if (!existsSync(CHROMIUM) && !CI) {
  console.warn(`Console browser test: skipped (${CHROMIUM} not installed; CI installs it).`);
}

type Row = Record<string, unknown>;

describe.skipIf(!existsSync(CHROMIUM) && !CI)('the reconciliation console in Chromium', () => {
  let t: TestGateway;
  let origin: string;
  let browser: Browser;
  let downloads: string;
  let day: string;
  const keys: Record<string, string> = {};
  /** Requests to anywhere but the gateway, and console errors: both must stay empty. */
  const outside: string[] = [];
  const consoleErrors: string[] = [];

  const as = async (client: string, query: string, variables?: Record<string, unknown>) => {
    const res = await t.graphql<Record<string, Row>>(query, variables, {
      authorization: `Bearer ${keys[client]}`,
    });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!;
  };

  const sell = async (client: string, phone: string, packageCode: string, otp: string | null) => {
    const { requestOtp } = await as(
      client,
      `mutation ($input: RequestOtpInput!) { requestOtp(input: $input) {
        __typename ... on RequestOtpSuccess { orderCode order { createdAt } } } }`,
      { input: { phone, packageCode, idempotencyKey: randomUUID() } },
    );
    const orderCode = requestOtp!.orderCode as string | undefined;
    if (orderCode && otp) {
      await as(
        client,
        `mutation ($input: RegisterWithOtpInput!) { registerWithOtp(input: $input) { __typename } }`,
        { input: { orderCode, otp, idempotencyKey: randomUUID() } },
      );
    }
    return requestOtp!;
  };

  const registerVas = (client: string, phone: string) =>
    as(
      client,
      `mutation ($input: RegisterVasPackageInput!) { registerVasPackage(input: $input) {
        __typename ... on RegisterVasPackageSuccess { transaction { id status } }
        ... on VasUnavailable { transaction { id status } } } }`,
      {
        input: {
          phone,
          serviceId: '1000161',
          packageId: '1003013',
          channel: 'APP',
          price: '3000',
          autoRenew: true,
          idempotencyKey: randomUUID(),
        },
      },
    );

  /** Every row of a ledger for a filter, through the API, page by page. */
  const allRows = async (client: string, filter: ConsoleFilter) => {
    const rows: Row[] = [];
    let after: string | null = null;
    for (;;) {
      const data = await as(client, PAGE_QUERIES[filter.ledger], {
        filter: graphqlFilter(filter),
        first: 100,
        after,
      });
      const conn = Object.values(data)[0] as unknown as {
        edges: Array<{ node: Row }>;
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
      rows.push(...conn.edges.map((e) => e.node));
      if (!conn.pageInfo.hasNextPage) return rows;
      after = conn.pageInfo.endCursor;
    }
  };

  const filterOf = (ledger: 'orders' | 'vas'): ConsoleFilter => ({
    ledger,
    from: day,
    to: day,
    status: '',
    telco: '',
    package: '',
    client: '',
    phone: '',
  });

  /** A fresh tab (its own sessionStorage), the outside world cut off, errors collected. */
  const openConsole = async (): Promise<Page> => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1000 });
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (url.protocol === 'data:' || url.origin === origin) return void req.continue();
      outside.push(req.url());
      void req.abort('blockedbyclient');
    });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(`${origin}/console`, { waitUntil: 'domcontentloaded' });
    return page;
  };

  const loads = (page: Page) => page.evaluate(() => Number(document.body.dataset.loads ?? 0));

  /** Does something on the page and waits until the loads it started have all finished. */
  const andWait = async (page: Page, act: () => Promise<unknown>) => {
    const before = await loads(page);
    await act();
    await page.waitForFunction(
      (n: number) => Number(document.body.dataset.loads ?? 0) > n && !document.body.dataset.busy,
      {},
      before,
    );
  };

  const signInAndFilter = async (page: Page, client: string) => {
    await page.waitForSelector('#key');
    await page.type('#key', keys[client]!);
    await andWait(page, () => page.click('#sign-in'));
    await page.waitForSelector('#filter');
    for (const name of ['from', 'to']) {
      await page.$eval(
        `#f-${name}`,
        (e, v) => {
          (e as HTMLInputElement).value = v as string;
        },
        day,
      );
    }
    await andWait(page, () => page.click('#apply'));
  };

  const tableRows = (page: Page, selector: string) =>
    page.$$eval(`${selector} tbody tr`, (trs) =>
      trs.map((tr) => ({
        key: (tr as HTMLElement).dataset.key,
        count: Number(tr.querySelector('[data-count]')?.getAttribute('data-count')),
        amount: Number(
          tr.querySelector('[data-amount]')?.getAttribute('data-amount') ?? Number.NaN,
        ),
      })),
    );

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`CI=true but ${CHROMIUM} is not installed`);
    t = await startTestGateway({
      GATEWAY_SECRET: SECRET,
      DMALL_TIMEOUT_MS: '400',
      VASCLOUD_TIMEOUT_MS: '400',
      VENDOR_BREAKER_FAILURES: '1000',
      // Nothing settles behind the page's back: the clerk does.
      SWEEP_INTERVAL_MS: '600000',
    });
    origin = new URL(await t.gateway.listen()).origin;
    const clients = new ClientStore(t.gateway.db, SECRET);
    const make = async (name: string, scopes: Scope[]) => {
      keys[name] = (await clients.create(name, scopes)).key;
    };
    await make('shop-a', ['sales', 'ledger', 'vas']);
    await make('shop-b', ['sales', 'ledger']);
    await make('back-office', ['ledger:all', 'vas']);

    const first = await sell('shop-a', '0936004420', 'C120', '123456');
    await sell('shop-a', '0936004421', '3C120', '123456');
    await sell('shop-a', '0936004422', '6C120', null);
    await sell('shop-a', '0930000005', 'C120', '123456'); // registered, reply lost: UNKNOWN
    await sell('shop-a', '0930000001', 'C120', null); // refused by dmall: FAILED
    await sell('shop-b', '0936004430', 'C120', '123456');
    await sell('shop-b', '0961234567', 'MP5X', null);
    await registerVas('shop-a', '0912345678');
    await registerVas('shop-a', '0910000005'); // acted, reply lost: UNKNOWN
    // The seeded day, in Vietnam time, as the clerk picks it.
    const created = (first.order as { createdAt: string }).createdAt;
    day = new Date(Date.parse(created) + 7 * 3_600_000).toISOString().slice(0, 10);

    downloads = mkdtempSync(join(tmpdir(), 'console-downloads-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (downloads) rmSync(downloads, { recursive: true, force: true });
  });

  it('shows the seeded day with the API’s totals, settles an UNKNOWN VAS transaction and exports the CSV row by row', async () => {
    const page = await openConsole();
    await signInAndFilter(page, 'back-office');

    // Totals: the page's tables equal orderTotals, and orderTotals equals the ledger itself.
    const { orderTotals } = await as(
      'back-office',
      `query ($filter: OrderFilter) { orderTotals(filter: $filter) { count amountVnd
        byStatus { status count amountVnd } byPackage { packageCode count amountVnd } } }`,
      { filter: graphqlFilter(filterOf('orders')) },
    );
    const totals = orderTotals as unknown as {
      count: number;
      byStatus: Array<{ status: string; count: number; amountVnd: number }>;
      byPackage: Array<{ packageCode: string; count: number; amountVnd: number }>;
    };
    expect(await tableRows(page, '#by-status')).toEqual(
      totals.byStatus.map((s) => ({ key: s.status, count: s.count, amount: s.amountVnd })),
    );
    expect(await tableRows(page, '#by-package')).toEqual(
      totals.byPackage.map((p) => ({ key: p.packageCode, count: p.count, amount: p.amountVnd })),
    );
    const orders = await allRows('back-office', filterOf('orders'));
    expect(totals.count).toBe(7);
    expect(orders).toHaveLength(7);
    const perStatus = new Map<string, number>();
    for (const o of orders)
      perStatus.set(o.status as string, (perStatus.get(o.status as string) ?? 0) + 1);
    expect(Object.fromEntries(totals.byStatus.map((s) => [s.status, s.count]))).toEqual(
      Object.fromEntries(perStatus),
    );
    expect(totals.byStatus.find((s) => s.status === 'REGISTERED')).toEqual({
      status: 'REGISTERED',
      count: 3,
      amountVnd: 120_000 + 360_000 + 120_000,
    });
    // The chart has a bar segment per status of the day.
    const bars = await page.$$eval('svg.chart rect[data-status]', (rs) =>
      rs.map((r) => [r.getAttribute('data-status'), Number(r.getAttribute('data-count'))]),
    );
    expect(Object.fromEntries(bars)).toEqual(Object.fromEntries(perStatus));

    // The ledger: every order of the day, newest first, the UNKNOWN one highlighted with its action.
    const shown = await page.$$eval('#ledger tbody tr', (trs) =>
      trs.map((tr) => ({
        id: (tr as HTMLElement).dataset.id,
        doubt: tr.classList.contains('doubt'),
        register: !!tr.querySelector('form .register'),
      })),
    );
    expect(shown.map((r) => r.id)).toEqual(orders.map((o) => o.id));
    const unknownOrder = orders.find((o) => o.status === 'UNKNOWN')!;
    expect(shown.filter((r) => r.doubt)).toEqual([
      { id: unknownOrder.id, doubt: true, register: true },
    ]);

    // Evidence of the UNKNOWN order: its vendor ids and events.
    await andWait(page, () => page.click(`#ledger tr[data-id="${unknownOrder.id}"] td`));
    expect(await page.$eval('#evidence [data-id-of="partnerTransId"]', (e) => e.textContent)).toBe(
      unknownOrder.partnerTransId,
    );
    expect(await page.$$eval('#evidence table.events tbody tr', (r) => r.length)).toBe(
      (unknownOrder.events as unknown[]).length,
    );
    if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // CSV: exactly the filtered rows, as the API lists them, UTF-8 with a BOM.
    const csv = await download(page, 'orders');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe(CSV_COLUMNS.orders.map(([head]) => head).join(','));
    expect(lines.slice(1)).toEqual(
      orders.map((o) => csvLine(CSV_COLUMNS.orders.map(([, cell]) => cell(o))).slice(0, -2)),
    );

    // VAS: the UNKNOWN transaction stands out and is settled from the page.
    await andWait(page, () => page.click('button[data-tab="vas"]'));
    const vas = await allRows('back-office', filterOf('vas'));
    const unknownVas = vas.find((v) => v.status === 'UNKNOWN')!;
    expect(unknownVas).toBeDefined();
    const row = `#ledger tr[data-id="${unknownVas.id}"]`;
    expect(await page.$eval(row, (tr) => tr.classList.contains('doubt'))).toBe(true);
    await andWait(page, () => page.click(`${row} td`));
    expect(await page.$eval('#evidence [data-id-of="queueId"]', (e) => e.textContent)).toBe(
      unknownVas.queueId,
    );
    await andWait(page, () => page.click(`${row} button.settle`));
    expect(await page.$eval(`${row} .result`, (e) => (e as HTMLElement).dataset.outcome)).toBe(
      'SUCCEEDED',
    );
    const { node } = await as(
      'back-office',
      'query ($id: ID!) { node(id: $id) { ... on VasTransaction { status } } }',
      {
        id: unknownVas.id,
      },
    );
    expect(node).toEqual({ status: 'SUCCEEDED' });

    // The VAS export too.
    const vasCsv = (await download(page, 'vas')).slice(1).split('\r\n').slice(1, -1);
    const vasNow = await allRows('back-office', filterOf('vas'));
    expect(vasCsv).toEqual(
      vasNow.map((v) => csvLine(CSV_COLUMNS.vas.map(([, cell]) => cell(v))).slice(0, -2)),
    );
    await page.close();
  }, 60_000);

  it('shows a `ledger` key its own rows only, in English on the switch', async () => {
    const page = await openConsole();
    await page.waitForSelector('#lang');
    await page.click('#lang');
    expect(await page.$eval('#sign-in', (e) => e.textContent)).toBe('Sign in');
    await signInAndFilter(page, 'shop-b');
    const own = await allRows('shop-b', filterOf('orders'));
    expect(own.map((o) => o.client)).toEqual(['shop-b', 'shop-b']);
    expect(
      await page.$$eval('#ledger tbody tr', (trs) =>
        trs.map((tr) => (tr as HTMLElement).dataset.id),
      ),
    ).toEqual(own.map((o) => o.id));
    expect(
      await page.$eval('#by-status tfoot [data-count]', (e) => e.getAttribute('data-count')),
    ).toBe('2');
    // Naming another client shows nothing rather than its rows.
    await page.type('#f-client', 'shop-a');
    await andWait(page, () => page.click('#apply'));
    expect(await page.$$eval('#ledger tbody tr', (trs) => trs.length)).toBe(0);
    expect(
      await page.$eval('#by-status tfoot [data-count]', (e) => e.getAttribute('data-count')),
    ).toBe('0');
    const csv = await download(page, 'orders');
    expect(csv.slice(1).split('\r\n').filter(Boolean)).toHaveLength(1);
    await page.close();
  }, 60_000);

  it('asked nothing outside the gateway and logged no console error', () => {
    expect(outside).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  /** Clicks Export and reads the file the browser saved, once its download completed. */
  async function download(page: Page, ledger: 'orders' | 'vas'): Promise<string> {
    const dir = mkdtempSync(join(downloads, `${ledger}-`));
    const cdp = await browser.target().createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', {
      behavior: 'allowAndName',
      downloadPath: dir,
      eventsEnabled: true,
    });
    const done = new Promise<string>((resolve, reject) => {
      cdp.on('Browser.downloadProgress', (e) => {
        if (e.state === 'completed') resolve(e.guid);
        if (e.state === 'canceled') reject(new Error('download canceled'));
      });
    });
    await page.click('#export');
    const guid = await done;
    await cdp.detach();
    return readFileSync(join(dir, guid), 'utf8');
  }
});
