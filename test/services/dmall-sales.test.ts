import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogEligibility } from '../../src/domain/eligibility.js';
import type { Order } from '../../src/domain/order.js';
import { DmallSales } from '../../src/services/dmall-sales.js';
import { IdempotentRunner } from '../../src/services/idempotent.js';
import { IdempotencyStore } from '../../src/store/idempotency.js';
import { OrderStore } from '../../src/store/orders.js';
import { DmallClient, dmallSells } from '../../src/vendors/dmall/client.js';
import { createDmallSimulator } from '../../src/vendors/dmall/simulator.js';
import { GET_OTP_PATH, REGISTER_PATH } from '../../src/vendors/dmall/wire.js';
import { VendorHttp, VendorMetrics } from '../../src/vendors/http.js';
import { DIALECTS, type TestDatabase } from '../helpers/db.js';

/** The dmall sale service on its own: real stores, a real simulator, no GraphQL. */

const API_KEY = 'service-test-key';

describe.each(DIALECTS)('dmall sales on $name', ({ create }) => {
  let t: TestDatabase;
  let sim: ReturnType<typeof createDmallSimulator>;
  let http: VendorHttp;
  let sales: DmallSales;
  let changes: Order[];
  const client = 'pos-svc';

  beforeEach(async () => {
    t = create();
    await t.database.migrate();
    sim = createDmallSimulator({ apiKey: API_KEY, hangMs: 2_000 });
    http = new VendorHttp({
      vendor: 'dmall',
      baseUrl: await sim.listen(),
      timeoutMs: 1_000,
      maxBodyBytes: 65_536,
      readRetries: 2,
      breakerFailures: 1000,
      breakerHalfOpenMs: 1000,
      maxConcurrency: 20,
      metrics: new VendorMetrics(new Registry()),
      logger: pino({ level: 'silent' }),
    });
    const orders = new OrderStore(t.database);
    changes = [];
    sales = new DmallSales({
      orders,
      idempotent: new IdempotentRunner({
        store: new IdempotencyStore(t.database, { ttlHours: 24, abandonAfterMs: 60_000 }),
        secret: 'service-test-secret-of-32-characters',
        duplicateWaitMs: 5_000,
      }),
      dmall: new DmallClient({ http, apiKey: API_KEY }),
      eligibility: new CatalogEligibility(dmallSells),
      otp: {
        validitySeconds: 600,
        maxAttempts: 3,
        limits: { perPhoneHour: 100, perPhone10Min: 100, perClientMinute: 1000 },
      },
      onChange: (order) => changes.push(order),
      logger: pino({ level: 'silent' }),
    });
  });
  afterEach(async () => {
    await http.close();
    await sim.close();
    await t.dispose();
  });

  const requestOtp = (phone: string, packageCode = 'C120', key = randomUUID()) =>
    sales.requestOtp(client, { phone, packageCode, idempotencyKey: key });
  const register = (orderCode: string, otp = '123456', key = randomUUID()) =>
    sales.registerWithOtp(client, { orderCode, otp, idempotencyKey: key }, () => true);

  it('records the order before the vendor call and after, telling every change', async () => {
    const order = await requestOtp('0936 004 420', '6c120');
    expect(order).toMatchObject({ status: 'OTP_SENT', phone: '0936004420', packageCode: '6C120' });
    expect(JSON.parse(sim.callsTo(GET_OTP_PATH)[0]!.body)).toMatchObject({
      phone: '0936004420',
      productCode: '6C120',
      telcoCode: 'MOBIFONE',
    });
    const registered = await register(order.orderCode!);
    expect(registered).toMatchObject({ status: 'REGISTERED', registeredCode: '6C120' });
    expect(changes.map((o) => o.status)).toEqual([
      'PENDING',
      'OTP_SENT',
      'REGISTERING',
      'REGISTERED',
    ]);
  });

  it('makes one vendor call for 50 concurrent registerWithOtp with one key', async () => {
    const order = await requestOtp('0936000199', '6C120');
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        register(order.orderCode!, '123456', key).then(
          (o) => `ok:${o.status}`,
          (e: Error) => `error:${e.name}`,
        ),
      ),
    );
    expect(sim.callsTo(REGISTER_PATH)).toHaveLength(1);
    expect(new Set(results)).toEqual(new Set(['ok:REGISTERED']));
  });

  it('turns a refusal into FAILED with the vendor’s code, and a timeout into UNKNOWN', async () => {
    await expect(requestOtp('0930000001')).rejects.toMatchObject({
      name: 'VendorRejected',
      vendorCode: '1001',
    });
    await expect(requestOtp('0930000003')).rejects.toMatchObject({
      name: 'VendorUnavailable',
      reason: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
    });
    expect(changes.filter((o) => o.status !== 'PENDING').map((o) => [o.phone, o.status])).toEqual([
      ['0930000001', 'FAILED'],
      ['0930000003', 'UNKNOWN'],
    ]);
    expect(sim.callsTo(GET_OTP_PATH)).toHaveLength(2);
  });

  it('settles a registration whose reply was lost when it is registered again', async () => {
    const order = await requestOtp('0930000005');
    await expect(register(order.orderCode!)).rejects.toMatchObject({
      name: 'VendorUnavailable',
      outcomeUnknown: true,
    });
    const settled = await register(order.orderCode!);
    expect(settled).toMatchObject({ status: 'REGISTERED', registeredCode: 'C120' });
    expect(sim.callsTo(REGISTER_PATH)).toHaveLength(2);
  });

  it('fails an order whose code dmall already gave another order, saying so, and sells again', async () => {
    const first = await requestOtp('0936000160');
    sim.reuseOrderCode = first.orderCode;
    const err = await requestOtp('0936000161').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'VendorUnavailable', outcomeUnknown: false });
    expect((err as Error).message).toContain(`order code ${first.orderCode}`);
    expect(changes.at(-1)).toMatchObject({
      phone: '0936000161',
      status: 'FAILED',
      orderCode: null,
      failureCode: 'VENDOR_BAD_RESPONSE',
    });
    // The order that holds the code is untouched and registers.
    expect(await register(first.orderCode!)).toMatchObject({ status: 'REGISTERED' });
    // The failed order holds no open OTP: the phone can be sold a new one.
    expect(await requestOtp('0936000161')).toMatchObject({ status: 'OTP_SENT' });
    expect(sim.callsTo(GET_OTP_PATH)).toHaveLength(3);
  });

  it('counts wrong OTPs and locks the order at the limit', async () => {
    const order = await requestOtp('0936000150');
    for (const left of [2, 1, 0]) {
      await expect(register(order.orderCode!, '000000')).rejects.toMatchObject({
        name: 'OtpIncorrect',
        attemptsLeft: left,
      });
    }
    await expect(register(order.orderCode!)).rejects.toMatchObject({ name: 'OrderLocked' });
    expect(sim.callsTo(REGISTER_PATH)).toHaveLength(3);
  });
});
