import { readFileSync } from 'node:fs';
import pino from 'pino';
import { Registry } from 'prom-client';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DmallClient } from '../../../src/vendors/dmall/client.js';
import { VendorError, VendorHttp, VendorMetrics } from '../../../src/vendors/http.js';

/** The client's reply mapping, pinned with the vendor document's own samples. */

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/dmall/${name}`, import.meta.url), 'utf8');

const ORIGIN = 'https://api.dmall.test';
let agent: MockAgent;
let client: DmallClient;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  const http = new VendorHttp({
    vendor: 'dmall',
    baseUrl: ORIGIN,
    timeoutMs: 1000,
    maxBodyBytes: 65536,
    readRetries: 2,
    breakerFailures: 100,
    breakerHalfOpenMs: 1000,
    maxConcurrency: 2,
    metrics: new VendorMetrics(new Registry()),
    logger: pino({ level: 'silent' }),
    dispatcher: agent,
  });
  client = new DmallClient({ http, apiKey: 'test-key' });
});
afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
});

const pool = () => agent.get(ORIGIN);
const request = {
  phone: '0936004420',
  telco: 'MOBIFONE' as const,
  packageCode: '6C120',
  utm: { source: 'shop-7', medium: '', content: '', campaign: '' },
};
/** The same request as dmall receives it. */
const wireRequest = {
  phone: '0936004420',
  productCode: '6C120',
  telcoCode: 'MOBIFONE',
  utmSource: 'shop-7',
  utmMedium: '',
  utmContent: '',
  utmCampaign: '',
};

describe('DmallClient', () => {
  it('maps the documented get-otp success', async () => {
    pool()
      .intercept({
        path: '/api-customer/public/order/partner/get-otp',
        method: 'POST',
        headers: { 'api-key': 'test-key', 'content-type': 'application/json' },
        body: JSON.stringify(wireRequest),
      })
      .reply(200, fixture('get-otp-success.json'));
    await expect(client.getOtp(request)).resolves.toEqual({
      orderCode: 'DG20231113172059456724',
      telcoTransId: '102996904',
      message: 'Tạo giao dịch thành công',
    });
  });

  it('maps the documented register_with_otp success', async () => {
    pool()
      .intercept({
        path: '/api-customer/public/order/partner/register_with_otp',
        method: 'POST',
        body: JSON.stringify({ orderCode: 'DG20231113172847592599', otp: '246595' }),
      })
      .reply(200, fixture('register-success.json'));
    await expect(client.registerWithOtp('DG20231113172847592599', '246595')).resolves.toEqual({
      kind: 'registered',
      type: 'CALL/SMS',
      code: 'MP5X',
      message: 'Đăng ký gói cước thành công',
    });
  });

  it('reads the refusal of a second registration as already registered', async () => {
    pool()
      .intercept({ path: '/api-customer/public/order/partner/register_with_otp', method: 'POST' })
      .reply(200, {
        success: false,
        errorCode: 409,
        message: 'Giao dịch đã được đăng ký trước đó',
      });
    await expect(client.registerWithOtp('DG20231113172847592599', '246595')).resolves.toEqual({
      kind: 'already-registered',
    });
  });

  it('refuses, without a call, a carrier dmall does not sell for', async () => {
    await expect(client.getOtp({ ...request, telco: 'VINAPHONE' })).rejects.toThrow(
      'dmall sells no packages for VINAPHONE',
    );
  });

  it('treats success:false or errorCode other than 200 as a rejection, whatever the HTTP status', async () => {
    pool()
      .intercept({ path: '/api-customer/public/order/partner/get-otp', method: 'POST' })
      .reply(200, { success: false, errorCode: 1001, message: 'Thuê bao không hợp lệ' });
    pool()
      .intercept({ path: '/api-customer/public/order/partner/get-otp', method: 'POST' })
      .reply(400, { success: true, errorCode: '500', message: 'Lỗi' });
    for (const vendorCode of ['1001', '500']) {
      const err = await client.getOtp(request).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VendorError);
      expect(err).toMatchObject({ code: 'VENDOR_REJECTED', vendorCode, outcomeUnknown: false });
    }
  });

  it('reads a 4xx without the envelope as a refusal with a known outcome', async () => {
    pool()
      .intercept({ path: '/api-customer/public/order/partner/get-otp', method: 'POST' })
      .reply(401, '<html>401 Authorization Required</html>');
    await expect(client.getOtp(request)).rejects.toMatchObject({
      code: 'VENDOR_HTTP',
      status: 401,
      outcomeUnknown: false,
    });
  });

  it('calls a success without data a bad response, with an unknown outcome, made once', async () => {
    pool()
      .intercept({ path: '/api-customer/public/order/partner/get-otp', method: 'POST' })
      .reply(200, { success: true, errorCode: 200, message: 'ok' });
    await expect(client.getOtp(request)).rejects.toMatchObject({
      code: 'VENDOR_BAD_RESPONSE',
      outcomeUnknown: true,
    });
  });
});
