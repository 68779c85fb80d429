import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { VendorMetrics } from '../../../src/vendors/http.js';
import { createVendors } from '../../../src/vendors/index.js';
import { startSimulators } from '../../../src/vendors/sandbox.js';
import { vascloud } from '../../../src/vendors/vascloud/index.js';
import type { VascloudSimulator } from '../../../src/vendors/vascloud/simulator.js';
import { testConfig } from '../../helpers/config.js';

/** The module as the gateway builds it in sandbox: client on the simulator, route mounted. */

describe('vascloud module in sandbox', () => {
  it('builds the client on the simulator and mounts the notification route', async () => {
    const config = testConfig({ VASCLOUD_CP_URL: 'http://127.0.0.1:4000/sdp/notify' });
    const sandbox = await startSimulators(
      [vascloud],
      { vascloud: config.vascloud },
      { hangMs: 1000 },
    );
    const vendors = createVendors(config, {
      sandbox,
      metrics: new VendorMetrics(new Registry()),
      logger: pino({ level: 'silent' }),
      modules: [vascloud] as const,
    });
    try {
      const sim = sandbox.simulators.vascloud as VascloudSimulator;
      await vendors.vascloud.register({
        phone: '0945989325',
        serviceId: '1000625',
        packageId: '1003013',
        channel: 'WEB',
      });
      expect(sim.subscription('84945989325', '1000625', '1003013')?.active).toBe(true);
      expect(sim.callsTo()[0]?.body).toContain('<cpURL>http://127.0.0.1:4000/sdp/notify</cpURL>');

      const [route] = vendors.routes;
      expect(route).toMatchObject({ method: 'POST', path: '/sdp/notify' });
      const seen: unknown[] = [];
      vendors.listen('vascloud', async (event) => {
        seen.push(event);
      });
      const body = sim.callsTo()[0]?.body ?? '';
      const res = await route!.handle(
        new Request('http://gw/sdp/notify', { method: 'POST', body }),
      );
      expect(res.status).toBe(200);
      expect(seen).toMatchObject([{ action: 'register', phone: '0945989325' }]);
    } finally {
      await vendors.close();
      await sandbox.close();
    }
  });
});
