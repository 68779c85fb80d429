import { createServer } from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type VendorCall, VendorError, VendorHttp, VendorMetrics } from '../../src/vendors/http.js';
import { loopbackServer } from '../helpers/loopback.js';

type Server = Awaited<ReturnType<typeof loopbackServer>>;

let server: Server;
const clients: VendorHttp[] = [];

beforeAll(async () => {
  server = await loopbackServer();
});
afterEach(async () => {
  server.seen.length = 0;
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await server.close();
});

function client(overrides: Partial<ConstructorParameters<typeof VendorHttp>[0]> = {}) {
  const registry = new Registry();
  const http = new VendorHttp({
    vendor: 'testvendor',
    baseUrl: server.url,
    timeoutMs: 300,
    maxBodyBytes: 1024,
    readRetries: 2,
    retryInitialDelayMs: 1,
    retryMaxDelayMs: 5,
    breakerFailures: 3,
    breakerHalfOpenMs: 200,
    maxConcurrency: 4,
    metrics: new VendorMetrics(registry),
    logger: pino({ level: 'silent' }),
    ...overrides,
  });
  clients.push(http);
  return Object.assign(http, { registry });
}

const read: VendorCall<unknown> = {
  operation: 'status',
  path: '/status',
  safeToRepeat: true,
  parse: (r) => JSON.parse(r.body),
};
const create: VendorCall<unknown> = {
  operation: 'create',
  path: '/create',
  body: '{"phone":"0936004420"}',
  safeToRepeat: false,
  parse: (r) => JSON.parse(r.body),
};

async function failure(promise: Promise<unknown>): Promise<VendorError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof VendorError) return err;
    throw err;
  }
  throw new Error('expected a VendorError');
}

describe('VendorHttp against a real loopback server', () => {
  it('returns the parsed body and sends method, path and headers as given', async () => {
    server.respond((_req, res) => res.end('{"ok":true}'));
    const http = client({ baseUrl: `${server.url}/api` });
    await expect(
      http.call({ ...create, headers: { 'content-type': 'application/json', 'api-key': 'k' } }),
    ).resolves.toEqual({ ok: true });
    expect(server.seen).toMatchObject([
      {
        method: 'POST',
        url: '/api/create',
        body: '{"phone":"0936004420"}',
        headers: { 'api-key': 'k', 'content-type': 'application/json' },
      },
    ]);
  });

  it('turns a hang into VENDOR_TIMEOUT with an unknown outcome, and does not retry a create', async () => {
    server.respond(() => {
      /* never answers */
    });
    const error = await failure(client().call(create));
    expect(error).toMatchObject({
      code: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
      vendor: 'testvendor',
    });
    expect(server.seen).toHaveLength(1);
  });

  it('turns 5xx into VENDOR_HTTP with the status', async () => {
    server.respond((_req, res) => res.writeHead(503).end('down'));
    const error = await failure(client().call(create));
    expect(error).toMatchObject({ code: 'VENDOR_HTTP', status: 503, outcomeUnknown: false });
    expect(server.seen).toHaveLength(1);
  });

  it('marks a 504 from a proxy on a create call as an unknown outcome', async () => {
    server.respond((_req, res) => res.writeHead(504).end('gateway timeout'));
    expect(await failure(client().call(create))).toMatchObject({
      code: 'VENDOR_HTTP',
      status: 504,
      outcomeUnknown: true,
    });
  });

  it('turns a garbage body into VENDOR_BAD_RESPONSE', async () => {
    server.respond((_req, res) => res.end('<html>nginx</html>'));
    expect(await failure(client().call(read))).toMatchObject({
      code: 'VENDOR_BAD_RESPONSE',
      outcomeUnknown: false,
    });
    // On a create call the vendor may have acted before answering garbage.
    expect(await failure(client().call(create))).toMatchObject({
      code: 'VENDOR_BAD_RESPONSE',
      outcomeUnknown: true,
    });
  });

  it('cuts an oversize body at the cap', async () => {
    server.respond((_req, res) => res.end(`{"x":"${'a'.repeat(5000)}"}`));
    const error = await failure(client().call(read));
    expect(error).toMatchObject({ code: 'VENDOR_BAD_RESPONSE' });
    expect(error.message).toContain('larger than 1024 bytes');
  });

  it('reports a refused connection as VENDOR_UNAVAILABLE with a known outcome', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const error = await failure(client({ baseUrl: `http://127.0.0.1:${port}` }).call(create));
    expect(error).toMatchObject({ code: 'VENDOR_UNAVAILABLE', outcomeUnknown: false });
  });

  it('passes a vendor rejection from the parser through untouched', async () => {
    server.respond((_req, res) => res.end('{"success":false}'));
    const error = await failure(
      client().call({
        ...create,
        parse: () => {
          throw new VendorError({
            vendor: 'testvendor',
            code: 'VENDOR_REJECTED',
            vendorCode: '42',
            message: 'no',
          });
        },
      }),
    );
    expect(error).toMatchObject({ code: 'VENDOR_REJECTED', vendorCode: '42' });
  });

  it('retries a read at most readRetries times after the first attempt', async () => {
    server.respond((_req, res) => res.writeHead(500).end());
    const error = await failure(client({ readRetries: 2, breakerFailures: 100 }).call(read));
    expect(error).toMatchObject({ code: 'VENDOR_HTTP', status: 500 });
    expect(server.seen).toHaveLength(3);
  });

  it('stops retrying a read once it succeeds', async () => {
    let n = 0;
    server.respond((_req, res) => (++n === 1 ? res.writeHead(502).end() : res.end('{"n":2}')));
    await expect(client().call(read)).resolves.toEqual({ n: 2 });
    expect(server.seen).toHaveLength(2);
  });

  it('never retries a create call, whatever the failure', async () => {
    server.respond((_req, res) => res.writeHead(500).end());
    await failure(client({ readRetries: 5, breakerFailures: 100 }).call(create));
    expect(server.seen).toHaveLength(1);
  });

  it('does not retry a read the vendor rejected', async () => {
    server.respond((_req, res) => res.writeHead(400).end());
    expect(await failure(client().call(read))).toMatchObject({ code: 'VENDOR_HTTP', status: 400 });
    expect(server.seen).toHaveLength(1);
  });

  it('opens the breaker after consecutive failures, then lets a trial through after halfOpen', async () => {
    server.respond((_req, res) => res.writeHead(500).end());
    const http = client({ breakerFailures: 3, breakerHalfOpenMs: 150, readRetries: 0 });
    for (let i = 0; i < 3; i++) await failure(http.call(create));
    expect(server.seen).toHaveLength(3);

    const open = await failure(http.call(create));
    expect(open).toMatchObject({ code: 'VENDOR_UNAVAILABLE', outcomeUnknown: false });
    expect(open.message).toContain('circuit open');
    expect(server.seen).toHaveLength(3);

    server.respond((_req, res) => res.end('{"ok":true}'));
    await new Promise((r) => setTimeout(r, 200));
    await expect(http.call(create)).resolves.toEqual({ ok: true });
    expect(server.seen).toHaveLength(4);
    await expect(http.call(create)).resolves.toEqual({ ok: true });
  });

  it('does not count vendor rejections towards the breaker', async () => {
    server.respond((_req, res) => res.writeHead(404).end());
    const http = client({ breakerFailures: 2 });
    for (let i = 0; i < 4; i++) await failure(http.call(create));
    expect(server.seen).toHaveLength(4);
  });

  it('records per-vendor metrics: calls, errors by code and latency', async () => {
    const http = client();
    server.respond((_req, res) => res.end('{}'));
    await http.call(create);
    server.respond((_req, res) => res.writeHead(503).end());
    await failure(http.call(create));
    const text = await http.registry.metrics();
    expect(text).toContain(
      'vendor_calls_total{vendor="testvendor",operation="create",outcome="ok"} 1',
    );
    expect(text).toContain(
      'vendor_errors_total{vendor="testvendor",operation="create",code="VENDOR_HTTP"} 1',
    );
    expect(text).toContain(
      'vendor_call_duration_seconds_count{vendor="testvendor",operation="create"} 2',
    );
  });

  it('logs each call with the phone masked and no body or headers', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (l: string) => lines.push(l) });
    server.respond((_req, res) => res.end('{}'));
    await client({ logger }).call({
      ...create,
      headers: { 'api-key': 'top-secret-key' },
      phone: '0936004420',
    });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ phone: '093****420', operation: 'create' });
    expect(lines[0]).not.toContain('0936004420');
    expect(lines[0]).not.toContain('top-secret-key');
  });

  it('queues a burst beyond maxConcurrency instead of refusing it: every call is made', async () => {
    let inFlight = 0;
    let most = 0;
    server.respond((_req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        res.end('{"ok":true}');
      }, 20);
    });
    // 30 calls on 2 slots: 15 rounds of 20 ms, well within the 300 ms vendor timeout per wait.
    const http = client({ maxConcurrency: 2, timeoutMs: 2_000 });
    const results = await Promise.all(Array.from({ length: 30 }, () => http.call(create)));
    expect(results).toEqual(Array.from({ length: 30 }, () => ({ ok: true })));
    expect(server.seen).toHaveLength(30);
    expect(most).toBeLessThanOrEqual(2);
  });

  it('gives up on a call that waited for a slot past its queue timeout, without sending it', async () => {
    server.respond(() => {
      /* never answers: the one slot stays taken for the call's whole timeout */
    });
    const http = client({ maxConcurrency: 1, timeoutMs: 400, queueTimeoutMs: 100 });
    const first = failure(http.call(create));
    const second = await failure(http.call(create));
    expect(second).toMatchObject({ code: 'VENDOR_UNAVAILABLE', attempted: false });
    expect((await first).code).toBe('VENDOR_TIMEOUT');
    expect(server.seen).toHaveLength(1);
  });
});
