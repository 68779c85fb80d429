import type { Plugin } from 'graphql-yoga';
import type { InboundRoute } from '../vendors/module.js';

/**
 * Mounts the routes vendors call (webhooks) beside `/graphql`, from the vendor modules. They are
 * answered before GraphQL handling, in the vendor's own wire format.
 */
export function useVendorRoutes(routes: readonly InboundRoute[]): Plugin {
  const byPath = new Map<string, InboundRoute[]>();
  for (const route of routes) {
    const same = byPath.get(route.path) ?? [];
    if (same.some((r) => r.method === route.method)) {
      throw new Error(`Two vendor routes for ${route.method} ${route.path}`);
    }
    same.push(route);
    byPath.set(route.path, same);
  }
  return {
    async onRequest({ request, url, endResponse, fetchAPI, serverContext }) {
      const candidates = byPath.get(url.pathname);
      if (!candidates) return;
      const route = candidates.find((r) => r.method === request.method);
      if (!route) {
        endResponse(
          new fetchAPI.Response('Method not allowed', {
            status: 405,
            headers: { allow: candidates.map((r) => r.method).join(', ') },
          }),
        );
        return;
      }
      endResponse(await route.handle(request, { address: peerAddress(serverContext) }));
    },
  };
}

/**
 * The peer's address from the Node request Yoga's Node adapter puts in the server context
 * (`{ req, res }`); whatwg-node's `Request` does not carry it.
 */
function peerAddress(serverContext: unknown): string | null {
  const req = (serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req;
  return req?.socket?.remoteAddress ?? null;
}
