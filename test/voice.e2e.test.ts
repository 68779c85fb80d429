import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { VoiceOtpSimulator } from '../src/vendors/voice-otp/simulator.js';
import { CHECK_VOICE_PATH, POST_SMS_PATH } from '../src/vendors/voice-otp/wire.js';
import { sqliteDatabase } from './helpers/db.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

const CALL = `id requestId phone status vendorCode createdAt settledAt`;
const SEND = `mutation ($input: SendVoiceOtpInput!) {
  sendVoiceOtp(input: $input) {
    __typename
    ... on SendVoiceOtpSuccess { voiceCall { ${CALL} } }
    ... on Error { code message }
    ... on VendorError {
      vendor reason outcomeUnknown vendorCode record { ... on VoiceCall { ${CALL} } }
    }
  }
}`;
const VERIFICATION = `id phone channel status expiresAt attemptsLeft sendsLeft`;
const START = `mutation ($input: StartPhoneVerificationInput!) {
  startPhoneVerification(input: $input) {
    __typename
    ... on StartPhoneVerificationSuccess { verification { ${VERIFICATION} } }
    ... on Error { code message }
    ... on VerificationRateLimited { limit retryAfterSeconds }
  }
}`;
const CHECK = `mutation ($input: CheckPhoneVerificationInput!) {
  checkPhoneVerification(input: $input) {
    __typename
    ... on CheckPhoneVerificationSuccess { verification { ${VERIFICATION} } }
    ... on Error { code message }
    ... on VerificationNotPending { status }
  }
}`;
const CANCEL = `mutation ($id: ID!) {
  cancelPhoneVerification(id: $id) {
    __typename
    ... on CancelPhoneVerificationSuccess { verification { ${VERIFICATION} } }
    ... on Error { code message }
  }
}`;

interface Call {
  id: string;
  requestId: string | null;
  phone: string;
  status: string;
  vendorCode: string | null;
  settledAt: string | null;
}
interface Verification {
  id: string;
  status: string;
  attemptsLeft: number;
  sendsLeft: number;
  expiresAt: string;
}

let t: TestGateway | null = null;
let key = 0;
const newKey = () => `voice-test-${Date.now()}-${++key}`;

afterEach(async () => {
  await t?.close();
  t = null;
});

/** Every response body, to assert the codes never come back. */
const responses: string[] = [];

async function start(env: Record<string, string> = {}, now?: () => Date, logger?: pino.Logger) {
  t = await startTestGateway(
    { VOICE_CALL_POLL_MS: '50', VOICE_OTP_TIMEOUT_MS: '1000', ...env },
    sqliteDatabase(),
    { ...(now ? { now } : {}), ...(logger ? { logger } : {}) },
  );
  const sim = t.gateway.sandbox.simulators.voiceOtp as VoiceOtpSimulator;
  sim.state.settleAfterMs = 60_000;
  return { t, sim };
}

async function gql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await t!.graphql(query, variables);
  responses.push(JSON.stringify(res));
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data as T;
}

async function send(phone: string, code: string, idempotencyKey = newKey()) {
  const data = await gql<{
    sendVoiceOtp: { __typename: string; voiceCall: Call; code?: string } & Record<string, unknown>;
  }>(SEND, { input: { phone, code, idempotencyKey } });
  // The vendor errors give the call as `record`, the success type as `voiceCall`.
  const { record, ...result } = data.sendVoiceOtp;
  return (
    record ? { ...result, voiceCall: record } : data.sendVoiceOtp
  ) as typeof data.sendVoiceOtp;
}

async function startVerification(phone: string) {
  const data = await gql<{
    startPhoneVerification: Record<string, unknown> & { verification: Verification };
  }>(START, { input: { phone, channel: 'VOICE', idempotencyKey: newKey() } });
  return data.startPhoneVerification;
}

async function check(id: string, code: string, idempotencyKey?: string) {
  const data = await gql<{
    checkPhoneVerification: Record<string, unknown> & { verification: Verification };
  }>(CHECK, { input: { id, code, idempotencyKey } });
  return data.checkPhoneVerification;
}

/** What the simulator's callee heard on the last call to the phone. */
function heard(sim: VoiceOtpSimulator, phone: string): string {
  const call = sim.calls.findLast((c) => c.phone === phone);
  if (!call) throw new Error(`no call to ${phone}`);
  return call.message;
}

/** A subscription over SSE: the payloads received until the stream ends. */
function subscribe(id: string, lastEventId?: string) {
  const payloads: Call[] = [];
  /** Each payload's SSE `id:`. */
  const ids: string[] = [];
  const done = (async () => {
    const res = await t!.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
      },
      body: JSON.stringify({
        query: `subscription ($id: ID!) { voiceCallUpdated(id: $id) { ${CALL} } }`,
        variables: { id },
      }),
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('');
        if (!data) continue;
        const eventId = block.split('\n').find((l) => l.startsWith('id: '));
        if (eventId) ids.push(eventId.slice(4));
        responses.push(data);
        const parsed = JSON.parse(data) as { data?: { voiceCallUpdated: Call } };
        if (parsed.data?.voiceCallUpdated) payloads.push(parsed.data.voiceCallUpdated);
      }
    }
  })();
  return { payloads, ids, done };
}

describe('sendVoiceOtp and voiceCall', () => {
  it('records the call, places it once, and follows it from PENDING to ANSWERED', async () => {
    const { sim } = await start();
    const sent = await send('0936004420', '4821');
    expect(sent.__typename).toBe('SendVoiceOtpSuccess');
    expect(sent.voiceCall).toMatchObject({
      phone: '0936004420',
      status: 'PENDING',
      vendorCode: '1',
      settledAt: null,
    });
    expect(sent.voiceCall.requestId).toBe(sim.calls[0]!.requestId);
    expect(sim.callsTo(POST_SMS_PATH)).toHaveLength(1);

    const q = `query ($id: ID!) { voiceCall(id: $id) { ${CALL} } }`;
    const pending = await gql<{ voiceCall: Call }>(q, { id: sent.voiceCall.id });
    expect(pending.voiceCall.status).toBe('PENDING');
    expect(sim.callsTo(CHECK_VOICE_PATH)).toHaveLength(1);

    sim.state.settleAfterMs = 0;
    const answered = await gql<{ voiceCall: Call }>(q, { id: sent.voiceCall.id });
    expect(answered.voiceCall).toMatchObject({ status: 'ANSWERED', vendorCode: '1' });
    expect(answered.voiceCall.settledAt).not.toBeNull();
    // Settled: answered from the ledger, the vendor is not asked again.
    await gql(q, { id: sent.voiceCall.id });
    expect(sim.callsTo(CHECK_VOICE_PATH)).toHaveLength(2);

    const list = await gql<{ subscriber: { voiceCalls: Call[] } }>(
      `{ subscriber(phone: "0936004420") { voiceCalls { id status } } }`,
    );
    expect(list.subscriber.voiceCalls).toEqual([{ id: sent.voiceCall.id, status: 'ANSWERED' }]);

    // The same key replays the first result without a second call.
    const replay = await send('0936004420', '4821', 'same-key-0001');
    const again = await send('0936004420', '4821', 'same-key-0001');
    expect(again).toEqual(replay);
  });

  it('checks 20 pending calls in one query once each, concurrently, and settled ones not at all', async () => {
    const { sim } = await start({ GRAPHQL_MAX_ALIASES: '100' });
    const ids: string[] = [];
    for (let i = 0; i < 22; i++) {
      const sent = await send(`09360050${String(i).padStart(2, '0')}`, '777');
      ids.push(sent.voiceCall.id);
    }
    // Two calls settle first.
    sim.state.settleAfterMs = 0;
    const settleQuery = `query ($a: ID!, $b: ID!) { a: voiceCall(id: $a) { status } b: voiceCall(id: $b) { status } }`;
    await gql(settleQuery, { a: ids[20], b: ids[21] });
    sim.state.settleAfterMs = 60_000;
    const before = sim.callsTo(CHECK_VOICE_PATH).length;
    sim.state.checkDelayMs = 200;
    sim.state.maxChecksInFlight = 0;

    // Every call twice (aliases), the settled ones too.
    const fields = ids
      .flatMap((id, i) => [
        `c${i}: voiceCall(id: "${id}") { status }`,
        `d${i}: voiceCall(id: "${id}") { id }`,
      ])
      .join('\n');
    const data = await gql<Record<string, { status: string }>>(`{ ${fields} }`);
    expect(Object.values(data).filter((c) => c.status === 'PENDING')).toHaveLength(20);

    const checks = sim.callsTo(CHECK_VOICE_PATH).slice(before);
    expect(checks).toHaveLength(20);
    const asked = new Set(checks.map((r) => JSON.parse(r.body).request_id));
    expect(asked.size).toBe(20);
    expect(sim.state.maxChecksInFlight).toBeGreaterThanOrEqual(10);
  }, 20_000);

  it('pushes PENDING then ANSWERED to two listeners with one poller', async () => {
    const { sim } = await start();
    const sent = await send('0936004430', '55');
    const first = subscribe(sent.voiceCall.id);
    const second = subscribe(sent.voiceCall.id);
    await expect
      .poll(() => first.payloads.length + second.payloads.length, { timeout: 5_000 })
      .toBe(2);
    sim.state.settleAfterMs = 0;
    await Promise.all([first.done, second.done]);
    for (const s of [first, second]) {
      expect(s.payloads.map((p) => p.status)).toEqual(['PENDING', 'ANSWERED']);
    }
    expect(t!.gateway.voice.poller.started).toBe(1);

    // Resuming: after PENDING's event id, only ANSWERED; after ANSWERED's, nothing (the end).
    expect(first.ids).toHaveLength(2);
    const resumed = subscribe(sent.voiceCall.id, first.ids[0]);
    await resumed.done;
    expect(resumed.payloads.map((p) => p.status)).toEqual(['ANSWERED']);
    expect(resumed.ids).toEqual([first.ids[1]]);
    const over = subscribe(sent.voiceCall.id, first.ids[1]);
    await over.done;
    expect(over.payloads).toEqual([]);
  }, 20_000);

  it('leaves a timed-out postSMS UNKNOWN and never places it again', async () => {
    const { sim } = await start();
    const idempotencyKey = newKey();
    const sent = await send('0930000003', '1234', idempotencyKey);
    expect(sent).toMatchObject({
      __typename: 'VendorUnavailable',
      code: 'VOICE_CALL_UNAVAILABLE',
      vendor: 'voiceOtp',
      reason: 'VENDOR_TIMEOUT',
      outcomeUnknown: true,
      voiceCall: { status: 'UNKNOWN', requestId: null },
    });
    const again = await send('0930000003', '1234', idempotencyKey);
    expect(again).toEqual(sent);
    expect(sim.callsTo(POST_SMS_PATH)).toHaveLength(1);
  }, 20_000);

  it('leaves a call answered with code 27 UNKNOWN, with the vendor code', async () => {
    const { sim } = await start();
    const sent = await send('0930000127', '1234');
    expect(sent).toMatchObject({
      __typename: 'VendorUnavailable',
      outcomeUnknown: true,
      voiceCall: { status: 'UNKNOWN', vendorCode: '27', requestId: null },
    });
    expect(sim.calls).toHaveLength(1);
  });

  it('answers a vendor refusal with its code, the call FAILED', async () => {
    await start();
    const sent = await send('0930000208', '1234');
    expect(sent).toMatchObject({
      __typename: 'VendorRejected',
      code: 'VOICE_CALL_REJECTED',
      vendor: 'voiceOtp',
      reason: 'VENDOR_REJECTED',
      vendorCode: '-8',
      voiceCall: { status: 'FAILED', vendorCode: '-8' },
    });
  });

  it('reads the balance once per cache window', async () => {
    const { sim } = await start({ VOICE_OTP_BALANCE_CACHE_SECONDS: '60' });
    const q = '{ voiceOtpBalance { balance checkedAt } }';
    const a = await gql<{ voiceOtpBalance: { balance: number } }>(q);
    await gql(q);
    expect(a.voiceOtpBalance.balance).toBe(sim.state.balance);
    expect(sim.callsTo('/onsmsapivoice/checkBalance')).toHaveLength(1);
    const metrics = await (await t!.gateway.yoga.fetch('http://gateway.test/metrics')).text();
    expect(metrics).toContain(`voice_otp_balance ${sim.state.balance}`);
  });

  it('notes a low balance on /readyz without failing readiness', async () => {
    const { sim } = await start({ VOICE_OTP_BALANCE_WARN: '5000' });
    await gql('{ voiceOtpBalance { balance } }');
    const res = await t!.gateway.yoga.fetch('http://gateway.test/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ready: true,
      notes: [`voiceOtp balance ${sim.state.balance} is under VOICE_OTP_BALANCE_WARN (5000)`],
    });
  });
});

describe('phone verification', () => {
  it('approves the right code once; any later check is VerificationNotPending, but the approving key replays APPROVED', async () => {
    const { sim } = await start();
    const started = await startVerification('0936004440');
    expect(started.__typename).toBe('StartPhoneVerificationSuccess');
    expect(started.verification).toMatchObject({
      status: 'PENDING',
      channel: 'VOICE',
      attemptsLeft: 5,
      sendsLeft: 2,
    });
    const code = heard(sim, '0936004440');
    expect(code).toMatch(/^\d{6}$/);
    const approving = newKey();
    const ok = await check(started.verification.id, code, approving);
    expect(ok.verification).toMatchObject({ status: 'APPROVED', attemptsLeft: 4 });
    // Checked again, with the right code or a wrong one, without a key or with a new one: the
    // verification is not PENDING, so nothing is compared and nothing is approved.
    const wrong = code === '000000' ? '111111' : '000000';
    for (const [again, key] of [
      [code, undefined],
      [wrong, undefined],
      [code, newKey()],
      [wrong, newKey()],
    ] as const) {
      expect(await check(started.verification.id, again, key)).toEqual({
        __typename: 'VerificationNotPending',
        code: 'VERIFICATION_NOT_PENDING',
        message: 'This verification is APPROVED, so nothing was checked; start a new one.',
        status: 'APPROVED',
      });
    }
    // The client that lost the approving answer retries with its key: the same answer.
    expect(await check(started.verification.id, code, approving)).toEqual(ok);
    // Nothing above spent a check.
    const seen = await gql<{ node: Verification }>(
      `query ($id: ID!) { node(id: $id) { ... on PhoneVerification { ${VERIFICATION} } } }`,
      { id: started.verification.id },
    );
    expect(seen.node).toMatchObject({ status: 'APPROVED', attemptsLeft: 4 });
  });

  it('counts wrong codes down to MAX_ATTEMPTS_REACHED, then compares not even the right one', async () => {
    const { sim } = await start();
    const { verification } = await startVerification('0936004441');
    const right = heard(sim, '0936004441');
    const wrong = right === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 1; left--) {
      const r = await check(verification.id, wrong);
      expect(r.verification).toMatchObject({ status: 'PENDING', attemptsLeft: left });
    }
    const fifth = await check(verification.id, wrong);
    expect(fifth.verification).toMatchObject({ status: 'MAX_ATTEMPTS_REACHED', attemptsLeft: 0 });
    expect(await check(verification.id, right)).toMatchObject({
      __typename: 'VerificationNotPending',
      status: 'MAX_ATTEMPTS_REACHED',
    });
  });

  it('expires after its validity', async () => {
    let clock = new Date('2026-05-01T10:00:00Z').getTime();
    const { sim } = await start({}, () => new Date(clock));
    const { verification } = await startVerification('0936004442');
    expect(verification.expiresAt).toBe('2026-05-01T10:10:00.000Z');
    clock += 600_000;
    expect(await check(verification.id, heard(sim, '0936004442'))).toMatchObject({
      __typename: 'VerificationNotPending',
      status: 'EXPIRED',
    });
  });

  it('resends within validity with a new code, up to the send limit', async () => {
    const { sim } = await start();
    const first = await startVerification('0936004443');
    const code1 = heard(sim, '0936004443');
    const second = await startVerification('0936004443');
    expect(second.verification.id).toBe(first.verification.id);
    expect(second.verification.sendsLeft).toBe(1);
    await startVerification('0936004443');
    const fourth = await startVerification('0936004443');
    expect(fourth).toMatchObject({
      __typename: 'VerificationRateLimited',
      limit: 'SENDS_PER_VERIFICATION',
    });
    expect(sim.calls.filter((c) => c.phone === '0936004443')).toHaveLength(3);
    const latest = heard(sim, '0936004443');
    if (latest !== code1) {
      const old = await check(first.verification.id, code1);
      expect(old.verification.status).toBe('PENDING');
    }
    const ok = await check(first.verification.id, latest);
    expect(ok.verification.status).toBe('APPROVED');
  });

  it('limits verifications per phone per hour, and cancels one', async () => {
    await start({ VERIFICATION_LIMIT_PER_PHONE_HOUR: '2' });
    const a = await startVerification('0936004444');
    const canceled = await gql<{ cancelPhoneVerification: { verification: Verification } }>(
      CANCEL,
      {
        id: a.verification.id,
      },
    );
    expect(canceled.cancelPhoneVerification.verification.status).toBe('CANCELED');
    const b = await startVerification('0936004444');
    expect(b.verification.id).not.toBe(a.verification.id);
    await gql(CANCEL, { id: b.verification.id });
    const c = await startVerification('0936004444');
    expect(c).toMatchObject({ __typename: 'VerificationRateLimited', limit: 'PHONE_PER_HOUR' });
    expect(c.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('answers an unknown id with VerificationNotFound and a malformed one with InvalidInput', async () => {
    await start();
    const unknown = Buffer.from('PhoneVerification:00000000-0000-0000-0000-000000000000').toString(
      'base64',
    );
    expect(await check(unknown, '123456')).toMatchObject({ code: 'VERIFICATION_NOT_FOUND' });
    expect(await check('nope', '123456')).toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('guarded mutations', () => {
  it('refuses a document with two of sendVoiceOtp, startPhoneVerification, checkPhoneVerification', async () => {
    const { sim } = await start();
    const res = await t!.graphql(`mutation {
      a: sendVoiceOtp(input: { phone: "0936004460", code: "1", idempotencyKey: "key-000001" }) { __typename }
      b: startPhoneVerification(input: { phone: "0936004460", channel: VOICE, idempotencyKey: "key-000002" }) { __typename }
    }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('TOO_MANY_SENSITIVE_MUTATIONS');
    expect(sim.callsTo(POST_SMS_PATH)).toHaveLength(0);
  });
});

describe('secrecy of the codes', () => {
  it('keeps every code out of the database, the logs and the responses', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'trace', timestamp: false },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    responses.length = 0;
    const { sim } = await start({}, undefined, logger);
    const mine = '917253';
    await send('0936004450', mine);
    const { verification } = await startVerification('0936004451');
    const drawn = heard(sim, '0936004451');
    await check(verification.id, drawn === '000000' ? '111111' : '000000');
    await check(verification.id, drawn);
    // A timed-out call, whose error path logs the most.
    await send('0930000003', '391846');
    const codes = [mine, drawn, '391846'];

    const db = t!.gateway.db.db;
    const tables = [
      'voice_calls',
      'voice_call_events',
      'phone_verifications',
      'phone_verification_events',
      'idempotency_keys',
    ] as const;
    const dump = (
      await Promise.all(tables.map((table) => db.selectFrom(table).selectAll().execute()))
    )
      .map((rows) => JSON.stringify(rows))
      .join('\n');
    expect(dump).toContain('0936004451');
    expect(lines.join('').length).toBeGreaterThan(0);
    for (const code of codes) {
      expect(dump).not.toContain(code);
      expect(lines.join('')).not.toContain(code);
      expect(responses.join('\n')).not.toContain(code);
    }
  }, 20_000);
});
