import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VendorError, VendorHttp, VendorMetrics } from '../../../src/vendors/http.js';
import { VascloudClient } from '../../../src/vendors/vascloud/client.js';
import { vascloud } from '../../../src/vendors/vascloud/index.js';
import {
  createVascloudSimulator,
  type VascloudSimulator,
} from '../../../src/vendors/vascloud/simulator.js';
import {
  CHECK_PATH,
  CheckServiceInfoReply,
  CheckServiceInfoRequest,
  NotifierResponse,
  NotifyMessage,
  notifierResponse,
  parseVasXml,
  REG_PATH,
  type VasNotification,
} from '../../../src/vendors/vascloud/wire.js';
import { loopbackServer } from '../../helpers/loopback.js';

/** The client against the simulator on a real loopback port: state, magic numbers, exact wire. */

let sim: VascloudSimulator;
let http: VendorHttp;
let client: VascloudClient;
const CP_URL = 'http://127.0.0.1:1/vascloud/v1/notify_sub';

beforeAll(async () => {
  sim = createVascloudSimulator({ hangMs: 5_000 });
  await sim.listen();
  http = new VendorHttp({
    vendor: 'vascloud',
    baseUrl: sim.url,
    timeoutMs: 1_000,
    maxBodyBytes: 65536,
    readRetries: 2,
    retryInitialDelayMs: 1,
    retryMaxDelayMs: 2,
    breakerFailures: 1000,
    breakerHalfOpenMs: 1000,
    maxConcurrency: 4,
    metrics: new VendorMetrics(new Registry()),
    logger: pino({ level: 'silent' }),
  });
  client = new VascloudClient({ http, cpUrl: CP_URL });
});
afterEach(() => {
  sim.requests.length = 0;
});
afterAll(async () => {
  await http.close();
  await sim.close();
});

const pkg = (phone: string, serviceId = '1000625', packageId = '1003013') => ({
  phone,
  serviceId,
  packageId,
  channel: 'APP',
});

async function failure(promise: Promise<unknown>): Promise<VendorError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VendorError);
  return err as VendorError;
}

const post = (path: string, body: string) =>
  fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body,
  });

describe('vascloud simulator: subscriptions', () => {
  it('check inactive, register, check active, cancel, check inactive', async () => {
    const ref = pkg('0945989325');
    await expect(client.checkServiceInfo(ref)).resolves.toMatchObject({ active: false });
    const registered = await client.register({ ...ref, price: '3000' });
    expect(registered).toMatchObject({ action: 'register', msisdn: '84945989325' });
    await expect(client.checkServiceInfo(ref)).resolves.toMatchObject({ active: true });
    expect(sim.subscription('84945989325', '1000625', '1003013')).toMatchObject({
      active: true,
      channel: 'APP',
      autoRenew: true,
      history: [{ queueId: registered.queueId, action: 'register' }],
    });
    const cancelled = await client.cancel(ref);
    expect(cancelled.action).toBe('cancel');
    await expect(client.checkServiceInfo(ref)).resolves.toMatchObject({ active: false });
    expect(sim.subscription('84945989325', '1000625', '1003013')?.active).toBe(false);
    // Another package of the same subscriber was never touched.
    await expect(
      client.checkServiceInfo(pkg('0945989325', '1000625', '1003014')),
    ).resolves.toMatchObject({ active: false });
  });

  it('receives the exact wire: XML bodies with 84 MSISDNs, the client ids, regType 1 and 2', async () => {
    const ref = pkg('0912 555 756');
    const check = await client.checkServiceInfo({ ...ref, note: 'CSKH' });
    const reg = await client.register(ref);
    await client.cancel(ref);

    const [checkCall] = sim.callsTo(CHECK_PATH);
    expect(checkCall?.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(CheckServiceInfoRequest.parse(parseVasXml(checkCall?.body ?? ''))).toEqual({
      RQST: {
        name: 'CheckServiceInfo',
        requestid: check.requestId,
        msisdn: '84912555756',
        service: '1000625',
        package: '1003013',
        note: 'CSKH',
        service_url: CP_URL,
        channel: 'APP',
      },
    });
    const regCalls = sim.callsTo(REG_PATH).map((r) => {
      return NotifyMessage.parse(parseVasXml(r.body)).ACCESSGW.COMMAND;
    });
    expect(regCalls).toMatchObject([
      { queueID: reg.queueId, regType: '1', msisdn: '84912555756', cpURL: CP_URL, autoRenew: '1' },
      { regType: '2', msisdn: '84912555756', autoRenew: '0' },
    ]);
    expect(regCalls[1]?.queueID).not.toBe(reg.queueId);
  });

  it('keeps ids with leading zeros as exact text through the simulator', async () => {
    const ref = pkg('0945989326', '0001000625', '007');
    await client.register(ref);
    await expect(client.checkServiceInfo(ref)).resolves.toMatchObject({
      serviceId: '0001000625',
      packageId: '007',
      active: true,
    });
    expect(sim.subscription('84945989326', '0001000625', '007')?.active).toBe(true);
    expect(sim.subscription('84945989326', '1000625', '7')).toBeUndefined();
  });

  it('refuses a second registration and a cancellation of an inactive package (error_id 1)', async () => {
    const ref = pkg('0945989327');
    await client.register(ref);
    expect(await failure(client.register(ref))).toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: '1',
      vendorMessage: 'Thue bao da dang ky goi cuoc',
      outcomeUnknown: false,
    });
    expect(await failure(client.cancel(pkg('0945989328')))).toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: '1',
      vendorMessage: 'Thue bao chua dang ky goi cuoc',
    });
  });

  it('checks the body shape: malformed, DOCTYPE and incomplete bodies get error_id 1', async () => {
    for (const [path, body] of [
      [CHECK_PATH, '<RQST><name>CheckServiceInfo</name>'],
      [CHECK_PATH, '<!DOCTYPE x [<!ENTITY a "a">]><RQST><name>&a;</name></RQST>'],
      [
        CHECK_PATH,
        '<RQST><name>CheckServiceInfo</name><requestid>12</requestid><msisdn>0945989325</msisdn></RQST>',
      ],
    ] as const) {
      const res = await post(path, body);
      const rply = CheckServiceInfoReply.parse(parseVasXml(await res.text())).RPLY;
      expect(rply.error_id).toBe('1');
      expect(rply.error_desc).toMatch(/^Sai hoac thieu tham so/);
    }
    const res = await post(
      REG_PATH,
      '<ACCESSGW><MODULE>SDP</MODULE><MESSAGE_TYPE>NOTIFY</MESSAGE_TYPE><COMMAND><queueID>77</queueID></COMMAND></ACCESSGW>',
    );
    const command = NotifierResponse.parse(parseVasXml(await res.text())).ACCESSGW.COMMAND;
    expect(command).toMatchObject({ error_id: '1', queueID: '77' });
    expect(command.error_desc).toContain('ACCESSGW.COMMAND');
    expect(
      [...sim.subscriptions.values()].some((s) => s.history.some((h) => h.queueId === '77')),
    ).toBe(false);
  });
});

describe('vascloud simulator: magic numbers', () => {
  it('0000001 answers error_id 1 at both calls, changing nothing', async () => {
    const ref = pkg('0930000001');
    expect(await failure(client.checkServiceInfo(ref))).toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: '1',
    });
    expect(await failure(client.register(ref))).toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: '1',
      outcomeUnknown: false,
    });
    expect(sim.subscription('84930000001', '1000625', '1003013')).toBeUndefined();
  });

  it('0000002 answers 503: the read is retried, the registration made once', async () => {
    const ref = pkg('0930000002');
    expect(await failure(client.checkServiceInfo(ref))).toMatchObject({
      code: 'VENDOR_HTTP',
      status: 503,
    });
    expect(sim.callsTo(CHECK_PATH)).toHaveLength(3);
    expect(await failure(client.register(ref))).toMatchObject({ code: 'VENDOR_HTTP' });
    expect(sim.callsTo(REG_PATH)).toHaveLength(1);
  });

  it('0000003 hangs: a registration times out once, outcome unknown, nothing done', async () => {
    const ref = pkg('0930000003');
    expect(await failure(client.register(ref))).toMatchObject({
      code: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
    });
    expect(sim.callsTo(REG_PATH)).toHaveLength(1);
    expect(sim.subscription('84930000003', '1000625', '1003013')).toBeUndefined();
    expect(await failure(client.checkServiceInfo(ref))).toMatchObject({
      code: 'VENDOR_TIMEOUT',
      outcomeUnknown: false,
    });
    expect(sim.callsTo(CHECK_PATH)).toHaveLength(3);
  });

  it('0000004 answers garbage: a bad response, unknown outcome for the registration', async () => {
    const ref = pkg('0930000004');
    expect(await failure(client.register(ref))).toMatchObject({
      code: 'VENDOR_BAD_RESPONSE',
      outcomeUnknown: true,
    });
    expect(await failure(client.checkServiceInfo(ref))).toMatchObject({
      code: 'VENDOR_BAD_RESPONSE',
    });
  });

  it('0000005 registers then hangs: the reply is lost, CheckServiceInfo tells the truth', async () => {
    const ref = pkg('0930000005');
    expect(await failure(client.register(ref))).toMatchObject({
      code: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
    });
    expect(sim.callsTo(REG_PATH)).toHaveLength(1);
    await expect(client.checkServiceInfo(ref)).resolves.toMatchObject({ active: true });
  });

  it('0000006 hangs once without acting; the next registration goes through', async () => {
    const ref = pkg('0930000006');
    expect(await failure(client.register(ref))).toMatchObject({
      code: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
    });
    await expect(client.checkServiceInfo(ref)).resolves.toMatchObject({ active: false });
    await expect(client.register(ref)).resolves.toMatchObject({ action: 'register' });
    await expect(client.checkServiceInfo(ref)).resolves.toMatchObject({ active: true });
    expect(sim.callsTo(REG_PATH)).toHaveLength(2);
  });
});

describe('vascloud simulator: notifications to the gateway (cpURL)', () => {
  it('notifySubscription changes its state and sends the ACCESSGW NOTIFY of an SMS DK L1', async () => {
    const gateway = await loopbackServer();
    try {
      gateway.respond((_req, res, body) => {
        const c = NotifyMessage.parse(parseVasXml(body)).ACCESSGW.COMMAND;
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(
          notifierResponse('0', 'successfully', {
            queueID: c.queueID,
            msisdn: c.msisdn,
            service_id: c.service_id,
            package_id: c.package_id,
          }),
        );
      });
      const url = `${gateway.url}/vascloud/v1/notify_sub`;
      const record = await sim.notifySubscription({
        url,
        msisdn: '84945000111',
        serviceId: '1000625',
        packageId: '1003013',
        action: 'register',
      });
      expect(record).toMatchObject({ status: 200, error: null });
      expect(sim.subscription('84945000111', '1000625', '1003013')?.active).toBe(true);
      await expect(client.checkServiceInfo(pkg('0945000111'))).resolves.toMatchObject({
        active: true,
      });

      const [received] = gateway.seen;
      expect(received).toMatchObject({ method: 'POST', url: '/vascloud/v1/notify_sub' });
      expect(received?.headers['content-type']).toBe('text/xml; charset=utf-8');
      const command = NotifyMessage.parse(parseVasXml(received?.body ?? '')).ACCESSGW.COMMAND;
      expect(command).toMatchObject({
        msisdn: '84945000111',
        regType: '1',
        channel: 'SMS',
        commandcode: 'DK L1',
        cpURL: url,
        resultCode: '0',
      });
      const reply = NotifierResponse.parse(parseVasXml(record.reply ?? '')).ACCESSGW.COMMAND;
      expect(reply).toMatchObject({ error_id: '0', queueID: command.queueID });

      // The gateway's own route reads what the simulator sends.
      const events: VasNotification[] = [];
      const [route] =
        vascloud.inbound?.({
          config: { baseUrl: sim.url, timeoutMs: 1_000, cpUrl: url, notifyAllow: null },
          client,
          logger: pino({ level: 'silent' }),
          deliver: async (e) => {
            events.push(e);
          },
        }) ?? [];
      const res = await route!.handle(
        new Request(url, { method: 'POST', body: received?.body ?? '' }),
      );
      expect(res.status).toBe(200);
      expect(events).toMatchObject([
        { action: 'register', phone: '0945000111', queueId: command.queueID, commandCode: 'DK L1' },
      ]);

      await sim.notifySubscription({
        url,
        msisdn: '84945000111',
        serviceId: '1000625',
        packageId: '1003013',
        action: 'cancel',
      });
      expect(sim.subscription('84945000111', '1000625', '1003013')?.active).toBe(false);
      expect(gateway.seen[1]?.body).toContain('<commandcode>HUY L1</commandcode>');
    } finally {
      await gateway.close();
    }
  });

  it('uses the configured cpUrl by default, and records a gateway that is down', async () => {
    const down = createVascloudSimulator({ cpUrl: 'http://127.0.0.1:9/vascloud/v1/notify_sub' });
    const record = await down.notifySubscription({
      msisdn: '84945000112',
      serviceId: '1',
      packageId: '2',
      action: 'register',
    });
    expect(record.url).toBe('http://127.0.0.1:9/vascloud/v1/notify_sub');
    expect(record.status).toBeNull();
    expect(record.error).not.toBeNull();
    expect(down.callbacks).toHaveLength(1);
  });
});
