import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import {
  CONNECTION_FIELD,
  type ConsoleFilter,
  CSV_COLUMNS,
  csvLine,
  graphqlFilter,
  PAGE_QUERIES,
  readConsoleFilter,
} from './console-ledgers.js';
import { type Asset, respond, staticAsset } from './static-assets.js';

/** The page; its assets are under `/console/assets/`, each named by a hash of its content. */
const PAGE_PATH = '/console';
const ASSETS_PATH = '/console/assets/';
const EXPORT_PATH = '/console/export.csv';
/** The browser sources, beside `src/` (as `operations/` is), bundled on first request. */
const SOURCES = new URL('../../console/', import.meta.url);
/** A form of a key and a filter is well under this. */
const MAX_FORM_BYTES = 4096;
const EXPORT_PAGE_SIZE = 100;

/**
 * Only the gateway's own origin, for everything: no CDN, no third-party script, and nothing the
 * page could be tricked into calling elsewhere.
 */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

type Built = { page: Asset; assets: Map<string, Asset> };
let built: Promise<Built> | undefined;

/**
 * The page's script is TypeScript (console/app.ts and what it imports), bundled by esbuild
 * once per process, on the first request to the console: a few milliseconds, and a gateway
 * nobody opens the console on never does it.
 */
function build(): Promise<Built> {
  built ??= import('esbuild').then(async (esbuild) => {
    const result = await esbuild.build({
      entryPoints: [fileURLToPath(new URL('app.ts', SOURCES))],
      bundle: true,
      write: false,
      minify: true,
      format: 'iife',
      target: 'es2020',
      legalComments: 'none',
    });
    const js = staticAsset(
      ASSETS_PATH,
      'console',
      'js',
      'text/javascript; charset=utf-8',
      Buffer.from(result.outputFiles[0]!.contents),
    );
    const css = staticAsset(
      ASSETS_PATH,
      'console',
      'css',
      'text/css; charset=utf-8',
      readFileSync(new URL('console.css', SOURCES)),
    );
    const html = `<!doctype html>
<html lang="vi">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Đối soát · Telco gateway</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${css.path}" />
    <script defer src="${js.path}"></script>
  </head>
  <body>
    <noscript>Cần bật JavaScript. JavaScript is required.</noscript>
    <div id="app"></div>
  </body>
</html>
`;
    const page = staticAsset(ASSETS_PATH, 'index', 'html', 'text/html; charset=utf-8', html);
    return { page, assets: new Map([js, css].map((a) => [a.path, a])) };
  });
  return built;
}

/** The app's own `fetch` (every plugin, the key and the budgets), as the export's way in. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * The back-office console: the page at `/console`, its assets, and the CSV export at
 * `/console/export.csv`. The page is a client of the public GraphQL API like any other (the
 * clerk's key, its scopes, its budgets), and so is the export: it runs the ledger's query
 * through the app itself with the key from the form, page by page, writing each page as it
 * comes; a month of sales is never held at once.
 */
export function useConsolePage(logger: Logger, appFetch: Fetch): Plugin {
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      const { pathname } = url;
      const readOnly = request.method === 'GET' || request.method === 'HEAD';
      if (pathname === EXPORT_PATH && request.method === 'POST') {
        return exportCsv(request, url, appFetch, fetchAPI, logger).then(endResponse);
      }
      const isPage = readOnly && (pathname === PAGE_PATH || pathname === `${PAGE_PATH}/`);
      const isAsset = readOnly && pathname.startsWith(ASSETS_PATH);
      if (!isPage && !isAsset) return;
      return build().then(async ({ page, assets }) => {
        const found = isPage ? page : assets.get(pathname);
        if (!found) return endResponse(new fetchAPI.Response('Not found', { status: 404 }));
        const res = await respond(
          request,
          found,
          isPage ? 'no-cache' : 'public, max-age=31536000, immutable',
          fetchAPI,
        );
        if (isPage) {
          res.headers.set('content-security-policy', CSP);
          res.headers.set('x-content-type-options', 'nosniff');
          res.headers.set('referrer-policy', 'no-referrer');
        }
        endResponse(res);
      });
    },
  };
}

function plain(fetchAPI: { Response: typeof Response }, status: number, message: string) {
  return new fetchAPI.Response(message, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/** The key and filter of an export form, checked; or the answer refusing it. */
async function readExportForm(
  request: Request,
  url: URL,
  fetchAPI: { Response: typeof Response },
): Promise<{ key: string; filter: ConsoleFilter } | Response> {
  // A form posted from another site carries its Origin: refused (it has no key anyway).
  const origin = request.headers.get('origin');
  if (origin && origin !== url.origin) return plain(fetchAPI, 403, 'Cross-origin export refused.');
  if (!request.headers.get('content-type')?.startsWith('application/x-www-form-urlencoded')) {
    return plain(fetchAPI, 415, 'Send the export form (application/x-www-form-urlencoded).');
  }
  const length = Number(request.headers.get('content-length') ?? Number.NaN);
  if (!(length <= MAX_FORM_BYTES)) return plain(fetchAPI, 413, 'Export form too large.');
  const form = new URLSearchParams(await request.text());
  const key = form.get('key') ?? '';
  if (key && !/^tgw_[A-Za-z0-9]{12}\.[A-Za-z0-9_-]{43}$/.test(key)) {
    return plain(fetchAPI, 401, 'UNAUTHENTICATED');
  }
  const filter = readConsoleFilter((name) => form.get(name));
  if ('invalid' in filter) return plain(fetchAPI, 400, `Invalid ${filter.invalid}.`);
  return { key, filter };
}

async function exportCsv(
  request: Request,
  url: URL,
  appFetch: Fetch,
  fetchAPI: { Response: typeof Response; ReadableStream: typeof ReadableStream },
  logger: Logger,
): Promise<Response> {
  const form = await readExportForm(request, url, fetchAPI);
  if (form instanceof Response) return form;
  const { key, filter } = form;
  const columns = CSV_COLUMNS[filter.ledger];
  const field = CONNECTION_FIELD[filter.ledger];
  const page = async (after: string | null) => {
    const res = await appFetch(`${url.origin}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(key ? { authorization: `Bearer ${key}` } : { 'x-client-id': 'console' }),
      },
      body: JSON.stringify({
        query: PAGE_QUERIES[filter.ledger],
        variables: { filter: graphqlFilter(filter), first: EXPORT_PAGE_SIZE, after },
      }),
    });
    const body = (await res.json()) as {
      data?: Record<string, Connection | null> | null;
      errors?: Array<{ extensions?: { code?: string } }>;
    };
    const connection = body.data?.[field];
    if (!connection) {
      return {
        status: res.status === 200 ? 400 : res.status,
        code: body.errors?.[0]?.extensions?.code,
      };
    }
    return connection;
  };
  const first = await page(null);
  if ('status' in first) return plain(fetchAPI, first.status, first.code ?? 'Export failed.');
  const encoder = new TextEncoder();
  const lines = (c: Connection) =>
    encoder.encode(c.edges.map((e) => csvLine(columns.map(([, cell]) => cell(e.node)))).join(''));
  let next: Connection | null = first;
  const stream = new fetchAPI.ReadableStream<Uint8Array>({
    start(controller) {
      // The BOM makes spreadsheet apps read UTF-8 (Vietnamese names and messages).
      controller.enqueue(encoder.encode(`\uFEFF${csvLine(columns.map(([h]) => h))}`));
    },
    // One page per pull: the next page is asked for only when the client has taken this one.
    async pull(controller) {
      const current = next;
      if (!current) return controller.close();
      controller.enqueue(lines(current));
      if (!current.pageInfo.hasNextPage) {
        next = null;
        return;
      }
      const more = await page(current.pageInfo.endCursor);
      if ('status' in more) {
        logger.warn({ code: more.code }, 'console export stopped: a page failed');
        return controller.error(new Error('export page failed'));
      }
      next = more;
    },
  });
  const day = filter.from || 'all';
  return new fetchAPI.Response(stream, {
    status: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filter.ledger}-${day}${filter.to && filter.to !== filter.from ? `_${filter.to}` : ''}.csv"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}

interface Connection {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: Record<string, unknown> }>;
}
