import { readdirSync, readFileSync } from 'node:fs';
import { type Plugin, shouldRenderGraphiQL } from 'graphql-yoga';
import type { Logger } from 'pino';
import { type Asset, respond, staticAsset } from './static-assets.js';

const GRAPHIQL_HEADERS = JSON.stringify({ 'x-client-id': 'graphiql' }, null, 2);
/** Where the page's assets are served; each name carries a hash of its content. */
const ASSETS_PATH = '/graphiql/';

/**
 * GraphiQL as the gateway serves it: its assets come from the gateway itself (no CDN), so it
 * works offline and behind a shop's firewall and no third-party script runs next to the API.
 * One tab per example operation, so each tab is a document with at most one sensitive mutation.
 */
export function graphiqlOptions() {
  return {
    title: 'Telco gateway',
    defaultTabs: exampleTabs(),
    defaultHeaders: GRAPHIQL_HEADERS,
  };
}

/**
 * The operations under `operations/` (also codegen's documents), preloaded into GraphiQL as tabs,
 * each with the variables of its `<name>.variables.json` when there is one.
 */
export function exampleTabs(): Array<{ query: string; variables: string | null; headers: string }> {
  const dir = new URL('../../operations/', import.meta.url);
  const files = new Set(readdirSync(dir));
  return [...files]
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => {
      const vars = f.replace(/\.graphql$/, '.variables.json');
      return {
        query: readFileSync(new URL(f, dir), 'utf8').trim(),
        variables: files.has(vars) ? readFileSync(new URL(vars, dir), 'utf8').trim() : null,
        headers: GRAPHIQL_HEADERS,
      };
    });
}

/**
 * GraphiQL 5.2 (the build `@graphql-yoga/render-graphiql` ships) makes each tab a framer-motion
 * `Reorder.Item` with `dragConstraints` set to the tab strip. framer-motion watches both with a
 * ResizeObserver (and the window's `resize`) and, when either changes size, "rescales" each tab's
 * drag offset within the new constraints, which leaves every tab with a bogus `translateX` of up
 * to the strip's width. GraphiQL's CSS hides that transform (`.graphiql-tab:not(:focus-within)
 * { transform: none !important }`) until the tab takes focus: pressing the mouse on a tab focuses
 * it, the tab jumps away from under the pointer, and the click lands on the strip instead, so the
 * click is ignored (and the next one, with the offset now reset, works). On a first visit the
 * strip always resizes once, when the web fonts (`font-display: swap`) replace the fallback font
 * after the tabs are drawn; a window resize does the same at any time. Without constraints the
 * tabs still reorder by drag, and nothing rescales them.
 */
export function withoutTabDragConstraints(js: string): string | null {
  const tabProps = /dragConstraints:[\w$]+,(value:[\w$]+,isActive:)/g;
  const found = js.match(tabProps)?.length ?? 0;
  return found === 1 ? js.replace(tabProps, '$1') : null;
}

/**
 * Runs before GraphiQL. GraphiQL 5 re-selects the stored tab whose query, variables and headers
 * equal its `query`/`variables`/`headers` storage keys (the query from Yoga's `?query=` link when
 * there is one), and otherwise adds a tab made of them. Those keys are written only when an
 * editor changes, and the tabs themselves half a second after a change, so a reload after a visit
 * that changed nothing added an empty `<untitled>` tab, and a reload soon after switching tabs
 * added a copy of the tab. Here the keys are set from the stored tab the page should reopen: the
 * one whose query the `?query=` link holds (the link is then dropped), else the active one. A
 * link to a query no tab holds is left alone: GraphiQL opens it in a tab of its own.
 */
const BOOT = `'use strict';
(function () {
  var options = JSON.parse(document.getElementById('graphiql-options').textContent);
  var workers = options.workers;
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (_moduleId, label) { return workers[label]; },
  };
  try {
    var stored = localStorage.getItem('graphiql:tabState');
    var state = stored && JSON.parse(stored);
    if (state && Array.isArray(state.tabs)) {
      var params = new URLSearchParams(location.search);
      var linked = params.get('query');
      var tab = linked === null
        ? state.tabs[state.activeTabIndex]
        : state.tabs.filter(function (t) { return t.query === linked; })[0];
      if (tab) {
        ['query', 'variables', 'headers'].forEach(function (key) {
          if (linked !== null || localStorage.getItem('graphiql:' + key) === null) {
            localStorage.setItem('graphiql:' + key, tab[key] || '');
          }
        });
        if (linked !== null) {
          params.delete('query');
          var search = params.toString();
          history.replaceState(history.state, '', location.pathname + (search ? '?' + search : '') + location.hash);
        }
      }
    }
  } catch (err) {
    console.warn('GraphiQL storage not readable', err);
  }
  document.addEventListener('DOMContentLoaded', function () {
    YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options.graphiql);
  });
})();
`;

const SCRIPT = 'text/javascript; charset=utf-8';

const asset = (name: string, ext: string, type: string, content: string | Buffer): Asset =>
  staticAsset(ASSETS_PATH, name, ext, type, content);

type Built = { page: Asset; assets: Map<string, Asset> };

/**
 * The page and its assets; built once per process, on the first GraphiQL request. The bundle is
 * a 9 MB module whose source and strings V8 keeps for the life of the process (about 35 MB of
 * heap), so it is imported then and not at start: a gateway nobody opens GraphiQL on (every
 * production one) never loads it.
 */
let built: Promise<Built> | undefined;

function build(logger: Logger): Promise<Built> {
  built ??= import('@graphql-yoga/render-graphiql/graphiql').then((bundle) =>
    assemble(bundle, logger),
  );
  return built;
}

function assemble(
  bundle: typeof import('@graphql-yoga/render-graphiql/graphiql'),
  logger: Logger,
): Built {
  const js = withoutTabDragConstraints(bundle.js);
  if (!js)
    logger.warn(
      'GraphiQL bundle changed: tab drag constraints not removed; tab clicks may be lost',
    );
  const app = asset('graphiql', 'js', SCRIPT, js ?? bundle.js);
  const css = asset('graphiql', 'css', 'text/css; charset=utf-8', bundle.css);
  const favicon = asset(
    'favicon',
    'ico',
    'image/x-icon',
    Buffer.from(bundle.favicon.replace(/^data:[^,]*;base64,/, ''), 'base64'),
  );
  const workers = {
    editorWorkerService: asset('editor.worker', 'js', SCRIPT, bundle.editorWorkerService),
    json: asset('json.worker', 'js', SCRIPT, bundle.jsonWorker),
    graphql: asset('graphql.worker', 'js', SCRIPT, bundle.graphqlWorker),
  };
  const boot = asset('boot', 'js', SCRIPT, BOOT);
  const options = {
    graphiql: graphiqlOptions(),
    workers: Object.fromEntries(Object.entries(workers).map(([label, w]) => [label, w.path])),
  };
  // `<` escaped so that no operation text can end the script element.
  const json = JSON.stringify(options).replace(/</g, '\\u003c');
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${options.graphiql.title}</title>
    <link rel="icon" href="${favicon.path}" />
    <link rel="stylesheet" href="${css.path}" />
    <script id="graphiql-options" type="application/json">${json}</script>
    <script defer src="${boot.path}"></script>
    <script defer src="${app.path}"></script>
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
  </body>
</html>
`;
  const page = asset('index', 'html', 'text/html; charset=utf-8', html);
  const all = [app, css, favicon, boot, ...Object.values(workers)];
  return { page, assets: new Map(all.map((a) => [a.path, a])) };
}

/**
 * Serves GraphiQL at the GraphQL endpoint (a GET that accepts HTML, as Yoga decides) and its
 * assets under `/graphiql/`, compressed (brotli or gzip, by `Accept-Encoding`). The assets'
 * names carry their content hash, so browsers keep them for a year without asking again; the page
 * (it embeds the example operations) is revalidated by its ETag on every visit.
 */
export function useGraphiQLPage(logger: Logger, graphqlEndpoint = '/graphql'): Plugin {
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      const isPage =
        (url.pathname === graphqlEndpoint || url.pathname === `${graphqlEndpoint}/`) &&
        shouldRenderGraphiQL(request);
      const isAsset =
        url.pathname.startsWith(ASSETS_PATH) &&
        (request.method === 'GET' || request.method === 'HEAD');
      if (!isPage && !isAsset) return;
      return build(logger).then(async ({ page, assets }) => {
        if (isPage) return endResponse(await respond(request, page, 'no-cache', fetchAPI));
        const found = assets.get(url.pathname);
        if (!found) return endResponse(new fetchAPI.Response('Not found', { status: 404 }));
        endResponse(await respond(request, found, 'public, max-age=31536000, immutable', fetchAPI));
      });
    },
  };
}
