import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { postBody } from './edge/helpers.js';

/** `edgePlugins` runs its checks in order: the first refusal is the answer, one error only. */

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t.close();
});

const answer = async (res: Response) => ({
  status: res.status,
  errors: ((await res.json()) as { errors: Array<{ message: string; extensions?: object }> })
    .errors,
});

describe('edgePlugins', () => {
  it('checks CSRF first, then the declared body size, then the media type', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const big = `query=${'x'.repeat(t.config.limits.maxBodyBytes)}`;
    expect(await answer(await postBody(t, big, form))).toEqual({
      status: 403,
      errors: [{ message: 'Required CSRF header(s) not present' }],
    });
    const withHeader = { ...form, 'x-client-id': 'shop' };
    expect(await answer(await postBody(t, big, withHeader))).toEqual({
      status: 413,
      errors: [expect.objectContaining({ extensions: { code: 'REQUEST_TOO_LARGE' } })],
    });
    expect(await answer(await postBody(t, 'query=%7B%7D', withHeader))).toEqual({
      status: 415,
      errors: [expect.objectContaining({ extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } })],
    });
  });

  it('checks NUL bytes before the token limit, the token limit before the other limits', async () => {
    const huge = `{ ${'a { '.repeat(10_000)}b${' }'.repeat(10_000)} }`;
    const withNul = JSON.stringify({ query: huge, variables: { v: '\u0000' } });
    expect(await answer(await postBody(t, withNul))).toEqual({
      status: 400,
      errors: [expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })],
    });
    expect((await answer(await postBody(t, JSON.stringify({ query: huge })))).errors).toEqual([
      expect.objectContaining({ extensions: { code: 'MAX_TOKENS_EXCEEDED' } }),
    ]);
  });
});
