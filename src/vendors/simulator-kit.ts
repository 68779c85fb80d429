import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { z } from 'zod';

/**
 * The shared pieces of the vendor simulators: a real HTTP server on a loopback port that routes
 * by method and path, reads JSON, XML, form, plain-text or query-string requests, records every
 * request it received (so tests can assert the exact wire format and count calls), answers in
 * any of those formats, calls back to the gateway as a vendor's webhook would, and applies the
 * sandbox's magic phone numbers.
 */

export interface SimRequest {
  method: string;
  path: string;
  /** The query string's parameters (GET APIs). */
  query: URLSearchParams;
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

/**
 * The magic behaviours every call of every simulator answers alike: a 503, a hang, garbage. Their
 * reply (or the hang, thrown), or null for the others (`reject`, the act-then-hang kinds, none),
 * which each vendor answers in its own way.
 */
export function sharedFailure(behaviour: SandboxBehaviour | null): SimReply | null {
  switch (behaviour) {
    case 'server-error':
      return SERVER_ERROR_REPLY;
    case 'hang':
      throw new HangSignal();
    case 'garbage':
      return GARBAGE_REPLY;
    default:
      return null;
  }
}

/** The magic numbers as one call about a subject (a phone number, an OA id) meets them. */
export interface SandboxCall {
  /**
   * The call's opening: the vendor's own refusal (`refuse`) for `reject`, the shared failures
   * (`sharedFailure`, a hang thrown), or null to go on.
   */
  failure(refuse: () => SimReply): SimReply | null;
  /**
   * Hangs (throws `HangSignal`) when the subject's behaviour is `kind` and `when` holds: a
   * `hang-once` before the call acts, an `act-then-hang` after it acted (its reply lost).
   */
  hangIf(kind: 'hang-once' | 'act-then-hang', when?: boolean): void;
}

export function sandbox(subject: unknown): SandboxCall {
  const behaviour = sandboxBehaviour(subject);
  return {
    failure: (refuse) => (behaviour === 'reject' ? refuse() : sharedFailure(behaviour)),
    hangIf(kind, when = true) {
      if (behaviour === kind && when) throw new HangSignal();
    },
  };
}

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

/** How a route's request is read before its schema checks it. */
export type RequestFormat = 'json' | 'xml' | 'form' | 'query' | 'text';

export interface SimRoute<T = unknown> {
  method: 'GET' | 'POST';
  path: string;
  format: RequestFormat;
  /** What a well-formed request holds; anything else gets the simulator's `badRequest` reply. */
  input: z.ZodType<T>;
  handle(input: T, req: SimRequest): SimReply | Promise<SimReply>;
}

/** Declares a route with its input type inferred from its schema. */
export function route<T>(spec: SimRoute<T>): SimRoute<T> {
  return spec;
}

export interface SimulatorOptions {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: routes of any input type
  routes: ReadonlyArray<SimRoute<any>>;
  /**
   * The vendor's credential check, before the request's shape is checked: `read` is the request
   * read in its route's format (null when it could not be read). A reply refuses the request.
   */
  authorize?: (req: SimRequest, read: unknown) => SimReply | null;
  /**
   * The vendor's answer to a malformed request, in its own format (HTTP 400 unless it sets a
   * status). `req` tells routes apart where a vendor's error shape differs by call.
   */
  badRequest: (message: string, req: SimRequest) => SimReply;
  /** How long a `hang` reply waits before answering anyway; far past any gateway timeout. */
  hangMs?: number;
}

export class HangSignal extends Error {
  override name = 'HangSignal';
}

/** A call the simulator made to the gateway (a vendor's webhook), with the gateway's answer. */
export interface SimCallback {
  url: string;
  body: string;
  status: number | null;
  reply: string | null;
  error: string | null;
}

export class SimulatorServer {
  readonly name: string;
  readonly requests: SimRequest[] = [];
  readonly callbacks: SimCallback[] = [];
  /** Added before every answer, as a real vendor's processing time (benchmarks set it). */
  delayMs = 0;
  private readonly server: Server;
  private readonly hangTimers = new Set<NodeJS.Timeout>();
  private readonly routes = new Map<string, SimRoute>();
  private baseUrl: string | null = null;

  constructor(private readonly options: SimulatorOptions) {
    this.name = options.name;
    for (const r of options.routes) this.routes.set(`${r.method} ${r.path}`, r);
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

  /**
   * Calls the gateway as the vendor would call a partner's URL (the VAS SDP calls `cpURL`), and
   * records the call and its answer. Never throws: a vendor logs a failed notification and moves on.
   */
  async callBack(
    url: string,
    body: string,
    contentType = 'application/json; charset=utf-8',
  ): Promise<SimCallback> {
    const record: SimCallback = { url, body, status: null, reply: null, error: null };
    this.callbacks.push(record);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      record.status = res.status;
      record.reply = await res.text();
    } catch (err) {
      record.error = (err as Error).message;
    }
    return record;
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
    const url = new URL(req.url ?? '/', 'http://simulator');
    const body = await readBody(req);
    if (body === null) {
      res.writeHead(413, { 'content-type': 'text/plain' }).end('Request body too large');
      return;
    }
    const simReq: SimRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      receivedAt: new Date(),
    };
    this.requests.push(simReq);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const route = this.routes.get(`${simReq.method} ${simReq.path}`);
    if (!route) {
      const allowed = [...this.routes.values()]
        .filter((r) => r.path === simReq.path)
        .map((r) => r.method);
      if (allowed.length > 0) {
        res
          .writeHead(405, { 'content-type': 'text/plain', allow: allowed.join(', ') })
          .end(`Use ${allowed.join(' or ')}`);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`No route ${simReq.path}`);
      }
      return;
    }
    let reply: SimReply;
    try {
      reply = await this.answer(route, simReq);
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

  /** The shared opening of every route: read, authorize, check the shape, then handle. */
  private async answer(route: SimRoute, req: SimRequest): Promise<SimReply> {
    const read = readRequest(route.format, req);
    const denied = this.options.authorize?.(req, read);
    if (denied) return denied;
    if (read === null) {
      return withStatus(400, this.options.badRequest(`the body is not valid ${route.format}`, req));
    }
    const parsed = route.input.safeParse(read);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return withStatus(
        400,
        this.options.badRequest(`${where}${issue?.message ?? 'invalid'}`, req),
      );
    }
    return route.handle(parsed.data, req);
  }
}

function withStatus(status: number, reply: SimReply): SimReply {
  return { ...reply, status: reply.status ?? status };
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

/** Reads a request in a route's format; null when it cannot be read in it. */
export function readRequest(format: RequestFormat, req: SimRequest): unknown {
  switch (format) {
    case 'json':
      return jsonObject(req.body);
    case 'xml':
      return xmlObject(req.body);
    case 'form':
      return Object.fromEntries(new URLSearchParams(req.body));
    case 'query':
      return Object.fromEntries(req.query);
    case 'text':
      return req.body;
  }
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

/**
 * How simulators read XML: every value a string (ids and `"00"` keep their text), no entity
 * expansion, attributes under `@_`. A DOCTYPE is refused, as the gateway's own parsers refuse it.
 */
const SIM_XML_PARSER = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  trimValues: true,
});

/** Parses an XML body for a simulator; `null` when it is not one well-formed XML document. */
export function xmlObject(body: string): Record<string, unknown> | null {
  if (/<!DOCTYPE/i.test(body) || !body.trim().startsWith('<')) return null;
  try {
    const value: unknown = SIM_XML_PARSER.parse(body, true);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const SIM_XML_BUILDER = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  processEntities: true,
});

export function json(status: number, value: unknown): SimReply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) };
}

/** An XML reply built from an object (attributes under `@_`), with the XML declaration. */
export function xml(status: number, value: Record<string, unknown>): SimReply {
  return {
    status,
    contentType: 'text/xml; charset=utf-8',
    body: `<?xml version="1.0" encoding="UTF-8"?>${SIM_XML_BUILDER.build(value)}`,
  };
}

export function text(status: number, body: string): SimReply {
  return { status, contentType: 'text/plain; charset=utf-8', body };
}
