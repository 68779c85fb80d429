import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpServer {
  server: Server;
  /** Starts listening; resolves with the GraphQL URL. */
  listen(port: number, host: string): Promise<string>;
  /** Stops taking connections and waits for the requests in flight. */
  close(): Promise<void>;
}

export function createHttpServer(handler: RequestListener): HttpServer {
  const server = createServer(handler);
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
