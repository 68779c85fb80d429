import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t.close();
});

describe('GraphQL API', () => {
  it('answers subscriber() with the three forms and the telco', async () => {
    const res = await t.graphql(
      '{ subscriber(phone: "093.600.4420") { phone msisdn e164 telco } }',
    );
    expect(res).toEqual({
      data: {
        subscriber: {
          phone: '0936004420',
          msisdn: '84936004420',
          e164: '+84936004420',
          telco: 'MOBIFONE',
        },
      },
    });
  });

  it('rejects a malformed phone number with INVALID_PHONE_NUMBER', async () => {
    const res = await t.graphql('query ($p: String!) { subscriber(phone: $p) { telco } }', {
      p: '12345',
    });
    // `subscriber` is non-null (every well-formed number is a subscriber), so the error nulls `data`.
    expect(res.data).toBeNull();
    expect(res.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('Not a Vietnamese mobile number'),
        extensions: { code: 'INVALID_PHONE_NUMBER', typename: 'InvalidPhoneNumber' },
      }),
    ]);
  });

  it('lists MobiFone packages with prices', async () => {
    const res = await t.graphql('{ packages(telco: MOBIFONE) { code price cycleDays } }');
    expect(res).toEqual({
      data: {
        packages: [
          { code: 'C120', price: 120000, cycleDays: 30 },
          { code: '3C120', price: 360000, cycleDays: 90 },
          { code: '6C120', price: 720000, cycleDays: 180 },
        ],
      },
    });
  });

  it('serves GraphiQL with the example operations preloaded', async () => {
    const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
      headers: { accept: 'text/html' },
    });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('query Subscriber');
    expect(html).toContain('query Packages');
    expect(html).toContain('mutation Step2RequestOtp');
    // Served from the gateway itself: no script or stylesheet from a CDN.
    expect(html).not.toMatch(/<script[^>]+src=["']?https?:/);
    expect(html).not.toMatch(/<link[^>]+href=["']?https?:\/\/unpkg/);
  });
});

describe('operational endpoints', () => {
  it('/healthz answers 200', async () => {
    const res = await t.gateway.yoga.fetch('http://gateway.test/healthz');
    expect({ status: res.status, body: await res.text() }).toEqual({ status: 200, body: '' });
  });

  it('/readyz answers 200 when the database is migrated, 503 when it is not reachable', async () => {
    const ok = await t.gateway.yoga.fetch('http://gateway.test/readyz');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok', ready: true, problems: [] });
  });

  it('/metrics exposes HTTP, GraphQL operation and vendor metrics', async () => {
    // Labelled by name only for the operations of operations/; any other name is `other`.
    await t.graphql('query Packages { packages { code } }');
    await t.graphql('query Probe { packages { code } }');
    const res = await t.gateway.yoga.fetch('http://gateway.test/metrics');
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain('graphql_yoga_http_duration');
    expect(text).toMatch(/graphql_envelop_request_duration\w*\{[^}]*operationName="Packages"/);
    expect(text).toMatch(/graphql_envelop_request_duration\w*\{[^}]*operationName="other"/);
    expect(text).not.toContain('Probe');
    expect(text).toContain('# TYPE vendor_calls_total counter');
    expect(text).toContain('# TYPE vendor_errors_total counter');
    expect(text).toContain('# TYPE vendor_call_duration_seconds histogram');
    expect(text).toContain('# TYPE process_resident_memory_bytes gauge');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});

describe('unexpected errors', () => {
  it('reach the client masked, without message or stack, even with NODE_ENV=development', async () => {
    const other = await startTestGateway();
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    try {
      await other.gateway.db.close();
      const res = await other.graphql('{ orders { totalCount } }');
      expect(res.errors).toEqual([
        {
          message: 'Unexpected error.',
          locations: [{ line: 1, column: 3 }],
          path: ['orders'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ]);
    } finally {
      process.env.NODE_ENV = before;
      await other.close();
    }
  });
});

describe('readiness failure', () => {
  it('/readyz answers 503 once the database is closed', async () => {
    const other = await startTestGateway();
    await other.gateway.db.close();
    const res = await other.gateway.yoga.fetch('http://gateway.test/readyz');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { ready: boolean; problems: string[] };
    expect(body.ready).toBe(false);
    expect(body.problems[0]).toMatch(/database unreachable/);
    await other.close();
  });
});
