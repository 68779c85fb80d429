import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpServer {
  server: Server;
  /** Starts listening; resolves with the GraphQL URL. */
  listen(port: number, host: string): Promise<string>;
  /** Stops taking connections and waits for the requests in flight. */
  close(): Promise<void>;
}

export interface HttpServerOptions {
  /** Time allowed for a request's headers (`HTTP_HEADERS_TIMEOUT_MS`). */
  headersTimeoutMs: number;
  /** Time allowed for a whole request, body included (`HTTP_REQUEST_TIMEOUT_MS`). */
  requestTimeoutMs: number;
}

/**
 * Node answers 408 and closes the connection when a request's headers or body arrive too slowly
 * (one byte every few seconds would otherwise hold a connection for Node's 300 s default). The
 * time counts until the request is received: a long response (an SSE stream) is not cut, and a
 * WebSocket leaves the HTTP parser at its upgrade. Node looks for expired requests every
 * `connectionsCheckingInterval` (30 s by default), which would let a short timeout run long.
 */
export function createHttpServer(handler: RequestListener, options: HttpServerOptions): HttpServer {
  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(options.headersTimeoutMs / 4)),
    },
    handler,
  );
  return {
    server,
    async listen(port, host) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const { port: bound } = server.address() as AddressInfo;
      const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      return `http://${shown}:${bound}/graphql`;
    },
    async close() {
      if (!server.listening) return;
      await new Promise<void>((resolve) => {
        // close() only drops the keep-alive connections idle at this moment; those whose
        // last response finishes later would sit out their keep-alive timeout.
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearInterval(idle);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
