import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The shared pieces of the vendor simulators: a real HTTP server on a loopback port that routes
 * by path, records every request it received (so tests can assert the exact wire format and count
 * calls), and applies the sandbox's magic phone numbers.
 */

export interface SimRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  receivedAt: Date;
}

export interface SimReply {
  status?: number;
  contentType?: string;
  body: string;
}

export type SimHandler = (req: SimRequest) => SimReply | Promise<SimReply>;

/**
 * Magic numbers, like a card processor's test cards: the last seven digits pick the behaviour,
 * whatever the telco prefix (`0930000001`, `0390000001`, `84930000001` all reject). Each vendor's
 * simulator documents at which call each behaviour applies.
 */
export const SANDBOX_BEHAVIOURS = {
  '0000001': 'reject',
  '0000002': 'server-error',
  '0000003': 'hang',
  '0000004': 'garbage',
  /** A create call that acts at the vendor, then loses its reply: the outcome is unknown. */
  '0000005': 'act-then-hang',
  /** A create call that hangs once without acting; the next call goes through. */
  '0000006': 'hang-once',
} as const;

export type SandboxBehaviour = (typeof SANDBOX_BEHAVIOURS)[keyof typeof SANDBOX_BEHAVIOURS];

export function sandboxBehaviour(phone: unknown): SandboxBehaviour | null {
  if (typeof phone !== 'string') return null;
  const digits = phone.replace(/\D/g, '');
  return (SANDBOX_BEHAVIOURS as Record<string, SandboxBehaviour>)[digits.slice(-7)] ?? null;
}

/** The fixed OTP that the sandbox accepts, like a test card number. */
export const SANDBOX_OTP = '123456';

export const GARBAGE_REPLY: SimReply = {
  status: 200,
  contentType: 'text/html',
  body: '<html><body>502 Bad Gateway (nginx)</body></html>',
};

export const SERVER_ERROR_REPLY: SimReply = {
  status: 503,
  contentType: 'text/plain',
  body: 'Service Temporarily Unavailable',
};

const MAX_BODY_BYTES = 256 * 1024;

export interface SimulatorOptions {
  name: string;
  routes: Record<string, SimHandler>;
  /** How long a `hang` reply waits before answering anyway; far past any gateway timeout. */
  hangMs?: number;
}

export class HangSignal extends Error {
  override name = 'HangSignal';
}

export class SimulatorServer {
  readonly name: string;
  readonly requests: SimRequest[] = [];
  private readonly server: Server;
  private readonly hangTimers = new Set<NodeJS.Timeout>();
  private baseUrl: string | null = null;

  constructor(private readonly options: SimulatorOptions) {
    this.name = options.name;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`simulator error: ${(err as Error).message}`);
      });
    });
  }

  get url(): string {
    if (!this.baseUrl) throw new Error(`${this.name} simulator is not listening`);
    return this.baseUrl;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const { port: bound } = this.server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${bound}`;
    return this.baseUrl;
  }

  /** Requests received on a path (all paths when omitted). */
  callsTo(path?: string): SimRequest[] {
    return path ? this.requests.filter((r) => r.path === path) : [...this.requests];
  }

  async close(): Promise<void> {
    for (const t of this.hangTimers) clearTimeout(t);
    this.hangTimers.clear();
    if (!this.baseUrl) return;
    this.baseUrl = null;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const body = await readBody(req);
    if (body === null) {
      res.writeHead(413, { 'content-type': 'text/plain' }).end('Request body too large');
      return;
    }
    const simReq: SimRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      receivedAt: new Date(),
    };
    this.requests.push(simReq);
    const handler = this.options.routes[path];
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`No route ${path}`);
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'POST' }).end('Use POST');
      return;
    }
    let reply: SimReply;
    try {
      reply = await handler(simReq);
    } catch (err) {
      if (err instanceof HangSignal) {
        // Hold the request open past any sane timeout, then answer as if nothing happened.
        const timer = setTimeout(() => {
          this.hangTimers.delete(timer);
          if (!res.destroyed) res.writeHead(504, { 'content-type': 'text/plain' }).end('late');
        }, this.options.hangMs ?? 120_000);
        this.hangTimers.add(timer);
        res.on('close', () => {
          clearTimeout(timer);
          this.hangTimers.delete(timer);
        });
        return;
      }
      throw err;
    }
    res
      .writeHead(reply.status ?? 200, {
        'content-type': reply.contentType ?? 'application/json; charset=utf-8',
      })
      .end(reply.body);
  }
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Parses a JSON body for a simulator; `null` when it is not a JSON object. */
export function jsonObject(body: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

export function json(status: number, value: unknown): SimReply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) };
}
