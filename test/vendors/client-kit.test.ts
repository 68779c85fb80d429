import { describe, expect, it } from 'vitest';
import {
  belowServerError,
  jsonBody,
  jsonPost,
  readReply,
  rejection,
} from '../../src/vendors/client-kit.js';
import { VendorError } from '../../src/vendors/http.js';

const reply = (status: number, body: string) => ({ status, headers: {}, body });

describe('client kit', () => {
  it('jsonPost: a POST of the JSON body, the caller’s headers before the type, statuses below 500 read', () => {
    const parse = () => 1;
    const call = jsonPost({
      operation: 'op',
      path: '/p',
      headers: { 'api-key': 'k' },
      json: { a: 1, b: 'x' },
      safeToRepeat: false,
      phone: '0936004420',
      parse,
    });
    expect(call).toMatchObject({
      operation: 'op',
      path: '/p',
      method: 'POST',
      body: '{"a":1,"b":"x"}',
      safeToRepeat: false,
      phone: '0936004420',
      parse,
    });
    expect(Object.entries(call.headers ?? {})).toEqual([
      ['api-key', 'k'],
      ['content-type', 'application/json'],
    ]);
    expect([200, 400, 404, 499, 500, 503].map((s) => call.acceptStatus?.(s))).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(call.acceptStatus).toBe(belowServerError);
    expect(
      jsonPost({ operation: 'o', path: '/', json: {}, safeToRepeat: true, parse }).headers,
    ).toEqual({ 'content-type': 'application/json' });
  });

  it('jsonBody: JSON, or undefined for anything else', () => {
    expect(jsonBody('{"a":[1]}')).toEqual({ a: [1] });
    expect(jsonBody('<html>')).toBeUndefined();
  });

  it('readReply: a 4xx it cannot read is a refusal with a known outcome; a 2xx goes up as it is', () => {
    const unreadable = () => {
      throw new SyntaxError('not ours');
    };
    expect(readReply('v', reply(404, '{"ok":1}'), (b) => JSON.parse(b))).toEqual({ ok: 1 });
    let err: unknown;
    try {
      readReply('v', reply(403, '<html>'), unreadable);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VendorError);
    expect(err).toMatchObject({
      vendor: 'v',
      code: 'VENDOR_HTTP',
      status: 403,
      message: 'v answered HTTP 403',
      outcomeUnknown: false,
      attempted: true,
    });
    expect((err as Error).cause).toBeInstanceOf(SyntaxError);
    expect(() => readReply('v', reply(200, '<html>'), unreadable)).toThrow(SyntaxError);
  });

  it('rejection: the vendor’s code and message, the fallback when it sent none', () => {
    const base = { vendor: 'v', status: 200, vendorCode: '7', fallback: 'v refused (7)' };
    expect(new VendorError(rejection({ ...base, vendorMessage: 'no' }))).toMatchObject({
      vendor: 'v',
      code: 'VENDOR_REJECTED',
      status: 200,
      vendorCode: '7',
      vendorMessage: 'no',
      message: 'no',
      outcomeUnknown: false,
    });
    expect(rejection({ ...base, vendorMessage: null })).toMatchObject({
      vendorMessage: null,
      message: 'v refused (7)',
    });
  });
});
