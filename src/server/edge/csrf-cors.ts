import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { CORSOptions, Plugin } from 'graphql-yoga';
import type { Config } from '../../config.js';

/** Headers a browser cannot send cross-origin without a CORS preflight (CSRF prevention). */
const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'x-client-id'];
const CORS_MAX_AGE_SECONDS = 600;

/**
 * A POST a plain HTML form can send (form-encoded, multipart, text/plain) or a GET must carry one
 * of `CSRF_HEADERS`; GraphiQL sends `x-client-id` on every request, subscriptions (GET with
 * text/event-stream) included.
 */
export function useCsrfPrevention(): Plugin {
  return useCSRFPrevention({ requestHeaders: CSRF_HEADERS });
}

/**
 * Yoga's `cors` option from `CORS_ORIGINS`. No credentials: the API reads no cookies, and a
 * browser front end sends its API key as `Authorization: Bearer`, which needs the preflight to
 * allow that header. Browsers keep a preflight for `maxAge` seconds (Chromium caps it at 7200).
 */
export function corsOptions(config: Config): (request: Request) => CORSOptions {
  const base = {
    credentials: false,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'accept', ...CSRF_HEADERS],
    maxAge: CORS_MAX_AGE_SECONDS,
  };
  if (config.corsOrigins === '*') return () => ({ ...base, origin: '*' });
  const allowed = new Set(config.corsOrigins);
  // Yoga would answer an unlisted origin with `access-control-allow-origin: null`, which the
  // `null` origin of a sandboxed iframe matches: an unlisted origin gets no CORS headers at all.
  return (request) => {
    const origin = request.headers.get('origin');
    return origin && allowed.has(origin) ? { ...base, origin: [origin] } : false;
  };
}

/**
 * Every answer depends on the request's `Origin` (CORS headers for a listed one, none for another),
 * so a shared cache must key it by origin. Yoga's CORS adds `Vary: Origin` only when it echoes one
 * origin out of several, not for a list of one nor for an origin it refuses.
 */
export function useVaryOrigin(): Plugin {
  return {
    onResponse({ response }) {
      const vary = response.headers.get('vary');
      if (!vary) response.headers.set('vary', 'Origin');
      else if (!/(^|,)\s*(origin|\*)\s*(,|$)/i.test(vary))
        response.headers.set('vary', `${vary}, Origin`);
    },
  };
}
