import { randomUUID } from 'node:crypto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientStore } from '../../src/store/clients.js';
import { createDmallSimulator } from '../../src/vendors/dmall/simulator.js';
import { REGISTER, REQUEST_OTP } from '../helpers/sales.js';
import {
  childrenOf,
  only,
  parentIdOf,
  recordedText,
  spanIdOf,
  startTracedGateway,
  type TracedGateway,
  traceIdOf,
  traceOf,
} from '../helpers/spans.js';

/**
 * A sale traced end to end by an authenticated client, against a dmall simulator that checks its
 * API key: the spans (names, attributes, parents), nothing secret in any of them, and the trace
 * id in the log lines and the error extensions of the operations.
 */

const SECRET = 'tracing-test-secret-of-32-characters!';
const DMALL_KEY = 'dmall-secret-api-key-tracing-9c1e';
const PHONE = '0936004431';
const OTP = '123456';
const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

const sim = createDmallSimulator({ apiKey: DMALL_KEY });
let t: TracedGateway;
let apiKey: string;

beforeAll(async () => {
  t = await startTracedGateway({
    DMALL_BASE_URL: await sim.listen(),
    DMALL_API_KEY: DMALL_KEY,
    GATEWAY_SECRET: SECRET,
  });
  apiKey = (await new ClientStore(t.gateway.db, SECRET).create('pos-traced', ['sales', 'ledger']))
    .key;
});
afterAll(async () => {
  await t.close();
  await sim.close();
});

async function call(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${apiKey}`,
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      data?: Record<string, Record<string, unknown> | null>;
      errors?: Array<{ message: string; extensions: Record<string, unknown> }>;
    },
  };
}

/** The operation span (a root) of the spans that arrived since `before`. */
function newOperation(before: number): { operation: ReadableSpan; trace: ReadableSpan[] } {
  const fresh = t.spans().slice(before);
  const roots = fresh.filter((s) => s.name.startsWith('mutation') || s.name.startsWith('query'));
  expect(roots).toHaveLength(1);
  const operation = roots[0]!;
  return { operation, trace: traceOf(t.spans(), traceIdOf(operation)) };
}

describe('a traced sale', () => {
  it('is one trace per operation: operation, resolver, vendor call and transactions, nothing secret', async () => {
    let before = t.spans().length;
    const otp = await call(REQUEST_OTP, {
      input: { phone: PHONE, packageCode: 'C120', idempotencyKey: randomUUID() },
    });
    const orderCode = (otp.body.data!.requestOtp!.order as { orderCode: string }).orderCode;
    const first = newOperation(before);

    expect(first.operation.name).toBe('mutation');
    expect(first.operation.attributes).toMatchObject({
      'graphql.operation.type': 'mutation',
      'graphql.operation.root_fields': ['requestOtp'],
      'gateway.client.id': 'pos-traced',
      'gateway.outcome': 'OK',
      'http.request.method': 'POST',
    });
    expect(parentIdOf(first.operation)).toBeUndefined();
    const resolver = only(first.trace, 'graphql.resolve Mutation.requestOtp');
    expect(parentIdOf(resolver)).toBe(spanIdOf(first.operation));
    expect(resolver.attributes).toMatchObject({
      'graphql.field': 'Mutation.requestOtp',
      'graphql.field.path': 'requestOtp',
      'gateway.outcome': 'OK',
    });
    // Beneath the resolver: the order written, the vendor called once, the order settled.
    expect(childrenOf(first.trace, resolver).map((s) => s.name)).toEqual([
      'db.transaction',
      'dmall get-otp',
      'db.transaction',
    ]);
    const getOtp = only(first.trace, 'dmall get-otp');
    expect(getOtp.attributes).toEqual({
      'vendor.name': 'dmall',
      'vendor.operation': 'get-otp',
      'vendor.safe_to_repeat': false,
      'server.address': '127.0.0.1',
      'gateway.phone': '093****431',
      'vendor.attempts': 1,
      'vendor.breaker.state': 'closed',
      'http.response.status_code': 200,
      'vendor.outcome': 'ok',
    });
    expect(getOtp.events.map((e) => [e.name, e.attributes])).toEqual([
      ['vendor.attempt', { 'vendor.attempt': 1, 'http.response.status_code': 200 }],
    ]);
    for (const tx of first.trace.filter((s) => s.name === 'db.transaction')) {
      expect(tx.attributes).toEqual({
        'db.system.name': 'sqlite',
        'db.transaction.outcome': 'commit',
      });
    }

    // A wrong OTP, then the right one: each its own trace, the vendor's refusal recorded.
    before = t.spans().length;
    const wrong = await call(REGISTER, {
      input: { orderCode, otp: '000000', idempotencyKey: randomUUID() },
    });
    expect(wrong.body.data!.registerWithOtp!.__typename).toBe('OtpIncorrect');
    const second = newOperation(before);
    expect(second.operation.attributes['gateway.outcome']).toBe('OTP_INCORRECT');
    expect(only(second.trace, 'graphql.resolve Mutation.registerWithOtp').attributes).toMatchObject(
      { 'gateway.outcome': 'OTP_INCORRECT' },
    );
    expect(only(second.trace, 'dmall register-with-otp').attributes).toMatchObject({
      'vendor.outcome': 'VENDOR_REJECTED',
      'vendor.outcome_unknown': false,
      'error.type': 'VENDOR_REJECTED',
    });
    expect(only(second.trace, 'dmall register-with-otp').attributes['vendor.code']).toBeTypeOf(
      'string',
    );

    before = t.spans().length;
    const registered = await call(REGISTER, {
      input: { orderCode, otp: OTP, idempotencyKey: randomUUID() },
    });
    expect(registered.body.data!.registerWithOtp!.__typename).toBe('RegisterWithOtpSuccess');
    const third = newOperation(before);
    expect(third.operation.attributes['gateway.outcome']).toBe('OK');
    expect(only(third.trace, 'dmall register-with-otp').attributes).toMatchObject({
      'vendor.outcome': 'ok',
      'http.response.status_code': 200,
    });
    expect(new Set([first, second, third].map((o) => traceIdOf(o.operation))).size).toBe(3);

    // Nothing secret anywhere: not the phone in any form, the OTPs, the keys or the secret.
    const recorded = recordedText(t.spans());
    for (const secret of [
      PHONE,
      '84936004431',
      '936004431',
      OTP,
      '000000',
      apiKey,
      DMALL_KEY,
      SECRET,
      orderCode,
    ]) {
      expect(recorded).not.toContain(secret);
    }
  });

  it('writes the trace id on every log line of an operation and in every error', async () => {
    const beforeLogs = t.logs.length;
    const before = t.spans().length;
    const bad = await call('{ subscriber(phone: "12") { telco } }');
    const { operation } = newOperation(before);
    const traceId = traceIdOf(operation);
    expect(bad.body.errors).toEqual([
      expect.objectContaining({
        extensions: { code: 'INVALID_PHONE_NUMBER', typename: 'InvalidPhoneNumber', traceId },
      }),
    ]);
    expect(operation.attributes['gateway.outcome']).toBe('INVALID_PHONE_NUMBER');
    expect(operation.status).toMatchObject({ code: 2, message: 'INVALID_PHONE_NUMBER' });
    // Yoga's log line of the client error, written inside the operation.
    const lines = t.logs.slice(beforeLogs);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'client error', code: 'INVALID_PHONE_NUMBER', traceId }),
    );

    // The vendor calls' log lines of a sale carry their operation's trace id.
    const saleLogs = t.logs.length;
    const saleSpans = t.spans().length;
    await call(REQUEST_OTP, {
      input: { phone: '0936004432', packageCode: 'C120', idempotencyKey: randomUUID() },
    });
    const sale = newOperation(saleSpans);
    const vendorLines = t.logs.slice(saleLogs).filter((l) => l.msg === 'vendor call');
    expect(vendorLines).toEqual([
      expect.objectContaining({ vendor: 'dmall', traceId: traceIdOf(sale.operation) }),
    ]);
  });

  it('continues the caller’s W3C traceparent', async () => {
    const before = t.spans().length;
    const answer = await call(
      '{ subscriber(phone: "x") { telco } }',
      {},
      { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
    );
    const { operation } = newOperation(before);
    expect(traceIdOf(operation)).toBe(CALLER_TRACE);
    expect(parentIdOf(operation)).toBe(CALLER_SPAN);
    expect(answer.body.errors![0]!.extensions.traceId).toBe(CALLER_TRACE);

    // A malformed one starts a new trace.
    const after = t.spans().length;
    const fresh = await call(
      '{ subscriber(phone: "x") { telco } }',
      {},
      { traceparent: 'nonsense' },
    );
    const own = newOperation(after).operation;
    expect(traceIdOf(own)).not.toBe(CALLER_TRACE);
    expect(parentIdOf(own)).toBeUndefined();
    expect(fresh.body.errors![0]!.extensions.traceId).toBe(traceIdOf(own));
  });

  it('stamps edge refusals: a bad key (401) and a document over the limits', async () => {
    const before = t.spans().length;
    const refused = await call('{ __typename }', {}, { authorization: 'Bearer nope' });
    expect(refused.status).toBe(401);
    const operation = t
      .spans()
      .slice(before)
      .find((s) => s.name === 'graphql.operation')!;
    expect(operation.attributes['gateway.outcome']).toBe('UNAUTHENTICATED');
    expect(refused.body.errors![0]!.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      traceId: traceIdOf(operation),
    });

    const deep = `{ ${'subscriber(phone: "0936004420") { orders { edges { node { '.repeat(3)} id ${'} } } }'.repeat(3)} }`;
    const tooDeep = await call(deep);
    expect(tooDeep.body.errors![0]!.extensions).toMatchObject({
      code: 'MAX_DEPTH_EXCEEDED',
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });
});

describe('an unexpected failure', () => {
  it('is masked, and its error, its log line and its span share the trace id', async () => {
    const u = await startTracedGateway(
      {},
      {
        eligibility: {
          eligiblePackages: async () => {
            throw new Error('catalogue exploded for 0936004433');
          },
        },
      },
    );
    try {
      const answer = await u.graphql<{ subscriber: unknown }>(
        '{ subscriber(phone: "0936004433") { eligiblePackages { code } } }',
      );
      const operation = only(u.spans(), 'query');
      const traceId = traceIdOf(operation);
      expect(answer.errors).toEqual([
        expect.objectContaining({
          message: 'Unexpected error.',
          extensions: { code: 'INTERNAL_SERVER_ERROR', traceId },
        }),
      ]);
      expect(operation.attributes['gateway.outcome']).toBe('INTERNAL_SERVER_ERROR');
      expect(u.logs).toContainEqual(expect.objectContaining({ level: 50, traceId }));
      expect(recordedText(u.spans())).not.toContain('0936004433');
      expect(recordedText(u.spans())).not.toContain('exploded');
    } finally {
      await u.close();
    }
  });
});

describe('vendor failures', () => {
  it('record each read attempt, the HTTP status, the outcome and the breaker opening', async () => {
    const v = await startTracedGateway({
      VENDOR_READ_RETRIES: '2',
      VENDOR_BREAKER_FAILURES: '3',
    });
    try {
      // VinaPhone number ending 0000002: the SDP answers 503 to the check, which is a read.
      const query = `{ subscriber(phone: "0910000002") {
        vasSubscription(serviceId: "1000161", packageId: "1003013") { active } } }`;
      const failed = await v.graphql(query);
      expect(failed.errors![0]!.extensions!.code).toBe('VAS_UNAVAILABLE');
      const check = v.spans().find((s) => s.name.startsWith('vascloud '))!;
      const nested = only(v.spans(), 'graphql.resolve Subscriber.vasSubscription');
      expect(parentIdOf(check)).toBe(spanIdOf(nested));
      expect(nested.attributes['graphql.field.path']).toBe('subscriber.vasSubscription');
      expect(check.attributes).toMatchObject({
        'vendor.name': 'vascloud',
        'vendor.safe_to_repeat': true,
        'vendor.attempts': 3,
        'http.response.status_code': 503,
        'vendor.outcome': 'VENDOR_HTTP',
        'vendor.breaker.state': 'open',
        'error.type': 'VENDOR_HTTP',
        'gateway.phone': '091****002',
      });
      expect(check.status.code).toBe(2);
      expect(check.events.map((e) => e.attributes)).toEqual(
        [1, 2, 3].map((attempt) => ({
          'vendor.attempt': attempt,
          'http.response.status_code': 503,
          'error.type': 'VENDOR_HTTP',
        })),
      );

      // The breaker is open: the next call is refused before anything is sent.
      const before = v.spans().length;
      await v.graphql(query);
      const refused = v
        .spans()
        .slice(before)
        .find((s) => s.name.startsWith('vascloud '))!;
      expect(refused.attributes).toMatchObject({
        'vendor.attempts': 0,
        'vendor.outcome': 'VENDOR_UNAVAILABLE',
        'vendor.breaker.state': 'open',
      });
      expect(refused.events).toEqual([]);
    } finally {
      await v.close();
    }
  });
});

describe('tracing off', () => {
  it('makes no spans and stamps only a caller’s own trace id', async () => {
    const off = await startTracedGateway({}, { traced: false });
    // A traced gateway in the same process: its spans are its own.
    const on = await startTracedGateway();
    try {
      const plain = await off.graphql('{ subscriber(phone: "x") { telco } }');
      const invalid = { code: 'INVALID_PHONE_NUMBER', typename: 'InvalidPhoneNumber' };
      expect(plain.errors![0]!.extensions).toEqual(invalid);
      const linked = await off.graphql(
        '{ subscriber(phone: "x") { telco } }',
        {},
        { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
      );
      expect(linked.errors![0]!.extensions).toEqual({ ...invalid, traceId: CALLER_TRACE });
      const sale = await off.graphql(REQUEST_OTP, {
        input: { phone: '0936004434', packageCode: 'C120', idempotencyKey: randomUUID() },
      });
      expect(sale.errors).toBeUndefined();
      expect(off.spans()).toEqual([]);
      expect(on.spans()).toEqual([]);
      expect(off.logs.filter((l) => 'traceId' in l)).toEqual([]);
    } finally {
      await on.close();
      await off.close();
    }
  });
});
