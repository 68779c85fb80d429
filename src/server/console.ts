import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { EXPORT_PATH, exportCsv, type Fetch } from './console-export.js';
import { type Asset, respond, staticAsset } from './static-assets.js';

/** The page; its assets are under `/console/assets/`, each named by a hash of its content. */
const PAGE_PATH = '/console';
const ASSETS_PATH = '/console/assets/';
/** The browser sources, beside `src/` (as `operations/` is), bundled on first request. */
const SOURCES = new URL('../../console/', import.meta.url);

/**
 * Only the gateway's own origin, for everything: no CDN, no third-party script, and nothing the
 * page could be tricked into calling or posting elsewhere.
 */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

type Built = { page: Asset; assets: Map<string, Asset> };
let built: Promise<Built> | undefined;

/**
 * The page's script is TypeScript (console/app.ts and what it imports), bundled by esbuild once
 * per process, on the first request to the console: a fraction of a second, and a gateway
 * nobody opens the console on never does it. A failed build is not kept: the next request
 * tries again.
 */
function build(): Promise<Built> {
  built ??= bundle().catch((err: unknown) => {
    built = undefined;
    throw err;
  });
  return built;
}

async function bundle(): Promise<Built> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('app.ts', SOURCES))],
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    target: 'es2020',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const script = Buffer.from(result.outputFiles[0]!.contents);
  const js = staticAsset(ASSETS_PATH, 'console', 'js', 'text/javascript; charset=utf-8', script);
  const style = readFileSync(new URL('console.css', SOURCES));
  const css = staticAsset(ASSETS_PATH, 'console', 'css', 'text/css; charset=utf-8', style);
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
}

/**
 * The back-office console: the page at `/console`, its assets, and the CSV export at
 * `/console/export.csv` (src/server/console-export.ts). The page is a client of the public
 * GraphQL API like any other: the clerk's key, its scopes, its budgets.
 */
export function useConsolePage(logger: Logger, appFetch: Fetch): Plugin {
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      const { pathname } = url;
      if (pathname === EXPORT_PATH && request.method === 'POST') {
        return exportCsv(request, url, appFetch, fetchAPI, logger).then(endResponse);
      }
      const readOnly = request.method === 'GET' || request.method === 'HEAD';
      const isPage = readOnly && (pathname === PAGE_PATH || pathname === `${PAGE_PATH}/`);
      const isAsset = readOnly && pathname.startsWith(ASSETS_PATH);
      if (!isPage && !isAsset) return;
      return build().then(
        async ({ page, assets }) => {
          const found = isPage ? page : assets.get(pathname);
          if (!found) return endResponse(new fetchAPI.Response('Not found', { status: 404 }));
          const cache = isPage ? 'no-cache' : 'public, max-age=31536000, immutable';
          const res = await respond(request, found, cache, fetchAPI);
          if (isPage) {
            res.headers.set('content-security-policy', CSP);
            res.headers.set('x-content-type-options', 'nosniff');
            res.headers.set('referrer-policy', 'no-referrer');
          }
          endResponse(res);
        },
        (err: unknown) => {
          logger.error({ err }, 'console: the page could not be built');
          endResponse(new fetchAPI.Response('Console unavailable.', { status: 503 }));
        },
      );
    },
  };
}
