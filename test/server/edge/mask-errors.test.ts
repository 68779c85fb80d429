import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';

/** Masking: a database outage keeps its code (DATABASE_UNAVAILABLE, 503); anything else is hidden. */

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t.close();
});

const failure = (code: string, message: string) => Object.assign(new Error(message), { code });

/** The ledger query, with the store's list failing as `error`; in Vietnamese unless asked. */
async function ordersFailingWith(error: Error, language?: string) {
  const list = vi.spyOn(t.gateway.orders, 'list').mockRejectedValueOnce(error);
  try {
    const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(language && { 'accept-language': language }),
      },
      body: JSON.stringify({ query: '{ orders { edges { node { id } } } }' }),
    });
    return { status: res.status, body: await res.json() };
  } finally {
    list.mockRestore();
  }
}

describe('maskErrors', () => {
  it('answers a database outage with DATABASE_UNAVAILABLE and 503, also as the cause of another error', async () => {
    const outage = failure('57P03', 'the database system is starting up');
    const answer = (message: string) => ({
      status: 503,
      body: {
        data: null,
        errors: [
          {
            message,
            locations: [{ line: 1, column: 3 }],
            path: ['orders'],
            extensions: { code: 'DATABASE_UNAVAILABLE' },
          },
        ],
      },
    });
    for (const error of [outage, new Error('query failed', { cause: outage })]) {
      expect(await ordersFailingWith(error)).toEqual(
        answer('Cơ sở dữ liệu đang bận hoặc không kết nối được; hãy thử lại sau giây lát.'),
      );
    }
    expect(await ordersFailingWith(outage, 'en')).toEqual(
      answer('The database is busy or unreachable; try again shortly.'),
    );
  });

  it('masks any other failure as "Unexpected error.", without its message', async () => {
    const res = await ordersFailingWith(
      failure('23505', 'duplicate key value violates unique constraint "orders_pkey"'),
    );
    expect(JSON.stringify(res.body)).not.toContain('duplicate');
    const masked = (message: string) => [
      {
        message,
        locations: [{ line: 1, column: 3 }],
        path: ['orders'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ];
    expect(res.body.errors).toEqual(masked('Đã xảy ra lỗi không mong muốn.'));
    const english = await ordersFailingWith(failure('23505', 'duplicate key'), 'en-GB,en;q=0.8');
    expect(english.body.errors).toEqual(masked('Unexpected error.'));
  });
});
