import { z } from 'zod';

/**
 * The validators every part of the configuration is written with: the base settings in
 * `config.ts` and each vendor module's own variables. Messages say what is expected and never
 * repeat the value, which may be a secret.
 */

export function emptyToUndefined(v: unknown) {
  return typeof v === 'string' && v.trim() === '' ? undefined : v;
}

export const port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be 0 to 65535')
  .max(65535, 'must be 0 to 65535');

/** A duration in milliseconds, at most ten minutes. */
export const ms = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int('must be a whole number of milliseconds')
      .positive('must be positive')
      .max(600_000, 'must be at most 600000 (10 minutes)')
      .default(fallback),
  );

/** A whole number from 0 to `max`. */
export const count = (fallback: number, max: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(max, `must be at most ${max}`)
      .default(fallback),
  );

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .transform((u) => u.replace(/\/+$/, ''));

/** An http(s) URL without its trailing slashes; unset or empty is `undefined`. */
export const optionalUrl = z.preprocess(emptyToUndefined, httpUrl.optional());

/** A credential; unset or empty is `undefined`. */
export const secret = z.preprocess(emptyToUndefined, z.string().min(1).optional());

/** Free text; unset or empty is `undefined`. */
export const optionalText = z.preprocess(emptyToUndefined, z.string().min(1).optional());

/**
 * OTLP export headers as the OpenTelemetry variables write them: `name=value,name2=value2`, values
 * URL-encoded. The message names the rule, never a value (a header is often an API key).
 */
export const otlpHeaders = z.string().transform((raw, ctx) => {
  const headers: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const at = pair.indexOf('=');
    const name = at > 0 ? pair.slice(0, at).trim() : '';
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) {
      ctx.addIssue({ code: 'custom', message: 'must be name=value pairs separated by commas' });
      return z.NEVER;
    }
    try {
      headers[name.toLowerCase()] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      ctx.addIssue({ code: 'custom', message: 'has a value that is not URL-encoded' });
      return z.NEVER;
    }
  }
  return headers;
});

/** A whole number from 1 to `max`. */
export const limit = (fallback: number, max: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be 1 or more')
      .max(max, `must be at most ${max}`)
      .default(fallback),
  );

/** true or false; unset stays unset, so a default can depend on NODE_ENV. */
export const optionalBool = z.preprocess(
  emptyToUndefined,
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
);

const ORIGIN = /^https?:\/\/[^/?#\s,]+$/;

/** `*` or a comma-separated list of origins. */
export const corsOrigins = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .transform((v) => v.split(',').map((o) => o.trim().replace(/\/+$/, '')))
    .refine((list) => (list.length === 1 && list[0] === '*') || list.every((o) => ORIGIN.test(o)), {
      message: 'must be * or a comma-separated list of origins such as https://shop.example.vn',
    })
    .optional(),
);

export const bool = z.preprocess(
  emptyToUndefined,
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .optional()
    .transform((v) => v === 'true' || v === '1'),
);
