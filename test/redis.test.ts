import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startTestGateway } from './helpers/gateway.js';
import { sales } from './helpers/sales.js';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
if (!TEST_REDIS_URL) console.warn('redis readiness: skipped (TEST_REDIS_URL unset)');

describe.skipIf(!TEST_REDIS_URL)('readiness with REDIS_URL', () => {
  it('is ready when Redis answers', async () => {
    const t = await startTestGateway({ REDIS_URL: TEST_REDIS_URL! });
    try {
      await expect
        .poll(async () => (await t.gateway.yoga.fetch('http://x/readyz')).status)
        .toBe(200);
    } finally {
      await t.close();
    }
  });

  it('keeps selling while Redis is unreachable: live updates are best effort', async () => {
    const t = await startTestGateway({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    try {
      const s = sales(t);
      const { order } = await s.requestOtp('0936000401', 'C120');
      const res = await s.register(order!.orderCode, '123456');
      expect(res).toMatchObject({ __typename: 'RegisterWithOtpSuccess' });
      // Let any dropped publish promise settle inside this test.
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      await t.close();
    }
  });

  it('is not ready while Redis is unreachable and REDIS_REQUIRED=true', async () => {
    const t = await startTestGateway({
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
      REDIS_REQUIRED: 'true',
    });
    try {
      const res = await t.gateway.yoga.fetch('http://x/readyz');
      expect(res.status).toBe(503);
      expect(((await res.json()) as { problems: string[] }).problems).toEqual([
        expect.stringMatching(/^redis unreachable/),
      ]);
    } finally {
      await t.close();
    }
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}
