import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import Negotiator from 'negotiator';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../domain/messages/index.js';
import { inLanguage } from './localized-error.js';

/**
 * The language of a request's messages, from its `Accept-Language`: the one of ours it ranks
 * highest (q-values, `vi-VN` for `vi`, `en-US` for `en`, `*` for the default), Vietnamese when it
 * sends none or ranks none of ours. jshttp's `negotiator` (Express's) reads the header: q-values,
 * specificity, `*` and `q=0` exclusions are its long-tested rules, not a regex of ours.
 */
export function languageOf(headers: Headers): Language {
  const header = headers.get('accept-language');
  if (!header) return DEFAULT_LANGUAGE;
  const best = new Negotiator({ headers: { 'accept-language': header } }).language([...LANGUAGES]);
  return (LANGUAGES as readonly string[]).includes(best ?? '')
    ? (best as Language)
    : DEFAULT_LANGUAGE;
}

/**
 * Writes every top-level error of a GraphQL response over HTTP in the request's language, as the
 * response is written (after masking, whatever raised it: a resolver, the edge, the key check,
 * a budget), and says which in `Content-Language` (with `Vary: Accept-Language`). Errors in
 * result unions are rendered by their `message` field (src/schema/errors.ts); WebSocket
 * operations by src/server/websocket.ts, which Yoga's result processing does not see.
 */
export function useMessageLanguage(): Plugin {
  const answered = new WeakMap<Request, Language>();
  return {
    onResultProcess({ request, result, setResult }) {
      const language = languageOf(request.headers);
      answered.set(request, language);
      if (isAsyncIterable(result)) {
        setResult(mapAsyncIterator(result, (r) => inLanguage(r, language)));
      } else if (Array.isArray(result)) {
        setResult(result.map((r) => inLanguage(r, language)));
      } else {
        setResult(inLanguage(result, language));
      }
    },
    onResponse({ request, response }) {
      const language = answered.get(request);
      if (!language) return;
      response.headers.set('content-language', language);
      const vary = response.headers.get('vary');
      if (!vary) response.headers.set('vary', 'Accept-Language');
      else if (!/(^|,)\s*(accept-language|\*)\s*(,|$)/i.test(vary)) {
        response.headers.set('vary', `${vary}, Accept-Language`);
      }
    },
  };
}
