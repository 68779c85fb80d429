import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { message } from '../../domain/messages/index.js';
import { refusal } from './refusal.js';

const JSON_TYPES = ['application/json', 'application/graphql+json'];

/**
 * POST bodies: JSON only (form-encoded, multipart and text/plain are what another site's form
 * can send), read as a stream and abandoned past `maxBytes` (413) instead of read whole, and
 * parsed with a fixed error message (the parser's own quotes the body back).
 */
export function useRequestBody(maxBytes: number): Plugin {
  const tooLarge = () => refusal(message('REQUEST_TOO_LARGE.body', { maxBytes }), 413);
  return {
    onRequestParse({ request, setRequestParser }) {
      if (request.method !== 'POST') return;
      const declared = Number(request.headers.get('content-length') ?? 0);
      if (declared > maxBytes) throw tooLarge();
      const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!JSON_TYPES.includes(type)) {
        throw refusal(message('UNSUPPORTED_MEDIA_TYPE.notJson'), 415);
      }
      setRequestParser(async (req) => {
        // With a declared length (at most the cap, checked above) Node's HTTP parser delivers
        // exactly that many bytes, so the body is read whole the fast way; a chunked body, of
        // unknown length, is read as a stream and abandoned at the cap.
        const text = declared > 0 ? await req.text() : await readLimited(req, maxBytes, tooLarge);
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw refusal(message('BAD_REQUEST.invalidJson'), 400);
        }
        if (body === null || typeof body !== 'object') {
          throw refusal(message('BAD_REQUEST.notObject'), 400);
        }
        return body as GraphQLParams;
      });
    },
  };
}

async function readLimited(request: Request, maxBytes: number, tooLarge: () => Error) {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
