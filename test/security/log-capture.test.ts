import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { ClientStore } from '../../src/store/clients.js';
import { createDmallSimulator } from '../../src/vendors/dmall/simulator.js';
import type { VoiceOtpSimulator } from '../../src/vendors/voice-otp/simulator.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * Everything the gateway logs (at debug, one line per vendor call included) and answers, for a
 * whole sale by an authenticated client: no API key, no vendor secret, no OTP, and no phone number
 * other than masked.
 */

const SECRET = 'log-capture-secret-of-32-characters!!';
const DMALL_KEY = 'dmall-secret-api-key-7f3a';
const PHONE = '0936004427';
const VAS_PHONE = '0912004428';
const VERIFY_PHONE = '0936004429';
const OA_ID = '4368496040005551';
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
  apiKey = (
    await new ClientStore(t.gateway.db, SECRET).create('pos-logs', [
      'sales',
      'ledger',
      'vas',
      'verify',
      'oa',
    ])
  ).key;
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

describe('logs and responses of a sale, a VAS registration, a verification, an OA purchase', () => {
  it('carry no key, secret, OTP, verification code or unmasked phone number', async () => {
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

    await call(
      `mutation ($input: RegisterVasPackageInput!) { registerVasPackage(input: $input) {
        __typename ... on RegisterVasPackageSuccess { transaction { id status } } } }`,
      { input: { phone: VAS_PHONE, serviceId: '1000161', packageId: '1003013', channel: 'APP' } },
    );
    const started = await call(
      `mutation ($input: StartPhoneVerificationInput!) { startPhoneVerification(input: $input) {
        __typename ... on StartPhoneVerificationSuccess { verification { id status } } } }`,
      { input: { phone: VERIFY_PHONE, channel: 'VOICE' } },
    );
    const verificationId = (started.data.startPhoneVerification!.verification as { id: string }).id;
    const heard = (t.gateway.sandbox.simulators.voiceOtp as VoiceOtpSimulator).calls.at(
      -1,
    )!.message;
    const checked = await call(
      `mutation ($input: CheckPhoneVerificationInput!) { checkPhoneVerification(input: $input) {
        __typename ... on CheckPhoneVerificationSuccess { verification { status } } } }`,
      { input: { id: verificationId, code: heard } },
    );
    expect(JSON.stringify(checked)).toContain('APPROVED');
    await call(
      `mutation ($input: PurchaseOAPackageInput!) { purchaseOAPackage(input: $input) {
        __typename ... on PurchaseOAPackageSuccess { oaPackage { id status } } } }`,
      {
        input: {
          oaId: OA_ID,
          tier: 'TRIAL',
          activeFrom: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10),
          duration: 1,
        },
      },
    );

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
      // As a number of its own (not the middle of a timestamp or an id).
      for (const code of [OTP, '654321', heard]) {
        expect(text, what).not.toMatch(new RegExp(`(?<!\\d)${code}(?!\\d)`));
      }
      for (const phone of [PHONE, VAS_PHONE, VERIFY_PHONE]) {
        for (const form of [phone, `84${phone.slice(1)}`, `+84${phone.slice(1)}`]) {
          expect(text, what).not.toContain(form);
        }
      }
    }
  });
});
