import { h } from './dom.js';
import { lang, t } from './i18n.js';

/**
 * The page's one way to the gateway: POST /graphql with the clerk's key, as any client would.
 * The key lives in this tab's sessionStorage only and is never written anywhere else.
 */
const KEY_ITEM = 'console:key';

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_ITEM);
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY_ITEM);
  else sessionStorage.setItem(KEY_ITEM, key);
}

export const KEY_SHAPE = /^tgw_[A-Za-z0-9]{12}\.[A-Za-z0-9_-]{43}$/;

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/**
 * Runs one operation with the stored key (none in an all-sandbox gateway: an anonymous caller
 * labelled `console`), asking for the gateway's messages in the page's language. A refused key
 * (HTTP 401) and any top-level error throw an `ApiError` with the error's code; the data
 * otherwise.
 */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const key = storedKey();
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'accept-language': lang(),
      ...(key ? { authorization: `Bearer ${key}` } : { 'x-client-id': 'console' }),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as GraphQLAnswer<T>;
  const first = body.errors?.[0];
  if (first || !body.data) {
    throw new ApiError(first?.message ?? `HTTP ${res.status}`, first?.extensions?.code ?? 'ERROR');
  }
  return body.data;
}

/** An error as the clerk reads it. */
export function failure(err: unknown): HTMLElement {
  const text =
    err instanceof ApiError && err.code === 'FORBIDDEN'
      ? t('forbidden')
      : `${t('error')}: ${err instanceof Error ? err.message : String(err)}`;
  return h('p', { class: 'error', role: 'alert' }, text);
}
