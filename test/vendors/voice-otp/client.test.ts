import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VendorError, VendorHttp, VendorMetrics } from '../../../src/vendors/http.js';
import { VoiceOtpClient, VoiceOtpRejected } from '../../../src/vendors/voice-otp/client.js';
import {
  CHECK_BALANCE_PATH,
  CHECK_VOICE_PATH,
  POST_SMS_CODES,
  POST_SMS_PATH,
  parseTextReply,
} from '../../../src/vendors/voice-otp/wire.js';

/** The client's requests and reply mapping, pinned with the vendor document's own samples. */

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/voice-otp/${name}`, import.meta.url), 'utf8');
const fixtureJson = (name: string) => JSON.parse(fixture(name)) as Record<string, unknown>;

const ORIGIN = 'http://voice-otp.test:8080';
const REQUEST_ID = '1dc7b7eb-a9e7-4162-91cd-6027d95b290c';
/** The document's sample credentials: checkVoice's and checkBalance's samples use these. */
const READ_CREDENTIALS = { username: 'zzzzzzz', password: 'xxxxxxxx', key: 'XXXXXXX' };
/** postSMS's sample uses others. */
const POST_CREDENTIALS = { username: 'ZZZZZZZZZZ', password: 'YYYYYYY', key: 'XXXXXXX' };

let agent: MockAgent;
let logLines: string[];

function client(credentials = POST_CREDENTIALS, level: pino.LevelWithSilent = 'silent') {
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const http = new VendorHttp({
    vendor: 'voiceOtp',
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
    logger: pino({ level }, sink),
    dispatcher: agent,
  });
  return new VoiceOtpClient({ http, ...credentials, sender: 'DAUS01' });
}

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  logLines = [];
});
afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
});

const pool = () => agent.get(ORIGIN);
/** Matches a JSON body by value, whatever the order of its fields. */
const jsonBody = (expected: unknown) => (body: string) => {
  try {
    expect(JSON.parse(body)).toEqual(expected);
    return true;
  } catch {
    return false;
  }
};
const postSms = (reply: string, status = 200) =>
  pool()
    .intercept({ path: POST_SMS_PATH, method: 'POST' })
    .reply(status, reply, { headers: { 'content-type': 'text/plain' } });
const checkVoice = (reply: string, status = 200) =>
  pool()
    .intercept({ path: CHECK_VOICE_PATH, method: 'POST' })
    .reply(status, reply, { headers: { 'content-type': 'text/plain' } });
const checkBalance = (reply: string, status = 200) =>
  pool()
    .intercept({ path: CHECK_BALANCE_PATH, method: 'POST' })
    .reply(status, reply, { headers: { 'content-type': 'application/json' } });

async function failure(promise: Promise<unknown>): Promise<VendorError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof VendorError)) throw new Error(`expected a VendorError, got ${err}`);
  return err;
}

describe('parseTextReply (the document: RESULT: code,,,request_id | RESULT: code)', () => {
  it.each([
    ['1,,,id-1', { code: '1', requestId: 'id-1' }],
    [fixture('post-sms-result-accepted.txt'), { code: '1', requestId: REQUEST_ID }],
    ['1;id-2', { code: '1', requestId: 'id-2' }],
    ['  RESULT :  1 , , , id-3 \r\n', { code: '1', requestId: 'id-3' }],
    ['result:1,,,id-4,', { code: '1', requestId: 'id-4' }],
    ['1,,;id-5', { code: '1', requestId: 'id-5' }],
    [fixture('post-sms-result-refused.txt'), { code: '-8', requestId: null }],
    ['-8', { code: '-8', requestId: null }],
    ['27', { code: '27', requestId: null }],
    [' +27 ', { code: '27', requestId: null }],
    ['RESULT: 23,,,', { code: '23', requestId: null }],
  ])('reads %j', (body, expected) => {
    expect(parseTextReply(body)).toEqual(expected);
  });

  it.each([
    '',
    'RESULT:',
    'OK',
    '1.5',
    '- 8',
    '<html><body>502 Bad Gateway (nginx)</body></html>',
    '{"code":1}',
    '1,,,two words',
  ])('refuses %j without quoting it', (body) => {
    expect(() => parseTextReply(body)).toThrow(/^the reply/);
  });
});

describe('VoiceOtpClient.placeCall (postSMS)', () => {
  it('sends the documented body and reads the accepted reply', async () => {
    pool()
      .intercept({
        path: POST_SMS_PATH,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: jsonBody(fixtureJson('post-sms-request.json')),
      })
      .reply(200, fixture('post-sms-result-accepted.txt'));
    await expect(client().placeCall('0360000000', '123456')).resolves.toEqual({
      requestId: REQUEST_ID,
    });
  });

  it.each([
    ['1,,,abc-1', 'abc-1'],
    ['RESULT: 1,,,abc-2', 'abc-2'],
    ['1;abc-3', 'abc-3'],
    [' RESULT : 1 ,,, abc-4 \n', 'abc-4'],
  ])('reads the accepted form %j', async (reply, requestId) => {
    postSms(reply);
    await expect(client().placeCall('0936004420', '42')).resolves.toEqual({ requestId });
  });

  const refusals = Object.entries(POST_SMS_CODES).filter(([code]) => code !== '27');
  it.each(refusals)(
    'turns code %s into a typed refusal with a known outcome',
    async (code, info) => {
      postSms(`RESULT: ${code}`);
      const err = await failure(client().placeCall('0936004420', '123456'));
      expect(err).toBeInstanceOf(VoiceOtpRejected);
      expect(err).toMatchObject({
        vendor: 'voiceOtp',
        code: 'VENDOR_REJECTED',
        vendorCode: code,
        reason: info.reason,
        vendorMessage: info.vi,
        outcomeUnknown: false,
        status: 200,
      });
      expect(err.message).toBe(`voiceOtp refused the call: ${info.en} (code ${code})`);
    },
  );

  it('reads -8 alone, without the RESULT prefix', async () => {
    postSms('-8');
    expect(await failure(client().placeCall('0936004420', '1'))).toMatchObject({
      vendorCode: '-8',
      reason: 'BALANCE_TOO_LOW',
    });
  });

  it('leaves code 27 (carrier gateway error, not refunded) with an unknown outcome, made once', async () => {
    postSms('27');
    expect(await failure(client().placeCall('0936004420', '123456'))).toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: '27',
      reason: 'CARRIER_GATEWAY_ERROR',
      outcomeUnknown: true,
    });
  });

  it('leaves a code the document does not list with an unknown outcome', async () => {
    postSms('RESULT: 99');
    expect(await failure(client().placeCall('0936004420', '123456'))).toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: '99',
      reason: 'UNLISTED_CODE',
      vendorMessage: null,
      outcomeUnknown: true,
    });
  });

  it.each([
    ['garbage', '<html><body>502 Bad Gateway (nginx)</body></html>'],
    ['an accepted code without a request id', '1'],
    ['an empty body', ''],
  ])('calls %s a bad response with an unknown outcome', async (_, reply) => {
    postSms(reply);
    expect(await failure(client().placeCall('0936004420', '123456'))).toMatchObject({
      code: 'VENDOR_BAD_RESPONSE',
      outcomeUnknown: true,
    });
  });

  it('never retries: a 503 is one call with a known outcome, a 504 one with an unknown one', async () => {
    postSms('Service Temporarily Unavailable', 503);
    expect(await failure(client().placeCall('0936004420', '123456'))).toMatchObject({
      code: 'VENDOR_HTTP',
      status: 503,
      outcomeUnknown: false,
    });
    postSms('gateway timeout', 504);
    expect(await failure(client().placeCall('0936004420', '123456'))).toMatchObject({
      code: 'VENDOR_HTTP',
      status: 504,
      outcomeUnknown: true,
    });
  });

  it('reads a code on a 4xx, and a 4xx without one as a refusal with a known outcome', async () => {
    postSms('-2', 403);
    expect(await failure(client().placeCall('0936004420', '123456'))).toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: '-2',
      reason: 'IP_NOT_ALLOWED',
      status: 403,
    });
    postSms('<html>401 Authorization Required</html>', 401);
    expect(await failure(client().placeCall('0936004420', '123456'))).toMatchObject({
      code: 'VENDOR_HTTP',
      status: 401,
      outcomeUnknown: false,
    });
  });

  it.each([
    ['0936004420', '1234567'],
    ['0936004420', ''],
    ['0936004420', '12a4'],
    ['0936004420', '１２３'],
    ['+84936004420', '123456'],
    ['936004420', '123456'],
  ])('refuses phone %j with code %j before any call', async (phone, code) => {
    // No interceptor: a call would fail the test (disableNetConnect).
    await expect(client().placeCall(phone, code)).rejects.toThrow(/local form|1 to 6 digits/);
  });
});

describe('VoiceOtpClient.callStatus (checkVoice)', () => {
  it('sends the documented body and reads pending', async () => {
    pool()
      .intercept({
        path: CHECK_VOICE_PATH,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: jsonBody(fixtureJson('check-voice-request.json')),
      })
      .reply(200, fixture('check-voice-result-pending.txt'));
    await expect(client(READ_CREDENTIALS).callStatus(REQUEST_ID)).resolves.toEqual({
      status: 'PENDING',
      vendorCode: '27',
    });
  });

  it.each([
    ['RESULT: 1', 'ANSWERED', '1'],
    ['1', 'ANSWERED', '1'],
    ['27', 'PENDING', '27'],
    [' RESULT: 23 ', 'FAILED', '23'],
  ])('reads %j as %s', async (reply, status, vendorCode) => {
    checkVoice(reply);
    await expect(client().callStatus(REQUEST_ID)).resolves.toEqual({ status, vendorCode });
  });

  it('turns an account code into a typed refusal', async () => {
    checkVoice('-1');
    const err = await failure(client().callStatus(REQUEST_ID));
    expect(err).toBeInstanceOf(VoiceOtpRejected);
    expect(err).toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: '-1',
      reason: 'USER_NOT_FOUND',
      outcomeUnknown: false,
    });
    expect(err.message).toBe("voiceOtp refused the call's status check: User not found (code -1)");
  });

  it('is a read: retried after 503s, within bounds', async () => {
    checkVoice('down', 503).times(2);
    checkVoice('1');
    await expect(client().callStatus(REQUEST_ID)).resolves.toEqual({
      status: 'ANSWERED',
      vendorCode: '1',
    });
  });

  it('gives up after the bounded retries', async () => {
    checkVoice('down', 503).times(3);
    expect(await failure(client().callStatus(REQUEST_ID))).toMatchObject({
      code: 'VENDOR_HTTP',
      status: 503,
      outcomeUnknown: false,
    });
  });
});

describe('VoiceOtpClient.balance (checkBalance)', () => {
  it('sends the documented body and reads the documented reply', async () => {
    pool()
      .intercept({
        path: CHECK_BALANCE_PATH,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: jsonBody(fixtureJson('check-balance-request.json')),
      })
      .reply(200, fixture('check-balance-success.json'));
    await expect(client(READ_CREDENTIALS).balance()).resolves.toEqual({ balance: 10 });
  });

  it('takes the code and the balance as numbers or strings', async () => {
    checkBalance('{"errorcode":1,"balance":"2500.5"}');
    await expect(client().balance()).resolves.toEqual({ balance: 2500.5 });
  });

  it('turns errorcode 0 (failure or wrong credentials) into a typed refusal', async () => {
    checkBalance('{"errorcode":"0","balance":0}');
    const err = await failure(client().balance());
    expect(err).toBeInstanceOf(VoiceOtpRejected);
    expect(err).toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: '0',
      reason: 'BALANCE_CHECK_REFUSED',
      vendorMessage: 'Không thành công hoặc sai user/pass/key',
      outcomeUnknown: false,
    });
  });

  it('calls another code an unlisted refusal', async () => {
    checkBalance('{"errorcode":"7"}');
    expect(await failure(client().balance())).toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: '7',
      reason: 'UNLISTED_CODE',
    });
  });

  it('calls a success without a balance a bad response (the HTTP layer retries no bad reply)', async () => {
    checkBalance('{"errorcode":"1"}');
    expect(await failure(client().balance())).toMatchObject({
      code: 'VENDOR_BAD_RESPONSE',
      outcomeUnknown: false,
    });
  });

  it('is retried after a 503', async () => {
    checkBalance('down', 503);
    checkBalance('{"errorcode":"1","balance":10}');
    await expect(client().balance()).resolves.toEqual({ balance: 10 });
  });
});

describe('secrets and the code', () => {
  it('never reach a log line or an error, at debug level, whatever the outcome', async () => {
    const secrets = { username: 'acct-user', password: 'p4ss-SECRET', key: 'k3y-SECRET' };
    const c = client(secrets, 'debug');
    const code = '987654';
    const phone = '0936004420';
    const errors: unknown[] = [];
    postSms(`1,,,${REQUEST_ID}`);
    await c.placeCall(phone, code);
    for (const reply of ['-8', '27', '<html>x</html>']) {
      postSms(reply);
      errors.push(await c.placeCall(phone, code).catch((e: unknown) => e));
    }
    checkVoice('27');
    await c.callStatus(REQUEST_ID);
    checkBalance('{"errorcode":"0"}');
    errors.push(await c.balance().catch((e: unknown) => e));

    expect(logLines.length).toBeGreaterThanOrEqual(6);
    expect(logLines.join('')).toContain('093****420');
    const seen = [
      ...logLines,
      ...errors.map((e) => {
        const err = e as VendorError;
        return `${err.message} ${err.stack} ${JSON.stringify(err)} ${String(err.cause)}`;
      }),
    ].join('\n');
    for (const secret of [code, phone, secrets.password, secrets.key]) {
      expect(seen).not.toContain(secret);
    }
  });
});
