import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import * as bundle from '@graphql-yoga/render-graphiql/graphiql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutTabDragConstraints } from '../../src/server/graphiql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t.close();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  t.gateway.yoga.fetch(`http://gateway.test${path}`, { headers });

async function page() {
  const res = await get('/graphql', { accept: 'text/html', 'accept-encoding': 'identity' });
  return { res, html: await res.text() };
}

describe('GraphiQL page', () => {
  it('is a small page revalidated by ETag, with the example operations and no inline script', async () => {
    const { res, html } = await page();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(html.length).toBeLessThan(20_000);
    expect(html).toContain('query Packages');
    // Every script is a file of the gateway's own, none inline (the options are JSON data).
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts.filter((s) => !/type="application\/json"/.test(s))).toEqual([
      expect.stringMatching(/^ defer src="\/graphiql\/boot\.[\w-]+\.js"$/),
      expect.stringMatching(/^ defer src="\/graphiql\/graphiql\.[\w-]+\.js"$/),
    ]);

    const again = await get('/graphql', {
      accept: 'text/html',
      'if-none-match': res.headers.get('etag')!,
    });
    expect(again.status).toBe(304);
  });

  it('serves versioned assets for a year, brotli or gzip by Accept-Encoding', async () => {
    const { html } = await page();
    const paths = [...html.matchAll(/(?:src|href)="(\/graphiql\/[^"]+)"/g)].map((m) => m[1]!);
    const options = JSON.parse(
      /<script id="graphiql-options"[^>]*>(.*?)<\/script>/s.exec(html)![1]!,
    );
    paths.push(...(Object.values(options.workers) as string[]));
    expect(paths).toHaveLength(7);

    const script = paths.find((p) => /\/graphiql\.[\w-]+\.js$/.test(p))!;
    const plain = await get(script, { 'accept-encoding': 'identity' });
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-encoding')).toBeNull();
    const body = Buffer.from(await plain.arrayBuffer());
    expect(body.length).toBeGreaterThan(4_000_000);

    const br = await get(script, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers.get('content-encoding')).toBe('br');
    // Every answer varies by Origin too (CORS), see useVaryOrigin in server/edge/csrf-cors.ts.
    expect(br.headers.get('vary')).toBe('Accept-Encoding, Origin');
    const brBody = Buffer.from(await br.arrayBuffer());
    expect(brBody.length).toBeLessThan(body.length / 3);
    expect(brotliDecompressSync(brBody).equals(body)).toBe(true);

    const gz = await get(script, { 'accept-encoding': 'gzip' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).equals(body)).toBe(true);

    for (const path of paths) {
      expect((await get(path)).status, path).toBe(200);
    }
    expect((await get('/graphiql/graphiql.nope.js')).status).toBe(404);
  });
});

describe('the GraphiQL bundle', () => {
  it('still has the tab drag constraints that lose clicks, in one place we remove', () => {
    // When this fails, @graphql-yoga/render-graphiql ships another GraphiQL: check whether its
    // tabs still lose clicks (test/browser/graphiql.test.ts) before adapting or dropping the patch.
    const patched = withoutTabDragConstraints(bundle.js);
    expect(patched).not.toBeNull();
    expect(bundle.js.length - patched!.length).toBeLessThan(40);
  });
});
