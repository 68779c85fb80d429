import type { Logger } from 'pino';
import {
  type ConsoleFilter,
  csvHeader,
  csvRow,
  graphqlFilter,
  type LedgerPage,
  pageQuery,
  readConsoleFilter,
} from './console-ledgers.js';

export const EXPORT_PATH = '/console/export.csv';
/** A form of a key and a filter is well under this. */
const MAX_FORM_BYTES = 4096;
/** The API's largest page. */
const PAGE_SIZE = 100;
/** A page refused for the key's budget is asked again after the `Retry-After` it was given, up to this. */
const MAX_BUDGET_WAIT_S = 60;
const KEY_SHAPE = /^tgw_[A-Za-z0-9]{12}\.[A-Za-z0-9_-]{43}$/;

/** The app's own `fetch` (every plugin, the key and the budgets), as the export's way in. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

type FetchAPI = { Response: typeof Response; ReadableStream: typeof ReadableStream };

function plain(fetchAPI: FetchAPI, status: number, message: string) {
  return new fetchAPI.Response(message, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}

type Form = { ok: true; key: string; filter: ConsoleFilter } | { ok: false; refusal: Response };

/**
 * The key and filter of an export form, checked. The key travels in the form's body because a
 * download started by a form cannot carry an `Authorization` header; a form posted from another
 * site has no key to send, and is refused anyway: browsers mark it `Sec-Fetch-Site` other than
 * `same-origin`, or send its `Origin` (the page's own is `null` under its `no-referrer` policy).
 */
async function readForm(request: Request, url: URL, fetchAPI: FetchAPI): Promise<Form> {
  const refuse = (status: number, message: string): Form => ({
    ok: false,
    refusal: plain(fetchAPI, status, message),
  });
  const site = request.headers.get('sec-fetch-site');
  const origin = request.headers.get('origin');
  if ((site && site !== 'same-origin') || (origin && origin !== 'null' && origin !== url.origin)) {
    return refuse(403, 'Cross-origin export refused.');
  }
  if (!request.headers.get('content-type')?.startsWith('application/x-www-form-urlencoded')) {
    return refuse(415, 'Send the export form (application/x-www-form-urlencoded).');
  }
  const length = Number(request.headers.get('content-length') ?? Number.NaN);
  if (!(length <= MAX_FORM_BYTES)) return refuse(413, 'Export form too large.');
  const form = new URLSearchParams(await request.text());
  const key = form.get('key') ?? '';
  if (key && !KEY_SHAPE.test(key)) return refuse(401, 'UNAUTHENTICATED');
  const filter = readConsoleFilter((name) => form.get(name));
  if ('invalid' in filter) return refuse(400, `Invalid ${filter.invalid}.`);
  return { ok: true, key, filter };
}

type PageResult = { ok: true; page: LedgerPage } | { ok: false; status: number; code: string };

/**
 * The CSV export of a ledger filter: exactly the rows the page lists for it, newest first, in
 * UTF-8 with a BOM (so spreadsheet apps read Vietnamese). It runs the ledger's page query
 * through the app itself with the key from the form, as any client would (its scopes, its
 * access rule, its budgets), and streams: a page is asked for only when the client has taken
 * the one before, so a month of sales is never held at once.
 */
export async function exportCsv(
  request: Request,
  url: URL,
  appFetch: Fetch,
  fetchAPI: FetchAPI,
  logger: Logger,
): Promise<Response> {
  try {
    const form = await readForm(request, url, fetchAPI);
    if (!form.ok) return form.refusal;
    const { key, filter } = form;
    const fetchPage = (after: string | null) =>
      pageOf(appFetch, `${url.origin}/graphql`, key, filter, after);
    const first = await fetchPage(null);
    if (!first.ok) return plain(fetchAPI, first.status, first.code);
    const encoder = new TextEncoder();
    /** The page fetched and not yet written (the first), and the cursor of the next one. */
    let pending: LedgerPage | null = first.page;
    let after: string | null | undefined;
    const stream = new fetchAPI.ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(`\uFEFF${csvHeader(filter.ledger)}`));
      },
      // One page per pull, fetched only when the client has taken what came before.
      async pull(controller) {
        let page = pending;
        pending = null;
        if (!page) {
          if (after === undefined) return controller.close();
          const more = await fetchPage(after);
          if (!more.ok) {
            // Headers are gone: the download fails rather than end short as if complete.
            logger.warn({ code: more.code }, 'console export stopped: a page failed');
            return controller.error(new Error('export page failed'));
          }
          page = more.page;
        }
        controller.enqueue(
          encoder.encode(page.edges.map((e) => csvRow(filter.ledger, e.node)).join('')),
        );
        after = (page.pageInfo.hasNextPage && page.pageInfo.endCursor) || undefined;
      },
    });
    const days = filter.to && filter.to !== filter.from ? `${filter.from}_${filter.to}` : '';
    const name = `${filter.ledger}-${days || filter.from || 'all'}.csv`;
    return new fetchAPI.Response(stream, {
      status: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${name}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
    });
  } catch (err) {
    logger.error({ err }, 'console export failed');
    return plain(fetchAPI, 500, 'Export failed.');
  }
}

/** One page of the ledger through the app; a page refused for the budget is asked again later. */
async function pageOf(
  appFetch: Fetch,
  endpoint: string,
  key: string,
  filter: ConsoleFilter,
  after: string | null,
): Promise<PageResult> {
  for (;;) {
    const res = await appFetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(key ? { authorization: `Bearer ${key}` } : { 'x-client-id': 'console' }),
      },
      body: JSON.stringify({
        query: pageQuery(filter.ledger),
        variables: { filter: graphqlFilter(filter), first: PAGE_SIZE, after },
      }),
    });
    const body = (await res.json()) as {
      data?: { page?: LedgerPage | null } | null;
      errors?: Array<{ extensions?: { code?: string } }>;
    };
    if (body.data?.page) return { ok: true, page: body.data.page };
    const wait = Number(res.headers.get('retry-after'));
    if (res.status === 429 && wait > 0 && wait <= MAX_BUDGET_WAIT_S) {
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      continue;
    }
    const code = body.errors?.[0]?.extensions?.code ?? 'EXPORT_FAILED';
    return { ok: false, status: res.status === 200 ? 400 : res.status, code };
  }
}
