import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EsmsClient,
  EsmsRejection,
  type OAPackagePurchase,
} from '../../../src/vendors/esms/client.js';
import { refusalReason, toOutcome } from '../../../src/vendors/esms/wire.js';
import { VendorError, VendorHttp, VendorMetrics } from '../../../src/vendors/http.js';

/** The client's request and reply mapping, pinned with the vendor document's own samples. */

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/esms/${name}`, import.meta.url), 'utf8');

const ORIGIN = 'https://rest.esms.test';
const PATH = '/MainService.svc/json/RegisOAPackageJson/';
const API_KEY = 'test-api-key';
const SECRET_KEY = 'test-secret-key';

let agent: MockAgent;
let client: EsmsClient;
let logs: string[];

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  logs = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const http = new VendorHttp({
    vendor: 'esms',
    baseUrl: ORIGIN,
    timeoutMs: 1000,
    maxBodyBytes: 65536,
    // Reads would be retried twice: the purchase must not be.
    readRetries: 2,
    retryInitialDelayMs: 1,
    breakerFailures: 100,
    breakerHalfOpenMs: 1000,
    maxConcurrency: 2,
    metrics: new VendorMetrics(new Registry()),
    logger: pino({ level: 'debug' }, sink),
    dispatcher: agent,
  });
  client = new EsmsClient({ http, apiKey: API_KEY, secretKey: SECRET_KEY });
});
afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
  // Nothing the client logged carries a key.
  for (const line of logs) {
    expect(line).not.toContain(API_KEY);
    expect(line).not.toContain(SECRET_KEY);
  }
});

const pool = () => agent.get(ORIGIN);
const purchase: OAPackagePurchase = {
  oaId: '4368496045530813833',
  tier: 'ADVANCED',
  activeFrom: '2026-04-01',
  duration: 12,
};
/** The purchase as eSMS receives it: the document's curl body, filled in. */
const wireBody = JSON.stringify(JSON.parse(fixture('regis-oa-package-request.json')));

const replyOnce = (status: number, body: unknown) =>
  pool()
    .intercept({ path: PATH, method: 'POST' })
    .reply(status, typeof body === 'string' ? body : JSON.stringify(body), {
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });

async function failure(promise: Promise<unknown>): Promise<VendorError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a VendorError');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VendorError);
  return err as VendorError;
}

describe('EsmsClient.purchaseOAPackage', () => {
  it('sends the documented body and maps the documented sample reply', async () => {
    pool()
      .intercept({
        path: PATH,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: wireBody,
      })
      .reply(200, fixture('regis-oa-package-accepted.json'));
    await expect(client.purchaseOAPackage(purchase)).resolves.toEqual({
      kind: 'submitted',
      servicePreviewId: '52330',
      vendorCode: '100',
      message: 'ViHAT is censoring trademark ownership',
    });
  });

  it('sends each tier as eSMS Package string: TRIAL "1", ADVANCED "2", PREMIUM "3"', async () => {
    for (const [tier, wire] of [
      ['TRIAL', '1'],
      ['ADVANCED', '2'],
      ['PREMIUM', '3'],
    ] as const) {
      pool()
        .intercept({
          path: PATH,
          method: 'POST',
          body: (body) => JSON.parse(body).Package === wire,
        })
        .reply(200, fixture('regis-oa-package-accepted.json'));
      await expect(client.purchaseOAPackage({ ...purchase, tier })).resolves.toMatchObject({
        kind: 'submitted',
      });
    }
  });

  it('reads ServicePreviewId as a string, and under the table spelling ServicepreviewId', async () => {
    replyOnce(200, { CodeResult: '100', ErrorMessage: '', ServicePreviewId: '52330' });
    replyOnce(200, { CodeResult: '100', ErrorMessage: null, ServicepreviewId: 52331 });
    await expect(client.purchaseOAPackage(purchase)).resolves.toEqual({
      kind: 'submitted',
      servicePreviewId: '52330',
      vendorCode: '100',
      message: null,
    });
    await expect(client.purchaseOAPackage(purchase)).resolves.toMatchObject({
      servicePreviewId: '52331',
    });
  });

  it('reads 199 as already processing: nothing new was created, the purchase stays submitted', async () => {
    replyOnce(200, {
      CodeResult: '199',
      ErrorMessage: 'The request already exists and is being processed',
    });
    replyOnce(200, { CodeResult: '199', ErrorMessage: 'Đang xử lý', ServicePreviewId: 52330 });
    await expect(client.purchaseOAPackage(purchase)).resolves.toEqual({
      kind: 'already-processing',
      servicePreviewId: null,
      vendorCode: '199',
      message: 'The request already exists and is being processed',
    });
    await expect(client.purchaseOAPackage(purchase)).resolves.toEqual({
      kind: 'already-processing',
      servicePreviewId: '52330',
      vendorCode: '199',
      message: 'Đang xử lý',
    });
  });

  it.each([
    ['101', 'BAD_CREDENTIALS', 'Authorize Failed'],
    ['102', 'NO_PRICE_LIST', 'Tài khoản chưa được thiết lập bảng giá'],
    ['103', 'BALANCE_TOO_LOW', 'Balance not enough'],
    ['124', 'DUPLICATE_REQUEST', 'Trùng RequestId'],
    ['140', 'IP_NOT_ALLOWED', 'IP không được phép gọi API'],
    ['789', 'ZALO_OA_PROBLEM', 'OA chưa được xác thực'],
    ['795', 'ZALO_OA_PROBLEM', 'Template không hợp lệ'],
    ['799', 'ZALO_OA_PROBLEM', 'OA không tồn tại'],
    ['145', 'OTHER', 'Sai loại tin'],
    ['800', 'OTHER', 'Lỗi khác'],
  ])('refuses code %s as %s, with the vendor message as it came', async (code, reason, message) => {
    replyOnce(200, { CodeResult: code, ErrorMessage: message, ServicePreviewId: 0 });
    const err = await failure(client.purchaseOAPackage(purchase));
    expect(err).toBeInstanceOf(EsmsRejection);
    expect(err).toMatchObject({
      vendor: 'esms',
      code: 'VENDOR_REJECTED',
      status: 200,
      vendorCode: code,
      vendorMessage: message,
      message,
      reason,
      outcomeUnknown: false,
    });
  });

  it('reads a numeric CodeResult and a refusal sent with a 4xx status alike', async () => {
    replyOnce(200, { CodeResult: 103, ErrorMessage: 'Balance not enough' });
    replyOnce(400, { CodeResult: '99', ErrorMessage: 'Invalid request: Package' });
    await expect(failure(client.purchaseOAPackage(purchase))).resolves.toMatchObject({
      code: 'VENDOR_REJECTED',
      vendorCode: '103',
      reason: 'BALANCE_TOO_LOW',
    });
    await expect(failure(client.purchaseOAPackage(purchase))).resolves.toMatchObject({
      code: 'VENDOR_REJECTED',
      status: 400,
      vendorCode: '99',
      vendorMessage: 'Invalid request: Package',
      reason: 'OTHER',
    });
  });

  it('names the code when a refusal comes without a message', async () => {
    replyOnce(200, { CodeResult: '102' });
    await expect(failure(client.purchaseOAPackage(purchase))).resolves.toMatchObject({
      vendorCode: '102',
      vendorMessage: null,
      message: 'eSMS refused the request (102)',
    });
  });

  it('never lets a key through in a vendor message that echoes it', async () => {
    replyOnce(200, { CodeResult: '101', ErrorMessage: `ApiKey ${API_KEY} / ${SECRET_KEY} sai` });
    const err = await failure(client.purchaseOAPackage(purchase));
    expect(err.vendorMessage).toBe('ApiKey [redacted] / [redacted] sai');
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain(SECRET_KEY);
  });

  it('reads a 4xx without the eSMS body as a refusal with a known outcome', async () => {
    replyOnce(403, '<html>403 Forbidden</html>');
    await expect(failure(client.purchaseOAPackage(purchase))).resolves.toMatchObject({
      code: 'VENDOR_HTTP',
      status: 403,
      outcomeUnknown: false,
    });
  });

  it('makes the purchase once on a 503 (no retry) and once on a 502 (outcome unknown)', async () => {
    replyOnce(503, 'Service Temporarily Unavailable');
    replyOnce(502, 'Bad Gateway');
    await expect(failure(client.purchaseOAPackage(purchase))).resolves.toMatchObject({
      code: 'VENDOR_HTTP',
      status: 503,
      outcomeUnknown: false,
    });
    await expect(failure(client.purchaseOAPackage(purchase))).resolves.toMatchObject({
      code: 'VENDOR_HTTP',
      status: 502,
      outcomeUnknown: true,
    });
  });

  it('calls garbage, or an acceptance without its id, a bad response with an unknown outcome', async () => {
    replyOnce(200, '<html><body>502 Bad Gateway (nginx)</body></html>');
    replyOnce(200, { CodeResult: '100', ErrorMessage: 'ok' });
    replyOnce(200, { CodeResult: '100', ServicePreviewId: 0 });
    for (let i = 0; i < 3; i++) {
      await expect(failure(client.purchaseOAPackage(purchase))).resolves.toMatchObject({
        code: 'VENDOR_BAD_RESPONSE',
        outcomeUnknown: true,
      });
    }
  });

  it.each([
    [{ activeFrom: '01/04/2026' }, 'Dateactive'],
    [{ activeFrom: '2026-02-30' }, 'Dateactive'],
    [{ duration: 0 }, 'Duaration'],
    [{ duration: 1.5 }, 'Duaration'],
    [{ oaId: ' ' }, 'OAID'],
  ])('refuses %o before any call, naming %s and no key', async (change, field) => {
    const err = await client.purchaseOAPackage({ ...purchase, ...change }).catch((e) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toContain(field);
    expect(err.message).not.toContain(SECRET_KEY);
  });
});

describe('wire mappers', () => {
  it('maps the document sample to an accepted outcome', () => {
    expect(toOutcome(JSON.parse(fixture('regis-oa-package-accepted.json')))).toEqual({
      kind: 'accepted',
      servicePreviewId: '52330',
      message: 'ViHAT is censoring trademark ownership',
    });
  });

  it('names every documented refusal code', () => {
    expect(
      ['101', '102', '103', '124', '140', '788', '789', '799', '800', '99', 'X'].map(refusalReason),
    ).toEqual([
      'BAD_CREDENTIALS',
      'NO_PRICE_LIST',
      'BALANCE_TOO_LOW',
      'DUPLICATE_REQUEST',
      'IP_NOT_ALLOWED',
      'OTHER',
      'ZALO_OA_PROBLEM',
      'ZALO_OA_PROBLEM',
      'OTHER',
      'OTHER',
      'OTHER',
    ]);
  });

  it('throws on a reply without CodeResult', () => {
    expect(() => toOutcome({ ErrorMessage: 'x' })).toThrow();
    expect(() => toOutcome(undefined)).toThrow();
  });
});
