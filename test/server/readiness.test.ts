import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startTestGateway } from '../helpers/gateway.js';

/** Redis carries live updates only: without it the gateway sells on, and says so. */

describe('/readyz with Redis unreachable', () => {
  it('answers 200 degraded with the reason, and exports it as gauges', async () => {
    const t = await startTestGateway({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    try {
      const res = await t.gateway.yoga.fetch('http://gateway.test/readyz');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        status: 'degraded',
        ready: true,
        problems: [expect.stringMatching(/^redis unreachable/)],
      });
      const metrics = await (await t.gateway.yoga.fetch('http://gateway.test/metrics')).text();
      expect(metrics).toContain('gateway_dependency_up{dependency="redis"} 0');
      expect(metrics).toContain('gateway_dependency_up{dependency="database"} 1');
      expect(metrics).toContain('gateway_readiness{state="degraded"} 1');
      expect(metrics).toContain('gateway_readiness{state="ok"} 0');
    } finally {
      await t.close();
    }
  });

  it('answers 503 unavailable when REDIS_REQUIRED=true', async () => {
    const t = await startTestGateway({
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
      REDIS_REQUIRED: 'true',
    });
    try {
      const res = await t.gateway.yoga.fetch('http://gateway.test/readyz');
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'unavailable', ready: false });
    } finally {
      await t.close();
    }
  });
});

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}
