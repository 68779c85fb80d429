import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { createTracing } from '../src/tracing.js';
import { testConfig } from './helpers/config.js';
import { startTestGateway } from './helpers/gateway.js';

/**
 * `OTEL_EXPORTER_OTLP_ENDPOINT` turns tracing on: spans go by OTLP/HTTP to `<endpoint>/v1/traces`
 * with the configured headers, and closing the gateway sends those still buffered. Unset, there
 * is no tracer at all.
 */

/** A collector on a loopback port that keeps what it is sent. */
async function collector() {
  const received: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];
  let arrived: () => void = () => {};
  const first = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      arrived();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/otlp/`,
    received,
    first,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('OTLP export', () => {
  it('sends the spans to <endpoint>/v1/traces with the headers, flushed on close', async () => {
    const otlp = await collector();
    const t = await startTestGateway({
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_SERVICE_NAME: 'gateway-under-test',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=abc%20def,X-Tenant=shop',
    });
    try {
      const answer = await t.graphql('{ subscriber(phone: "x") { telco } }');
      expect(answer.errors![0]!.extensions!.traceId).toMatch(/^[0-9a-f]{32}$/);
      // The batch would wait up to 5 s; closing the gateway sends it at once.
      await t.close();
      await otlp.first;
      const [sent] = otlp.received;
      expect(sent!.path).toBe('/otlp/v1/traces');
      expect(sent!.headers).toMatchObject({ 'x-collector-key': 'abc def', 'x-tenant': 'shop' });
      expect(sent!.body).toContain('gateway-under-test');
      expect(sent!.body).toContain(answer.errors![0]!.extensions!.traceId as string);
    } finally {
      await otlp.close();
    }
  });

  it('is off, with no tracer, when the endpoint is unset', () => {
    const config = testConfig();
    expect(config.tracing).toEqual({ endpoint: null, serviceName: 'telco-gateway', headers: {} });
    expect(createTracing(config.tracing)).toBeNull();
  });

  it('refuses a bad endpoint or headers without repeating them', () => {
    const refusal = (env: Record<string, string>) => {
      try {
        testConfig(env);
      } catch (err) {
        if (err instanceof ConfigError) return err.message;
        throw err;
      }
      throw new Error('accepted');
    };
    expect(refusal({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toContain(
      'OTEL_EXPORTER_OTLP_ENDPOINT: must be an http:// or https:// URL',
    );
    const headers = refusal({ OTEL_EXPORTER_OTLP_HEADERS: 'secret-token-without-name' });
    expect(headers).toContain('OTEL_EXPORTER_OTLP_HEADERS: must be name=value pairs');
    expect(headers).not.toContain('secret-token');
  });
});
