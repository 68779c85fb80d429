import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * GraphQL over HTTP conformance: the `graphql-http` package's audits, run against the app in
 * process. Every MUST and SHOULD passes. Three MAY audits send GET requests without a CSRF
 * header, which the gateway refuses on purpose (README "Security"); with the header they pass.
 */

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t.close();
});

async function audit(extra: Record<string, string>) {
  const audits = serverAudits({
    url: 'http://gateway.test/graphql',
    fetchFn: (input: RequestInfo, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      for (const [k, v] of Object.entries(extra)) headers.set(k, v);
      return t.gateway.yoga.fetch(String(input), { ...init, headers });
    },
  });
  const failed: string[] = [];
  for (const a of audits) {
    const result = await a.fn();
    if (result.status !== 'ok') failed.push(a.name);
  }
  return { count: audits.length, failed };
}

describe('graphql-http server audits', () => {
  it('pass every MUST and SHOULD as any client sends them', async () => {
    const { count, failed } = await audit({});
    expect(count).toBeGreaterThanOrEqual(60);
    expect(failed.filter((name) => !name.startsWith('MAY '))).toEqual([]);
    expect(failed).toEqual([
      'MAY accept application/x-www-form-urlencoded formatted GET requests',
      'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json',
      'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json',
    ]);
  });

  it('pass all of them with the CSRF header a non-browser client sends', async () => {
    expect(await audit({ 'x-graphql-yoga-csrf': '1' })).toMatchObject({ failed: [] });
  });
});
