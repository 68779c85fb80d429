import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VendorError, VendorHttp, VendorMetrics } from '../../../src/vendors/http.js';
import { effectiveSection } from '../../../src/vendors/index.js';
import { startSimulators } from '../../../src/vendors/sandbox.js';
import { VoiceOtpClient } from '../../../src/vendors/voice-otp/client.js';
import { voiceOtp } from '../../../src/vendors/voice-otp/index.js';
import {
  createVoiceOtpSimulator,
  type VoiceOtpSimulator,
} from '../../../src/vendors/voice-otp/simulator.js';
import {
  CHECK_BALANCE_PATH,
  CHECK_VOICE_PATH,
  POST_SMS_CODES,
  POST_SMS_PATH,
} from '../../../src/vendors/voice-otp/wire.js';
import { testConfig } from '../../helpers/config.js';

/**
 * The client against the simulator on a real loopback port: the wire the simulator receives,
 * its state (calls, balance, pending → answered), its checks and the sandbox magic numbers.
 * The simulator's clock is the test's, so a call settles when the test says, not after a wait.
 */

const CREDENTIALS = {
  username: 'sim-user',
  password: 'sim-pass',
  key: 'sim-key',
  sender: 'DAUSO1',
};
const SETTLE_MS = 5_000;

let sim: VoiceOtpSimulator;
let clock: number;
const https: VendorHttp[] = [];

beforeAll(async () => {
  sim = createVoiceOtpSimulator({
    ...CREDENTIALS,
    hangMs: 3_000,
    settleAfterMs: SETTLE_MS,
    balance: 100,
    callCost: 2,
    now: () => clock,
  });
  await sim.listen();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  // Each test starts an hour later: no call of an earlier test is "too recent" (code 6).
  clock = Date.parse('2026-11-23T08:00:00Z') + (sim.requests.length + 1) * 3_600_000;
  sim.requests.length = 0;
  sim.state.balance = 100;
});
afterEach(async () => {
  await Promise.all(https.splice(0).map((h) => h.close()));
});

function client(overrides: Partial<typeof CREDENTIALS> = {}, baseUrl = sim.url) {
  const http = new VendorHttp({
    vendor: 'voiceOtp',
    baseUrl,
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
  https.push(http);
  return new VoiceOtpClient({ http, ...CREDENTIALS, ...overrides });
}

async function failure(promise: Promise<unknown>): Promise<VendorError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof VendorError)) throw new Error(`expected a VendorError, got ${err}`);
  return err;
}

const bodies = (path: string) => sim.callsTo(path).map((r) => JSON.parse(r.body) as unknown);
/** A raw request, for what the client never sends (it checks phone and code itself). */
async function raw(path: string, body: unknown) {
  const res = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.text() };
}
const account = { username: 'sim-user', pass: 'sim-pass', key: 'sim-key' };

describe('a call, as the vendor keeps it', () => {
  it('is placed, billed, pending, then answered once the delay has passed', async () => {
    const c = client();
    const { requestId } = await c.placeCall('0936004420', '123456');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    // The exact wire postSMS received.
    const [received] = sim.callsTo(POST_SMS_PATH);
    expect(received).toMatchObject({ method: 'POST' });
    expect(received!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(received!.body)).toEqual({
      username: 'sim-user',
      pass: 'sim-pass',
      sender: 'DAUSO1',
      key: 'sim-key',
      phonesend: '0936004420',
      message: '123456',
    });
    expect(sim.calls.at(-1)).toMatchObject({ requestId, phone: '0936004420', message: '123456' });
    await expect(c.balance()).resolves.toEqual({ balance: 98 });

    await expect(c.callStatus(requestId)).resolves.toEqual({ status: 'PENDING', vendorCode: '27' });
    clock += SETTLE_MS - 1;
    await expect(c.callStatus(requestId)).resolves.toEqual({ status: 'PENDING', vendorCode: '27' });
    clock += 1;
    await expect(c.callStatus(requestId)).resolves.toEqual({ status: 'ANSWERED', vendorCode: '1' });
    expect(bodies(CHECK_VOICE_PATH)).toEqual(Array(3).fill({ ...account, request_id: requestId }));
    expect(bodies(CHECK_BALANCE_PATH)).toEqual([account]);
    expect(sim.calls.at(-1)!.checks).toBe(3);
    // Reads spend nothing.
    await expect(c.balance()).resolves.toEqual({ balance: 98 });
  });

  it('fails (23) for a number ending 0000323, and stays pending for one ending 0000327', async () => {
    const c = client();
    const failed = await c.placeCall('0930000323', '11');
    const never = await c.placeCall('0930000327', '22');
    clock += SETTLE_MS;
    await expect(c.callStatus(failed.requestId)).resolves.toEqual({
      status: 'FAILED',
      vendorCode: '23',
    });
    clock += 24 * 3_600_000;
    await expect(c.callStatus(never.requestId)).resolves.toEqual({
      status: 'PENDING',
      vendorCode: '27',
    });
  });

  it('answers 11 for a request id it never gave out', async () => {
    expect(await failure(client().callStatus('no-such-call'))).toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: '11',
      reason: 'INVALID_PARAMETERS',
    });
  });

  it('refuses the same digits to the same number within the window (6), not after it', async () => {
    const c = client();
    await c.placeCall('0936004421', '5555');
    await c.placeCall('0936004422', '5555'); // another number
    await c.placeCall('0936004421', '5556'); // other digits
    expect(await failure(c.placeCall('0936004421', '5555'))).toMatchObject({
      vendorCode: '6',
      reason: 'REPEATED_CONTENT',
      outcomeUnknown: false,
    });
    clock += 30_000;
    await expect(c.placeCall('0936004421', '5555')).resolves.toHaveProperty('requestId');
    expect(sim.state.balance).toBe(100 - 4 * 2);
  });

  it('answers -8 once the balance cannot pay for a call, and places nothing', async () => {
    sim.state.balance = 3;
    const c = client();
    await c.placeCall('0936004423', '1');
    const placed = sim.calls.length;
    expect(await failure(c.placeCall('0936004424', '1'))).toMatchObject({
      vendorCode: '-8',
      reason: 'BALANCE_TOO_LOW',
      outcomeUnknown: false,
    });
    expect(sim.calls).toHaveLength(placed);
    await expect(c.balance()).resolves.toEqual({ balance: 1 });
  });
});

describe('the account checks', () => {
  it.each([
    ['username', { username: 'someone' }],
    ['pass', { password: 'wrong' }],
    ['key', { key: 'wrong' }],
  ])(
    'refuses a wrong %s: -1 on postSMS and checkVoice, errorcode 0 on checkBalance',
    async (_, bad) => {
      const c = client(bad);
      for (const call of [c.placeCall('0936004425', '1'), c.callStatus('x')]) {
        expect(await failure(call)).toMatchObject({
          vendorCode: '-1',
          reason: 'USER_NOT_FOUND',
          outcomeUnknown: false,
        });
      }
      expect(await failure(c.balance())).toMatchObject({
        vendorCode: '0',
        reason: 'BALANCE_CHECK_REFUSED',
      });
      expect(sim.state.balance).toBe(100);
    },
  );

  it('refuses a sender the account has not declared (5)', async () => {
    expect(await failure(client({ sender: 'OTHER' }).placeCall('0936004426', '1'))).toMatchObject({
      vendorCode: '5',
      reason: 'BRANDNAME_NOT_DECLARED',
    });
  });

  it.each([
    ['0936 004 420', '1', '-4'],
    ['01681234567', '1', '31'],
    ['0123456789', '1', '10'],
    ['093600442', '1', '10'],
    ['0936004427', '１２３', '20'],
    ['0936004427', '1234567', '11'],
    ['0936004427', '', '11'],
  ])('answers phonesend %j, message %j with code %s', async (phonesend, message, code) => {
    const reply = await raw(POST_SMS_PATH, {
      ...account,
      sender: 'DAUSO1',
      phonesend,
      message,
    });
    expect(reply).toEqual({ status: 200, body: code });
  });

  it('answers a malformed body with HTTP 400: code 11, or errorcode 0 on checkBalance', async () => {
    expect(await raw(POST_SMS_PATH, 'not json')).toEqual({ status: 400, body: '11' });
    expect(await raw(CHECK_VOICE_PATH, { ...account })).toEqual({ status: 400, body: '11' });
    const balance = await raw(CHECK_BALANCE_PATH, '[]');
    expect(balance.status).toBe(400);
    expect(JSON.parse(balance.body)).toEqual({ errorcode: '0', balance: 0 });
  });
});

describe('magic numbers', () => {
  const listed = Object.entries(POST_SMS_CODES).filter(([code]) => code !== '27');
  it.each(
    listed.map(([code, info]) => {
      const n = Math.abs(Number(code));
      const phone = `0930000${Number(code) < 0 ? 2 : 1}${String(n).padStart(2, '0')}`;
      return [phone, code, info.reason] as const;
    }),
  )('%s: postSMS answers %s (%s), placing nothing', async (phone, code, reason) => {
    expect(await failure(client().placeCall(phone, '1'))).toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: code,
      reason,
      outcomeUnknown: false,
    });
    expect(sim.state.balance).toBe(100);
    expect(sim.callsTo(POST_SMS_PATH)).toHaveLength(1);
  });

  it('0000127: postSMS bills the call and answers 27, so its outcome is unknown', async () => {
    const err = await failure(client().placeCall('0930000127', '1'));
    expect(err).toMatchObject({ vendorCode: '27', outcomeUnknown: true });
    expect(sim.calls.at(-1)).toMatchObject({ phone: '0930000127', requestId: null });
    expect(sim.state.balance).toBe(98);
    expect(sim.callsTo(POST_SMS_PATH)).toHaveLength(1);
  });

  it('0000001: postSMS answers 7 (the subscriber refuses)', async () => {
    expect(await failure(client().placeCall('0930000001', '1'))).toMatchObject({
      vendorCode: '7',
      reason: 'SUBSCRIBER_REFUSES',
      outcomeUnknown: false,
    });
  });

  it('0000002: postSMS answers 503, once, with a known outcome', async () => {
    expect(await failure(client().placeCall('0930000002', '1'))).toMatchObject({
      code: 'VENDOR_HTTP',
      status: 503,
      outcomeUnknown: false,
    });
    expect(sim.callsTo(POST_SMS_PATH)).toHaveLength(1);
  });

  it('0000003: postSMS hangs: a timeout with an unknown outcome, not repeated, nothing placed', async () => {
    const placed = sim.calls.length;
    expect(await failure(client().placeCall('0930000003', '1'))).toMatchObject({
      code: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
    });
    expect(sim.callsTo(POST_SMS_PATH)).toHaveLength(1);
    expect(sim.calls).toHaveLength(placed);
  });

  it('0000004: postSMS answers garbage: a bad response with an unknown outcome', async () => {
    expect(await failure(client().placeCall('0930000004', '1'))).toMatchObject({
      code: 'VENDOR_BAD_RESPONSE',
      outcomeUnknown: true,
    });
    expect(sim.callsTo(POST_SMS_PATH)).toHaveLength(1);
  });

  it('0000005: postSMS places and bills the call, then hangs: its outcome is unknown', async () => {
    expect(await failure(client().placeCall('0930000005', '1'))).toMatchObject({
      code: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
    });
    expect(sim.callsTo(POST_SMS_PATH)).toHaveLength(1);
    expect(sim.calls.at(-1)).toMatchObject({ phone: '0930000005' });
    expect(sim.state.balance).toBe(98);
  });

  it('0000006: the first postSMS hangs without placing, the next goes through', async () => {
    const c = client();
    const placed = sim.calls.length;
    expect(await failure(c.placeCall('0930000006', '1'))).toMatchObject({
      code: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
    });
    expect(sim.calls).toHaveLength(placed);
    await expect(c.placeCall('0930000006', '1')).resolves.toHaveProperty('requestId');
    expect(sim.callsTo(POST_SMS_PATH)).toHaveLength(2);
    expect(sim.state.balance).toBe(98);
  });
});

describe('the module in sandbox', () => {
  it('starts the simulator with the sandbox credentials, and its client speaks to it', async () => {
    const section = testConfig().voiceOtp;
    expect(section.baseUrl).toBeNull();
    const sandbox = await startSimulators([voiceOtp], { voiceOtp: section });
    try {
      const effective = effectiveSection(voiceOtp, section, sandbox.urls.voiceOtp)!;
      const http = new VendorHttp({
        vendor: 'voiceOtp',
        baseUrl: effective.baseUrl!,
        timeoutMs: 1000,
        maxBodyBytes: 65536,
        readRetries: 0,
        breakerFailures: 100,
        breakerHalfOpenMs: 1000,
        maxConcurrency: 2,
        metrics: new VendorMetrics(new Registry()),
        logger: pino({ level: 'silent' }),
      });
      https.push(http);
      const c = voiceOtp.client!({ http, config: effective, logger: pino({ level: 'silent' }) });
      const { requestId } = await c.placeCall('0936004420', '123456');
      await expect(c.callStatus(requestId)).resolves.toMatchObject({ status: 'PENDING' });
      await expect(c.balance()).resolves.toEqual({ balance: 999 });
      const received = sandbox.simulators.voiceOtp!.callsTo(POST_SMS_PATH)[0]!;
      expect(JSON.parse(received.body)).toMatchObject({
        username: voiceOtp.sandbox!.credentials.username,
        pass: voiceOtp.sandbox!.credentials.password,
        key: voiceOtp.sandbox!.credentials.key,
        sender: 'DAUSO1',
      });
    } finally {
      await sandbox.close();
    }
  });
});
