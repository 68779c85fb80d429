import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import type { VoiceOtpSimulator } from '../src/vendors/voice-otp/simulator.js';
import { POST_SMS_PATH } from '../src/vendors/voice-otp/wire.js';
import { sqliteDatabase } from './helpers/db.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

/** The call caps and the fraud guard through GraphQL, on an injected clock (nothing sleeps). */

const SEND = `mutation ($input: SendVoiceOtpInput!) {
  sendVoiceOtp(input: $input) {
    __typename
    ... on SendVoiceOtpSuccess { voiceCall { id status } }
    ... on Error { code message }
    ... on VoiceCallRateLimited { callLimit retryAfterSeconds }
    ... on VoiceCallPrefixBlocked { prefix retryAfterSeconds }
  }
}`;
const START = `mutation ($input: StartPhoneVerificationInput!) {
  startPhoneVerification(input: $input) {
    __typename
    ... on StartPhoneVerificationSuccess { verification { id status } }
    ... on Error { code message }
    ... on VoiceCallRateLimited { callLimit retryAfterSeconds }
    ... on VoiceCallPrefixBlocked { prefix retryAfterSeconds }
  }
}`;
const CHECK = `mutation ($input: CheckPhoneVerificationInput!) {
  checkPhoneVerification(input: $input) {
    __typename
    ... on CheckPhoneVerificationSuccess { verification { status } }
  }
}`;

type Answer = Record<string, unknown> & { __typename: string };

let t: TestGateway | null = null;
let clock = Date.parse('2026-11-23T01:00:00.000Z');
let n = 0;
const key = () => `voice-limits-${++n}-${Date.now()}`;

afterEach(async () => {
  await t?.close();
  t = null;
});

async function start(env: Record<string, string>, logger?: pino.Logger) {
  clock = Date.parse('2026-11-23T01:00:00.000Z');
  t = await startTestGateway(env, sqliteDatabase(), {
    now: () => new Date(clock),
    ...(logger ? { logger } : {}),
  });
  const sim = t.gateway.sandbox.simulators.voiceOtp as VoiceOtpSimulator;
  sim.state.settleAfterMs = 60_000;
  return sim;
}

async function gql(query: string, input: Record<string, unknown>, client: string) {
  const res = await t!.graphql<Record<string, Answer>>(query, { input }, { 'x-client-id': client });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return Object.values(res.data!)[0]!;
}
const send = (phone: string, client = 'shop-a') =>
  gql(SEND, { phone, code: '4821', idempotencyKey: key() }, client);
const verify = (phone: string, client = 'shop-a') =>
  gql(START, { phone, channel: 'VOICE', idempotencyKey: key() }, client);

async function metrics(): Promise<string> {
  return (await t!.gateway.yoga.fetch('http://gateway.test/metrics')).text();
}

describe('per-client caps', () => {
  it('refuses a client’s calls past its daily cap, without asking the vendor, until the first leaves the day', async () => {
    const sim = await start({
      VOICE_CALLS_PER_CLIENT_DAY: '5',
      VOICE_CALLS_PER_CLIENT_MINUTE: '2',
    });
    // Two a minute, five a day, over different phones and both kinds of call.
    expect((await send('0936001000')).__typename).toBe('SendVoiceOtpSuccess');
    expect((await verify('0936001001')).__typename).toBe('StartPhoneVerificationSuccess');
    expect(await send('0936001009')).toMatchObject({
      __typename: 'VoiceCallRateLimited',
      code: 'VOICE_CALL_RATE_LIMITED',
      callLimit: 'CLIENT_PER_MINUTE',
      retryAfterSeconds: 60,
    });
    clock += 60_000;
    expect((await send('0936001002')).__typename).toBe('SendVoiceOtpSuccess');
    expect((await verify('0936001003')).__typename).toBe('StartPhoneVerificationSuccess');
    clock += 60_000;
    expect((await send('0936001004')).__typename).toBe('SendVoiceOtpSuccess');
    const daily = await verify('0936001006');
    expect(daily).toEqual({
      __typename: 'VoiceCallRateLimited',
      code: 'VOICE_CALL_RATE_LIMITED',
      callLimit: 'CLIENT_PER_DAY',
      retryAfterSeconds: 86_400 - 120,
      message:
        'This client placed 5 calls in the last 24 hours; no call was placed. Try again in 86280 s.',
    });
    expect(sim.callsTo(POST_SMS_PATH)).toHaveLength(5);
    // A refused call used up nothing: its key is free for the retry once the window allows.
    const retryKey = key();
    const refusedAgain = await gql(
      SEND,
      { phone: '0936001010', code: '4821', idempotencyKey: retryKey },
      'shop-a',
    );
    expect(refusedAgain).toMatchObject({ callLimit: 'CLIENT_PER_DAY' });
    // Another client is not held back by this one's cap.
    expect((await send('0936001007', 'shop-b')).__typename).toBe('SendVoiceOtpSuccess');
    clock = Date.parse('2026-11-24T01:00:00.000Z');
    const retried = await gql(
      SEND,
      { phone: '0936001010', code: '4821', idempotencyKey: retryKey },
      'shop-a',
    );
    expect(retried.__typename).toBe('SendVoiceOtpSuccess');

    const text = await metrics();
    expect(text).toContain('voice_calls_refused_total{client="shop-a",reason="CLIENT_PER_DAY"} 2');
    expect(text).toContain(
      'voice_calls_refused_total{client="shop-a",reason="CLIENT_PER_MINUTE"} 1',
    );
    expect(text).toContain('voice_calls_placed_total{client="shop-a",kind="otp"} 4');
    expect(text).toContain('voice_calls_placed_total{client="shop-a",kind="verification"} 2');
    expect(text).toContain('voice_calls_placed_total{client="shop-b",kind="otp"} 1');
  });
});

describe('the fraud guard', () => {
  it('blocks a prefix whose calls do not convert, logs and counts it, and lets calls through after the cool-down', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info', timestamp: false },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const sim = await start(
      {
        VOICE_GUARD_MAX_UNCONVERTED: '3',
        VOICE_GUARD_WINDOW_SECONDS: '3600',
        VOICE_GUARD_COOLDOWN_SECONDS: '900',
      },
      logger,
    );
    // One verification approved: its call converted.
    const ok = await verify('0937100001', 'pump-app');
    const approved = await gql(
      CHECK,
      {
        id: (ok.verification as { id: string }).id,
        code: sim.calls.findLast((c) => c.phone === '0937100001')!.message,
      },
      'pump-app',
    );
    expect(approved).toMatchObject({ verification: { status: 'APPROVED' } });
    // Three that never convert, spread over the window.
    for (const phone of ['0937100002', '0937100003', '0937100004']) {
      expect((await verify(phone, 'pump-app')).__typename).toBe('StartPhoneVerificationSuccess');
      clock += 300_000;
    }
    const callsBefore = sim.callsTo(POST_SMS_PATH).length;
    const tripped = await verify('0937100005', 'pump-app');
    expect(tripped).toEqual({
      __typename: 'VoiceCallPrefixBlocked',
      code: 'VOICE_CALL_PREFIX_BLOCKED',
      prefix: '09371',
      retryAfterSeconds: 900,
      message:
        'Calls to numbers starting 09371 are paused for 900 s: too many recent calls to them led to no approved verification. No call was placed.',
    });
    // Any client, any kind of call, any number of the prefix; other prefixes go through.
    clock += 600_000;
    expect(await send('0937199999', 'honest-shop')).toMatchObject({
      __typename: 'VoiceCallPrefixBlocked',
      retryAfterSeconds: 300,
    });
    expect(sim.callsTo(POST_SMS_PATH)).toHaveLength(callsBefore);
    expect((await send('0937200001', 'honest-shop')).__typename).toBe('SendVoiceOtpSuccess');

    const log = lines.join('');
    expect(log).toContain('voice guard blocked a number prefix');
    expect(log).toContain('"prefix":"09371"');
    expect(log).toContain('"phone":"093****005"');
    expect(log).not.toContain('0937100005');
    expect(log).not.toContain('0937199999');
    const text = await metrics();
    expect(text).toContain('voice_guard_blocks_total 1');
    expect(text).toContain(
      'voice_calls_refused_total{client="pump-app",reason="PREFIX_BLOCKED"} 1',
    );
    expect(text).toContain(
      'voice_calls_refused_total{client="honest-shop",reason="PREFIX_BLOCKED"} 1',
    );
    expect(text).toContain(
      'phone_verifications_ended_total{client="pump-app",outcome="APPROVED"} 1',
    );

    // Cooled down: calls to the prefix are placed again.
    clock += 300_000;
    expect((await send('0937199999', 'honest-shop')).__typename).toBe('SendVoiceOtpSuccess');
    expect((await verify('0937100005', 'pump-app')).__typename).toBe(
      'StartPhoneVerificationSuccess',
    );
  });
});

describe('configuration', () => {
  it('reads the voice caps and the guard with their defaults, and refuses a cap of 0', () => {
    expect(loadConfig({}).voice).toMatchObject({
      limits: { perPhone10Min: 3, perPhoneDay: 10, perClientMinute: 30, perClientDay: 1000 },
      guard: { windowSeconds: 3600, maxUnconverted: 20, cooldownSeconds: 3600 },
    });
    expect(loadConfig({ VOICE_GUARD_MAX_UNCONVERTED: '0' }).voice.guard.maxUnconverted).toBe(0);
    let problems: string[] = [];
    try {
      loadConfig({ VOICE_CALLS_PER_PHONE_10MIN: '0', VOICE_CALLS_PER_CLIENT_DAY: 'many' });
    } catch (err) {
      if (err instanceof ConfigError) problems = err.problems;
    }
    expect(problems).toEqual([
      'VOICE_CALLS_PER_PHONE_10MIN: must be 1 or more',
      'VOICE_CALLS_PER_CLIENT_DAY: must be a number',
    ]);
  });
});
