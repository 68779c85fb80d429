import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlib } from 'node:zlib';

/**
 * Static assets the gateway serves itself (GraphiQL, the console): each named by a hash of its
 * content so it can be cached for a year, and compressed once, on first request.
 */

export interface Asset {
  /** The path it is served at, with a hash of its content: cacheable for ever. */
  path: string;
  type: string;
  body: Buffer;
  etag: string;
  /** Compressed once, on first request, and kept. */
  encoded?: Promise<{ br: Buffer; gzip: Buffer }>;
}

const compressBrotli = promisify(brotliCompress);
const compressGzip = promisify(gzip);

/** An asset served under `prefix`, named by a hash of its content. */
export function staticAsset(
  prefix: string,
  name: string,
  ext: string,
  type: string,
  content: string | Buffer,
): Asset {
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 16);
  return { path: `${prefix}${name}.${hash}.${ext}`, type, body, etag: `"${hash}"` };
}

function encodings(a: Asset) {
  a.encoded ??= Promise.all([
    // Quality 9 of 11: within 10% of the smallest, at a twentieth of the time (1 s for the script).
    compressBrotli(a.body, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: 9,
        [zlib.BROTLI_PARAM_SIZE_HINT]: a.body.length,
      },
    }),
    compressGzip(a.body, { level: 9 }),
  ]).then(([br, gzip]) => ({ br, gzip }));
  return a.encoded;
}

/**
 * Answers with an asset: 304 for a matching `If-None-Match`, else its body, brotli- or
 * gzip-compressed by `Accept-Encoding` (compressed once and kept).
 */
export async function respond(
  request: Request,
  a: Asset,
  cacheControl: string,
  fetchAPI: { Response: typeof Response },
): Promise<Response> {
  const headers: Record<string, string> = {
    'content-type': a.type,
    'cache-control': cacheControl,
    etag: a.etag,
    vary: 'Accept-Encoding',
  };
  if (request.headers.get('if-none-match') === a.etag) {
    return new fetchAPI.Response(null, { status: 304, headers });
  }
  const accepted = request.headers.get('accept-encoding') ?? '';
  let body = a.body;
  // Small bodies are not worth a compressed copy.
  if (a.body.length > 1024) {
    const encoding = /\bbr\b/.test(accepted) ? 'br' : /\bgzip\b/.test(accepted) ? 'gzip' : null;
    if (encoding) {
      body = (await encodings(a))[encoding];
      headers['content-encoding'] = encoding;
    }
  }
  headers['content-length'] = String(body.length);
  return new fetchAPI.Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
    status: 200,
    headers,
  });
}
