import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { ClientStore } from '../../src/store/clients.js';
import { createDmallSimulator } from '../../src/vendors/dmall/simulator.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * Everything the gateway logs (at debug, one line per vendor call included) and answers, for a
 * whole sale by an authenticated client: no API key, no vendor secret, no OTP, and no phone number
 * other than masked.
 */

const SECRET = 'log-capture-secret-of-32-characters!!';
const DMALL_KEY = 'dmall-secret-api-key-7f3a';
const PHONE = '0936004427';
const OTP = '123456';
const sim = createDmallSimulator({ apiKey: DMALL_KEY });
const lines: string[] = [];
const responses: string[] = [];
let t: TestGateway;
let apiKey: string;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  t = await startTestGateway(
    {
      DMALL_BASE_URL: await sim.listen(),
      DMALL_API_KEY: DMALL_KEY,
      GATEWAY_SECRET: SECRET,
      LOG_LEVEL: 'debug',
    },
    undefined,
    { logger: createLogger('debug', sink) },
  );
  apiKey = (await new ClientStore(t.gateway.db, SECRET).create('pos-logs', ['sales', 'ledger']))
    .key;
});
afterAll(async () => {
  await t.close();
  await sim.close();
});

async function call(query: string, variables: Record<string, unknown>) {
  const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  responses.push(text);
  return JSON.parse(text) as { data: Record<string, Record<string, unknown>> };
}

describe('logs and responses of a whole sale', () => {
  it('carry no key, secret, OTP or unmasked phone number', async () => {
    const otp = await call(
      `mutation ($input: RequestOtpInput!) { requestOtp(input: $input) {
        __typename ... on RequestOtpSuccess { orderCode order { id status } } } }`,
      { input: { phone: PHONE, packageCode: 'C120', idempotencyKey: randomUUID() } },
    );
    const orderCode = otp.data.requestOtp!.orderCode as string;
    // A wrong OTP first, then the right one: both go to the vendor.
    for (const code of ['654321', OTP]) {
      await call(
        `mutation ($input: RegisterWithOtpInput!) { registerWithOtp(input: $input) {
          __typename ... on Error { code message } ... on RegisterWithOtpSuccess { order { status } } } }`,
        { input: { orderCode, otp: code, idempotencyKey: randomUUID() } },
      );
    }
    await call('query ($c: String!) { order(code: $c) { status events { status detail } } }', {
      c: orderCode,
    });

    const logs = lines.join('');
    // The flow did log: the OTP request (masked phone) and a line per vendor call.
    expect(logs).toContain('"phone":"093****427"');
    expect(logs).toMatch(/"operation":"register-with-otp"/);
    expect(responses.join('')).toContain('"status":"REGISTERED"');

    for (const [what, text] of [
      ['logs', logs],
      ['responses', responses.join('\n')],
    ] as const) {
      expect(text, what).not.toContain(apiKey);
      expect(text, what).not.toContain(apiKey.slice(17));
      expect(text, what).not.toContain(DMALL_KEY);
      expect(text, what).not.toContain(SECRET);
      expect(text, what).not.toContain(OTP);
      expect(text, what).not.toContain('654321');
      for (const form of [PHONE, `84${PHONE.slice(1)}`, `+84${PHONE.slice(1)}`]) {
        expect(text, what).not.toContain(form);
      }
    }
  });
});
