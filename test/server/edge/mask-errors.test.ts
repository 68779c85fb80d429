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

/** The ledger query, with the store's list failing as `error`. */
async function ordersFailingWith(error: Error) {
  const list = vi.spyOn(t.gateway.orders, 'list').mockRejectedValueOnce(error);
  try {
    const res = await t.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
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
    for (const error of [outage, new Error('query failed', { cause: outage })]) {
      expect(await ordersFailingWith(error)).toEqual({
        status: 503,
        body: {
          data: null,
          errors: [
            {
              message: 'The database is busy or unreachable; try again shortly.',
              locations: [{ line: 1, column: 3 }],
              path: ['orders'],
              extensions: { code: 'DATABASE_UNAVAILABLE' },
            },
          ],
        },
      });
    }
  });

  it('masks any other failure as "Unexpected error.", without its message', async () => {
    const res = await ordersFailingWith(
      failure('23505', 'duplicate key value violates unique constraint "orders_pkey"'),
    );
    expect(JSON.stringify(res.body)).not.toContain('duplicate');
    expect(res.body.errors).toEqual([
      {
        message: 'Unexpected error.',
        locations: [{ line: 1, column: 3 }],
        path: ['orders'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
  });
});
