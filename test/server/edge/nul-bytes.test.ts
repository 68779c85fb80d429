import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { dmallSim } from '../../helpers/sales.js';

/** NUL bytes (U+0000), which PostgreSQL cannot store: refused before parsing, or before validation. */

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t.close();
});

describe('NUL bytes', () => {
  it('refuses NUL bytes in variables and in literals with BAD_USER_INPUT, before any vendor call', async () => {
    const { otpCalls } = dmallSim(t);
    const before = otpCalls();
    const inVariables = await t.graphql(
      'mutation ($input: RequestOtpInput!) { requestOtp(input: $input) { __typename } }',
      {
        input: { phone: '0936004420', packageCode: 'C120', idempotencyKey: 'nul-key-\u0000-0001' },
      },
      { 'x-client-id': 'pos-nul' },
    );
    expect(inVariables).toEqual({
      errors: [expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })],
    });
    const inLiteral = await t.graphql('{ subscriber(phone: "0936\\u00004420") { telco } }');
    expect(inLiteral).toEqual({
      errors: [expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })],
    });
    expect(otpCalls()).toBe(before);
  });

  it('refuses a NUL in the operation name or a variable name with 400, before parsing', async () => {
    const send = (body: object) =>
      t.gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const body of [
      { query: 'query P { packages { code } }', operationName: 'P\u0000' },
      { query: '{ packages { code } }', variables: { 'n\u0000': 1 } },
      { query: '{ packages { code } }', extensions: { nested: [{ deep: 'a\u0000' }] } },
    ]) {
      const res = await send(body);
      expect(res.status).toBe(400);
      // In the default language: these requests send no Accept-Language.
      expect(await res.json()).toEqual({
        errors: [
          {
            message: 'Dữ liệu văn bản không được chứa ký tự NUL (U+0000).',
            extensions: { code: 'BAD_USER_INPUT' },
          },
        ],
      });
    }
  });
});
