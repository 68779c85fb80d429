import { randomUUID } from 'node:crypto';
import type { FormattedExecutionResult } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { dmallSim } from './helpers/sales.js';

/**
 * Messages in the caller's language, end to end: the same failing request answered in Vietnamese
 * (no `Accept-Language`, or none of ours) or English, with the same `extensions.code`, for every
 * kind of error the gateway writes: a resolver's top-level error, a union error's `message`, an
 * edge refusal, an idempotent replay, a vendor's refusal (its own words untouched), and over SSE
 * and WebSocket.
 */

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t.close();
});

type Body = {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
};

/** POSTs a body as it is (no Accept-Language unless given); the answer and its headers. */
async function post(body: string, acceptLanguage?: string) {
  const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-client-id': 'pos-languages',
      ...(acceptLanguage !== undefined && { 'accept-language': acceptLanguage }),
    },
    body,
  });
  return {
    status: res.status,
    contentLanguage: res.headers.get('content-language'),
    vary: res.headers.get('vary'),
    body: (await res.json()) as Body,
  };
}

const ask = (query: string, variables: Record<string, unknown>, acceptLanguage?: string) =>
  post(JSON.stringify({ query, variables }), acceptLanguage);

/** Accept-Language headers, and the language each gets. */
const NEGOTIATED: Array<[header: string | undefined, language: 'vi' | 'en']> = [
  [undefined, 'vi'],
  ['en', 'en'],
  ['en-US,en;q=0.9', 'en'],
  ['fr', 'vi'],
  ['vi-VN,vi;q=0.9,en;q=0.5', 'vi'],
  ['fr, en;q=0.5', 'en'],
];

const BAD_PHONE = {
  vi: 'Số điện thoại không hợp lệ: cần số di động Việt Nam dạng 0XXXXXXXXX, 84XXXXXXXXX hoặc +84XXXXXXXXX (10 chữ số khi viết ở dạng trong nước).',
  en: 'Not a Vietnamese mobile number: expected 0XXXXXXXXX, 84XXXXXXXXX or +84XXXXXXXXX (10 digits in local form).',
};

describe('messages in the caller’s language', () => {
  it('answers a top-level error in the negotiated language, with the same code', async () => {
    for (const [header, language] of NEGOTIATED) {
      const res = await ask(
        'query ($p: String!) { subscriber(phone: $p) { telco } }',
        {
          p: '12345',
        },
        header,
      );
      expect({ header, ...res }).toEqual({
        header,
        status: 200,
        contentLanguage: language,
        vary: expect.stringContaining('Accept-Language'),
        body: {
          data: null,
          errors: [
            {
              message: BAD_PHONE[language],
              locations: [{ line: 1, column: 23 }],
              path: ['subscriber'],
              extensions: { code: 'INVALID_PHONE_NUMBER', typename: 'InvalidPhoneNumber' },
            },
          ],
        },
      });
    }
  });

  it('renders a result union’s error message in the caller’s language', async () => {
    const mutation = `mutation ($input: RequestOtpInput!) { requestOtp(input: $input) {
      __typename ... on Error { code message } ... on InvalidPhoneNumber { input } } }`;
    const input = { phone: '0123', packageCode: 'C120', idempotencyKey: randomUUID() };
    const vi = await ask(mutation, { input });
    const en = await ask(mutation, { input: { ...input, idempotencyKey: randomUUID() } }, 'en');
    const error = (language: 'vi' | 'en') => ({
      requestOtp: {
        __typename: 'InvalidPhoneNumber',
        code: 'INVALID_PHONE_NUMBER',
        message: BAD_PHONE[language],
        input: '0123',
      },
    });
    expect([vi.contentLanguage, vi.body]).toEqual(['vi', { data: error('vi') }]);
    expect([en.contentLanguage, en.body]).toEqual(['en', { data: error('en') }]);
  });

  it('writes an edge refusal in the request’s language, before anything is parsed', async () => {
    const refused = (message: string) => ({
      status: 400,
      body: { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] },
    });
    expect(await post('{"query": ')).toMatchObject(
      refused('Nội dung POST không phải JSON hợp lệ.'),
    );
    expect(await post('{"query": ', 'en-US')).toMatchObject(
      refused('POST body is not valid JSON.'),
    );
  });

  it('gives each request its own language of a refusal the edge keeps per document', async () => {
    // The document limits check a document once and keep the error they found: requests in
    // either language share it, and each gets its words.
    const deep = `{ ${'subscriber(phone: "0936004420") { orders { edges { node { '.repeat(3)}id${' } } } }'.repeat(3)} }`;
    const depth = (message: string) => ({
      body: { errors: [{ message, extensions: { code: 'MAX_DEPTH_EXCEEDED' } }] },
    });
    const vi = depth(
      `Tài liệu GraphQL bị từ chối: vượt quá giới hạn độ sâu là ${t.config.limits.maxDepth} (thực tế 13) (GRAPHQL_MAX_DEPTH).`,
    );
    const en = depth(
      `Document refused: it exceeds the max depth limit of ${t.config.limits.maxDepth} (found 13) (GRAPHQL_MAX_DEPTH).`,
    );
    expect(await ask(deep, {})).toMatchObject(vi);
    expect(await ask(deep, {}, 'en')).toMatchObject(en);
    expect(await ask(deep, {})).toMatchObject(vi);
  });

  it('replays an idempotent result in the replaying caller’s language, the vendor’s words as they came', async () => {
    const { otpCalls } = dmallSim(t);
    const before = otpCalls();
    const mutation = `mutation ($input: RequestOtpInput!) { requestOtp(input: $input) {
      __typename ... on Error { code message }
      ... on VendorRejected { vendor vendorCode vendorMessage } } }`;
    // The sandbox's dmall refuses numbers ending 0000001, in its own (Vietnamese) words.
    const input = { phone: '0930000001', packageCode: 'C120', idempotencyKey: randomUUID() };
    const refusal = (message: string) => ({
      data: {
        requestOtp: {
          __typename: 'VendorRejected',
          code: 'VENDOR_REJECTED',
          message,
          vendor: 'dmall',
          vendorCode: '1001',
          vendorMessage: 'Thuê bao không đủ điều kiện đăng ký gói cước',
        },
      },
    });
    const first = await ask(mutation, { input });
    expect(first.body).toEqual(refusal('dmall từ chối yêu cầu (mã 1001).'));
    const replayed = await ask(mutation, { input }, 'en');
    expect(replayed.body).toEqual(refusal('dmall refused the request (code 1001).'));
    const again = await ask(mutation, { input }, 'vi');
    expect(again.body).toEqual(first.body);
    // Replays: dmall was asked once.
    expect(otpCalls() - before).toBe(1);
  });

  it('leaves graphql-js’s own validation messages as graphql-js wrote them', async () => {
    for (const header of [undefined, 'en']) {
      const res = await ask('{ qqqzzz }', {}, header);
      expect(res.body.errors).toEqual([
        {
          message: 'Cannot query field "qqqzzz" on type "Query".',
          locations: [{ line: 1, column: 3 }],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ]);
    }
  });

  it('ends a stream over SSE with its error in the request’s language', async () => {
    const firstEvent = async (acceptLanguage?: string) => {
      const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(acceptLanguage && { 'accept-language': acceptLanguage }),
        },
        body: JSON.stringify({
          query: 'subscription { orderUpdated(code: "DG-NOPE") { status } }',
        }),
      });
      const text = await res.text();
      const data = /event: next\ndata: (.*)\n/.exec(text)![1]!;
      return (JSON.parse(data) as Body).errors!.map((e) => [e.message, e.extensions?.code]);
    };
    expect(await firstEvent()).toEqual([['Không có đơn hàng DG-NOPE.', 'ORDER_NOT_FOUND']]);
    expect(await firstEvent('en')).toEqual([['No order DG-NOPE.', 'ORDER_NOT_FOUND']]);
  });

  it('speaks a WebSocket connection’s language, from its connection parameters or upgrade', async () => {
    const url = (await t.gateway.listen()).replace(/^http/, 'ws');
    const errorsOver = async (
      options: {
        connectionParams?: Record<string, unknown>;
        headers?: Record<string, string>;
      } = {},
    ) => {
      const { headers } = options;
      const client = createClient({
        url,
        connectionParams: options.connectionParams,
        retryAttempts: 0,
        // Headers on the upgrade request, as a browser sends its own Accept-Language.
        webSocketImpl: class extends WebSocket {
          constructor(address: string, protocols?: string | string[]) {
            super(address, protocols, { headers });
          }
        },
      });
      try {
        return await new Promise<unknown>((resolve, reject) => {
          const results: FormattedExecutionResult<Record<string, unknown>, unknown>[] = [];
          client.subscribe(
            { query: 'subscription { orderUpdated(code: "DG-NOPE") { status } }' },
            {
              next: (r) => results.push(r),
              error: reject,
              complete: () =>
                resolve(
                  results
                    .flatMap((r) => r.errors ?? [])
                    .map((e) => [e.message, e.extensions?.code]),
                ),
            },
          );
        });
      } finally {
        await client.dispose();
      }
    };
    expect(await errorsOver()).toEqual([['Không có đơn hàng DG-NOPE.', 'ORDER_NOT_FOUND']]);
    const english = [['No order DG-NOPE.', 'ORDER_NOT_FOUND']];
    expect(await errorsOver({ connectionParams: { 'Accept-Language': 'en-GB' } })).toEqual(english);
    expect(await errorsOver({ headers: { 'accept-language': 'en-US,en;q=0.9' } })).toEqual(english);
    // The connection's parameters say it over the browser's header.
    expect(
      await errorsOver({
        headers: { 'accept-language': 'en' },
        connectionParams: { 'accept-language': 'vi' },
      }),
    ).toEqual([['Không có đơn hàng DG-NOPE.', 'ORDER_NOT_FOUND']]);
  });
});
