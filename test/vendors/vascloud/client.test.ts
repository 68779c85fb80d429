import { readFileSync } from 'node:fs';
import pino from 'pino';
import { Registry } from 'prom-client';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VendorError, VendorHttp, VendorMetrics } from '../../../src/vendors/http.js';
import { VascloudClient } from '../../../src/vendors/vascloud/client.js';
import {
  CheckServiceInfoRequest,
  formatVnTime,
  NotifyMessage,
  parseVasXml,
  parseVnTime,
  toNotification,
  VasXmlError,
} from '../../../src/vendors/vascloud/wire.js';

/** The client's requests and reply mapping, pinned with the vendor document's own samples. */

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/vascloud/${name}`, import.meta.url), 'utf8');

const ORIGIN = 'https://vascloud.test';
const CHECK = '/vascloud/v1/notify_check.html';
const REG = '/vascloud/v1/notify_reg.html';
const CP_URL = 'https://gateway.test/vascloud/v1/notify_sub';
const NOW = new Date('2017-10-03T09:49:46.000Z'); // 16:49:46 in Vietnam

let agent: MockAgent;
let client: VascloudClient;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  const http = new VendorHttp({
    vendor: 'vascloud',
    baseUrl: ORIGIN,
    timeoutMs: 1000,
    maxBodyBytes: 65536,
    readRetries: 2,
    retryInitialDelayMs: 1,
    retryMaxDelayMs: 2,
    breakerFailures: 100,
    breakerHalfOpenMs: 1000,
    maxConcurrency: 2,
    metrics: new VendorMetrics(new Registry()),
    logger: pino({ level: 'silent' }),
    dispatcher: agent,
  });
  client = new VascloudClient({ http, cpUrl: CP_URL, now: () => NOW });
});
afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
});

const pool = () => agent.get(ORIGIN);
/** Intercepts one POST to `path`, keeping the body it received. */
function expectPost(path: string, status: number, reply: string) {
  const seen: { body?: string; contentType?: string } = {};
  pool()
    .intercept({
      path,
      method: 'POST',
      headers: (h) => {
        seen.contentType = h['content-type'];
        return true;
      },
      body: (b) => {
        seen.body = b;
        return true;
      },
    })
    .reply(status, reply, { headers: { 'content-type': 'text/xml; charset=utf-8' } });
  return seen;
}

const check = {
  phone: '0912555755',
  serviceId: '1000161',
  packageId: '1003013',
  channel: 'WEB',
  note: 'CSKH',
  requestId: '1494245578082',
};
const registration = {
  phone: '+84 945 989 325',
  serviceId: '1000625',
  packageId: '1003013',
  channel: 'APP',
  price: '3000',
  serviceCode: 'LOVETV',
  packageCode: 'NGAY',
  subpackageCode: 'NGAY',
  queueId: '5196664',
};

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

describe('VascloudClient.checkServiceInfo', () => {
  it('sends the documented RQST and maps the documented success (status 1)', async () => {
    const seen = expectPost(CHECK, 200, fixture('check-reply-success.xml'));
    await expect(client.checkServiceInfo(check)).resolves.toEqual({
      requestId: '1494245578082',
      msisdn: '84912555755',
      serviceId: '1000161',
      packageId: '1003013',
      active: true,
      message: 'Success',
    });
    expect(seen.contentType).toBe('text/xml; charset=utf-8');
    expect(seen.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><RQST><name>CheckServiceInfo</name>' +
        '<requestid>1494245578082</requestid><msisdn>84912555755</msisdn>' +
        '<service>1000161</service><package>1003013</package><note>CSKH</note>' +
        `<service_url>${CP_URL}</service_url><channel>WEB</channel></RQST>`,
    );
    // The document's own request sample, its placeholder URL filled in, reads as ours does.
    const sample = fixture('check-request.xml').replace('URL CP cung cấp', CP_URL);
    expect(CheckServiceInfoRequest.parse(parseVasXml(sample))).toEqual(
      CheckServiceInfoRequest.parse(parseVasXml(seen.body ?? '')),
    );
  });

  it('maps status 0 to a package the subscriber does not hold', async () => {
    expectPost(
      CHECK,
      200,
      fixture('check-reply-success.xml').replace('<status>1</status>', '<status>0</status>'),
    );
    await expect(client.checkServiceInfo(check)).resolves.toMatchObject({ active: false });
  });

  it('reads error_id 1 as a rejection with the vendor code and message, not retried', async () => {
    expectPost(CHECK, 200, fixture('check-reply-error.xml'));
    const err = await failure(client.checkServiceInfo(check));
    expect(err).toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: '1',
      vendorMessage: 'Sai hoac thieu tham so',
      message: 'Sai hoac thieu tham so',
      outcomeUnknown: false,
    });
  });

  it('keeps an undocumented error_id as sent, and reads 00 as success', async () => {
    expectPost(
      CHECK,
      200,
      fixture('check-reply-error.xml').replace('<error_id>1</error_id>', '<error_id>07</error_id>'),
    );
    expect(await failure(client.checkServiceInfo(check))).toMatchObject({ vendorCode: '07' });
    expectPost(
      CHECK,
      200,
      fixture('check-reply-success.xml').replace(
        '<error_id>0</error_id>',
        '<error_id>00</error_id>',
      ),
    );
    await expect(client.checkServiceInfo(check)).resolves.toMatchObject({ active: true });
  });

  it('is a read: a 503 is retried within the configured bounds', async () => {
    pool().intercept({ path: CHECK, method: 'POST' }).reply(503, 'busy').times(2);
    expectPost(CHECK, 200, fixture('check-reply-success.xml'));
    await expect(client.checkServiceInfo(check)).resolves.toMatchObject({ active: true });
  });

  it('keeps ids and the MSISDN as exact text, leading zeros included', async () => {
    const seen = expectPost(
      CHECK,
      200,
      fixture('check-reply-success.xml')
        .replace('<service>1000161</service>', '<service>0001000161</service>')
        .replace('<package>1003013</package>', '<package>007</package>')
        .replace('1494245578082', '0001494245578082'),
    );
    const result = await client.checkServiceInfo({
      ...check,
      serviceId: '0001000161',
      packageId: '007',
      requestId: '0001494245578082',
    });
    expect(result).toMatchObject({
      serviceId: '0001000161',
      packageId: '007',
      requestId: '0001494245578082',
    });
    expect(seen.body).toContain('<service>0001000161</service><package>007</package>');
    expect(seen.body).toContain('<requestid>0001494245578082</requestid>');
  });

  it('calls a reply for another requestid a bad response', async () => {
    expectPost(CHECK, 200, fixture('check-reply-success.xml'));
    const err = await failure(client.checkServiceInfo({ ...check, requestId: '42' }));
    expect(err.code).toBe('VENDOR_BAD_RESPONSE');
  });

  it('calls an HTML page with status 200 a bad response', async () => {
    expectPost(CHECK, 200, '<html><body>502 Bad Gateway (nginx)</body></html>');
    expect((await failure(client.checkServiceInfo(check))).code).toBe('VENDOR_BAD_RESPONSE');
  });

  it('refuses a DOCTYPE (billion laughs) before parsing: nothing is expanded', async () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from(
        { length: 9 },
        (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
      ).join('') +
      ']><RPLY name="CheckServiceInfo"><error_id>0</error_id><error_desc>&lol9;</error_desc></RPLY>';
    expectPost(CHECK, 200, laughs);
    const err = await failure(client.checkServiceInfo(check));
    expect(err.code).toBe('VENDOR_BAD_RESPONSE');
    expect(err.cause).toBeInstanceOf(VasXmlError);
    expect(err.cause).toMatchObject({ reason: 'doctype' });
    expect(() => parseVasXml(laughs)).toThrow('a DOCTYPE is not accepted');
  });

  it('reads <__proto__> as malformed and pollutes nothing', async () => {
    expectPost(
      CHECK,
      200,
      fixture('check-reply-success.xml').replace(
        '<status>1</status>',
        '<status>1</status><__proto__><polluted>yes</polluted></__proto__>',
      ),
    );
    expect((await failure(client.checkServiceInfo(check))).code).toBe('VENDOR_BAD_RESPONSE');
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads a 4xx that is not the vendor XML as a refusal', async () => {
    expectPost(CHECK, 403, '<html>403 Forbidden</html>');
    expect(await failure(client.checkServiceInfo(check))).toMatchObject({
      code: 'VENDOR_HTTP',
      status: 403,
      outcomeUnknown: false,
    });
  });
});

describe('VascloudClient.register and cancel (notify_reg)', () => {
  const expectedCommand = (regType: string, autoRenew: string, price: string) =>
    '<?xml version="1.0" encoding="UTF-8"?><ACCESSGW><MODULE>SDP</MODULE>' +
    '<MESSAGE_TYPE>NOTIFY</MESSAGE_TYPE><COMMAND><queueID>5196664</queueID>' +
    '<resultCode></resultCode><errorDesc></errorDesc>' +
    `<startTime>${NOW.getTime()}</startTime><startTimeCP>${NOW.getTime()}</startTimeCP>` +
    `<cpURL>${CP_URL}</cpURL><regID>5196664</regID><msisdn>84945989325</msisdn>` +
    `<regType>${regType}</regType><channel>APP</channel><service_id>1000625</service_id>` +
    `<package_id>1003013</package_id><originalprice>${price}</originalprice>` +
    `<price>${price}</price><commandcode></commandcode><serviceCode>LOVETV</serviceCode>` +
    '<packageCode>NGAY</packageCode><subpackageCode>NGAY</subpackageCode>' +
    `<autoRenew>${autoRenew}</autoRenew><subcribeTime>20171003164946</subcribeTime>` +
    '<expiredTime></expiredTime><updateTime></updateTime></COMMAND></ACCESSGW>';

  it('registers: sends the documented NOTIFY (regType 1) and maps the documented RESPONSE', async () => {
    const seen = expectPost(REG, 200, fixture('notify-reply-success.xml'));
    await expect(client.register(registration)).resolves.toEqual({
      action: 'register',
      queueId: '5196664',
      msisdn: '84945989325',
      serviceId: '1000625',
      packageId: '1003013',
      message: 'successfully',
    });
    expect(seen.contentType).toBe('text/xml; charset=utf-8');
    expect(seen.body).toBe(expectedCommand('1', '1', '3000'));
    // The document's own NOTIFY sample has the same elements as ours.
    const ours = NotifyMessage.parse(parseVasXml(seen.body ?? '')).ACCESSGW.COMMAND;
    const theirs = NotifyMessage.parse(parseVasXml(fixture('notify-request.xml'))).ACCESSGW.COMMAND;
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
  });

  it('cancels with regType 2', async () => {
    const { price: _p, ...cancellation } = registration;
    const seen = expectPost(REG, 200, fixture('notify-reply-success.xml'));
    await expect(client.cancel(cancellation)).resolves.toMatchObject({
      action: 'cancel',
      queueId: '5196664',
    });
    expect(seen.body).toBe(expectedCommand('2', '0', ''));
  });

  it('generates a unique numeric queueID when none is given and returns it', async () => {
    const seen = expectPost(REG, 200, fixture('notify-reply-success.xml'));
    const ids = [client.newQueueId(), client.newQueueId(), client.newRequestId()];
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[1-9]\d{15}$/);
    const { queueId: _q, ...withoutId } = registration;
    const err = await failure(client.register(withoutId));
    // The fixture echoes another queueID: an unmatched echo is a bad response, outcome unknown.
    expect(err).toMatchObject({ code: 'VENDOR_BAD_RESPONSE', outcomeUnknown: true });
    const sentId = /<queueID>(\d+)<\/queueID>/.exec(seen.body ?? '')?.[1];
    expect(sentId).toMatch(/^[1-9]\d{15}$/);
    expect(BigInt(sentId ?? '0')).toBeGreaterThan(BigInt(ids[2] ?? '0'));
  });

  it('reads error_id 1 as a rejection with a known outcome, made once', async () => {
    expectPost(
      REG,
      200,
      fixture('notify-reply-success.xml')
        .replace('<error_id>0</error_id>', '<error_id>1</error_id>')
        .replace('successfully', 'Thue bao da dang ky goi cuoc'),
    );
    expect(await failure(client.register(registration))).toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: '1',
      vendorMessage: 'Thue bao da dang ky goi cuoc',
      outcomeUnknown: false,
    });
  });

  it('is never retried: a 503 fails at once', async () => {
    expectPost(REG, 503, 'Service Temporarily Unavailable');
    expect(await failure(client.register(registration))).toMatchObject({
      code: 'VENDOR_HTTP',
      status: 503,
    });
  });

  it('leaves the outcome unknown on a 504 from a proxy and on an unreadable 200', async () => {
    expectPost(REG, 504, 'Gateway Time-out');
    expect(await failure(client.register(registration))).toMatchObject({
      code: 'VENDOR_HTTP',
      outcomeUnknown: true,
    });
    expectPost(REG, 200, '<html><body>502 Bad Gateway (nginx)</body></html>');
    expect(await failure(client.register(registration))).toMatchObject({
      code: 'VENDOR_BAD_RESPONSE',
      outcomeUnknown: true,
    });
  });

  it('escapes values in the request body', async () => {
    const seen = expectPost(REG, 200, fixture('notify-reply-success.xml'));
    await client.register({ ...registration, serviceCode: 'A&B<C>' });
    expect(seen.body).toContain('<serviceCode>A&amp;B&lt;C&gt;</serviceCode>');
  });
});

describe('vascloud wire mappers', () => {
  it('maps the documented NOTIFY sample to a notification', () => {
    const message = NotifyMessage.parse(parseVasXml(fixture('notify-request.xml')));
    expect(toNotification(message.ACCESSGW.COMMAND)).toEqual({
      queueId: '5196664',
      action: 'register',
      msisdn: '84945989325',
      phone: '0945989325',
      serviceId: '1000625',
      packageId: '1003013',
      channel: 'SMS',
      resultCode: '0',
      errorDesc: 'OK',
      regId: '15375326',
      commandCode: 'DK L1',
      serviceCode: 'LOVETV',
      packageCode: 'NGAY',
      subpackageCode: 'NGAY',
      price: '3000',
      originalPrice: '3000',
      autoRenew: true,
      subscribedAt: new Date('2017-10-03T09:49:46.000Z'),
      expiresAt: new Date('2017-10-03T17:00:00.000Z'),
      raw: {
        subcribeTime: '20171003164946',
        expiredTime: '20171004000000',
        updateTime: '',
        startTime: '1507024188340',
      },
    });
  });

  it('reads and writes Vietnam time, refusing impossible dates', () => {
    expect(formatVnTime(NOW)).toBe('20171003164946');
    expect(parseVnTime('20171003164946')).toEqual(NOW);
    expect(parseVnTime('20171332000000')).toBeNull();
    expect(parseVnTime('')).toBeNull();
  });

  it('refuses malformed XML and non-XML as typed errors', () => {
    expect(() => parseVasXml('<RPLY><a>1</RPLY>')).toThrow(VasXmlError);
    expect(() => parseVasXml('{"json": true}')).toThrow(VasXmlError);
    expect(() => parseVasXml('')).toThrow(VasXmlError);
  });
});
