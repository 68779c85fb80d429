import { createServer } from 'node:net';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLiveUpdates } from '../src/server/live-updates.js';
import { startTestGateway } from './helpers/gateway.js';
import { sales } from './helpers/sales.js';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
if (!TEST_REDIS_URL) console.warn('redis readiness: skipped (TEST_REDIS_URL unset)');

describe.skipIf(!TEST_REDIS_URL)('readiness with REDIS_URL', () => {
  it('is ready when Redis answers, from its first request: it starts once Redis is connected', async () => {
    const t = await startTestGateway({ REDIS_URL: TEST_REDIS_URL! });
    try {
      const res = await t.gateway.yoga.fetch('http://x/readyz');
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', problems: [] });
    } finally {
      await t.close();
    }
  });

  it('waits for the Redis connection at start, or says it is not there', async () => {
    const logger = pino({ level: 'silent' });
    const up = createLiveUpdates(TEST_REDIS_URL!, logger);
    const down = createLiveUpdates(`redis://127.0.0.1:${await closedPort()}`, logger);
    try {
      expect(await up.connected()).toBe(true);
      expect(up.redis?.status).toBe('ready');
      expect(await down.connected()).toBe(false);
      expect(await createLiveUpdates(null, logger).connected()).toBe(false);
    } finally {
      up.close();
      down.close();
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

describe.skipIf(!TEST_REDIS_URL)('vasSubscriptionChanged across instances', () => {
  it('reaches a subscriber on one instance when the change is seen on another', async () => {
    const [a, b] = await Promise.all([
      startTestGateway({ REDIS_URL: TEST_REDIS_URL! }),
      startTestGateway({ REDIS_URL: TEST_REDIS_URL! }),
    ]);
    const abort = new AbortController();
    try {
      const url = await a.gateway.listen();
      const res = await fetch(url, {
        method: 'POST',
        signal: abort.signal,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({
          query:
            'subscription { vasSubscriptionChanged(phone: "0945000777") { serviceId packageId active } }',
        }),
      });
      const reader = res.body!.getReader();
      let text = '';
      const received = (async () => {
        while (!text.includes('"vasSubscriptionChanged"')) {
          const { value, done } = await reader.read();
          if (done) break;
          text += new TextDecoder().decode(value);
        }
        return text;
      })();
      // A's Redis SUBSCRIBE may still be on its way: B notifies until A has heard one.
      let got: string | null = null;
      for (let i = 0; i < 50 && got === null; i++) {
        await b.gateway.vas.onNotification({
          queueId: String(8_000_000 + i + Math.floor(Math.random() * 1e6)),
          action: 'register',
          msisdn: '84945000777',
          phone: '0945000777',
          serviceId: '1000625',
          packageId: '1003013',
          channel: 'SMS',
          resultCode: '0',
          errorDesc: 'OK',
          regId: '1',
          commandCode: 'DK L1',
          serviceCode: '',
          packageCode: '',
          subpackageCode: '',
          price: '3000',
          originalPrice: '3000',
          autoRenew: true,
          subscribedAt: null,
          expiresAt: null,
          raw: { subcribeTime: '', expiredTime: '', updateTime: '', startTime: '' },
        });
        got = await Promise.race([
          received,
          new Promise<null>((r) => setTimeout(() => r(null), 100)),
        ]);
      }
      expect(got).toContain('"active":true');
    } finally {
      abort.abort();
      await Promise.all([a.close(), b.close()]);
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
