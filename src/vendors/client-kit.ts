import type { VendorCall, VendorReply } from './http.js';
import { VendorError, type VendorErrorInit } from './vendor-error.js';

/**
 * The shared pieces of the vendor clients, around `VendorHttp.call`: a JSON POST to a vendor that
 * says no in the reply's body, the reading of a reply that may be a proxy's page instead, and the
 * shape of a vendor's refusal.
 */

/**
 * For vendors that say no in the reply's body whatever the status: every status below 500 is
 * read by the call's parser; a 5xx stays an HTTP failure.
 */
export const belowServerError = (status: number): boolean => status < 500;

/** A call as `jsonPost` takes it: the body as a value, sent as JSON. */
export type JsonCall<T> = Omit<VendorCall<T>, 'method' | 'body' | 'acceptStatus'> & {
  json: object;
};

/** A POST of a JSON body to such a vendor (`belowServerError`); `headers` go before the type. */
export function jsonPost<T>(call: JsonCall<T>): VendorCall<T> {
  const { json, headers, ...rest } = call;
  return {
    ...rest,
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(json),
    acceptStatus: belowServerError,
  };
}

/** A body as JSON, or undefined when it is not JSON (the vendor's schema then refuses it). */
export function jsonBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * Reads a reply's body with `read`. A 4xx whose body `read` cannot take (a proxy's 401/403/404
 * page, not the vendor's own answer) is a refusal before anything was done: `VENDOR_HTTP`, its
 * outcome known. On any other status what `read` throws goes up as it is (a bad response).
 */
export function readReply<T>(vendor: string, reply: VendorReply, read: (body: string) => T): T {
  try {
    return read(reply.body);
  } catch (err) {
    if (reply.status < 400) throw err;
    throw new VendorError({
      vendor,
      code: 'VENDOR_HTTP',
      status: reply.status,
      message: `${vendor} answered HTTP ${reply.status}`,
      outcomeUnknown: false,
      cause: err,
    });
  }
}

/**
 * A vendor's refusal as it came: `VENDOR_REJECTED` with the vendor's code and message (the
 * message `fallback` when it sent none). The vendor answered this request without acting on it.
 */
export function rejection(init: {
  vendor: string;
  status: number;
  vendorCode: string;
  vendorMessage: string | null;
  fallback: string;
}): VendorErrorInit {
  return {
    vendor: init.vendor,
    code: 'VENDOR_REJECTED',
    status: init.status,
    vendorCode: init.vendorCode,
    vendorMessage: init.vendorMessage,
    message: init.vendorMessage ?? init.fallback,
    outcomeUnknown: false,
  };
}
