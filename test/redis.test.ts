import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startTestGateway } from './helpers/gateway.js';

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

  it('is not ready while Redis is unreachable', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const t = await startTestGateway({ REDIS_URL: `redis://127.0.0.1:${port}` });
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
