import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { sales } from './helpers/sales.js';

/** Global object identification: every cached object has an `id` that `node(id:)` finds again. */
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t.close();
});

const NODE = `query ($id: ID!) { node(id: $id) { __typename id
  ... on Order { orderCode status databaseId }
  ... on Subscriber { phone telco }
  ... on Package { code telco } } }`;

describe('node(id:)', () => {
  it('finds a subscriber again by an id that does not show the number', async () => {
    const res = await t.graphql<{ subscriber: { id: string } }>(
      '{ subscriber(phone: "0936004420") { id } }',
    );
    const { id } = res.data!.subscriber;
    const again = await t.graphql<{ subscriber: { id: string } }>(
      '{ subscriber(phone: "+84 936 004 420") { id } }',
    );
    expect(again.data!.subscriber.id).toBe(id);
    expect(Buffer.from(id, 'base64').toString('latin1')).toMatch(/^Subscriber:/);
    expect(Buffer.from(id, 'base64').toString('latin1')).not.toContain('936004420');
    expect(await t.graphql(NODE, { id })).toEqual({
      data: { node: { __typename: 'Subscriber', id, phone: '0936004420', telco: 'MOBIFONE' } },
    });
  });

  it('finds a package by carrier and code', async () => {
    const res = await t.graphql<{ packages: Array<{ id: string; code: string }> }>(
      '{ packages(telco: MOBIFONE) { id code } }',
    );
    const pkg = res.data!.packages.find((p) => p.code === '6C120')!;
    expect(await t.graphql(NODE, { id: pkg.id })).toEqual({
      data: { node: { __typename: 'Package', id: pkg.id, code: '6C120', telco: 'MOBIFONE' } },
    });
    const otherTelco = Buffer.from('Package:VIETTEL:6C120').toString('base64');
    expect(await t.graphql(NODE, { id: otherTelco })).toEqual({ data: { node: null } });
  });

  it('finds an order, keeps its database id, and answers nodes(ids:) in order', async () => {
    const { order } = await sales(t).requestOtp('0936000401', 'C120');
    const res = await t.graphql<{ node: { databaseId: string } }>(NODE, { id: order!.id });
    expect(res).toEqual({
      data: {
        node: {
          __typename: 'Order',
          id: order!.id,
          orderCode: order!.orderCode,
          status: 'OTP_SENT',
          databaseId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        },
      },
    });
    expect(Buffer.from(order!.id, 'base64').toString()).toBe(`Order:${res.data!.node.databaseId}`);
    const gone = Buffer.from('Order:00000000-0000-0000-0000-000000000000').toString('base64');
    const many = await t.graphql('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      ids: [gone, order!.id],
    });
    expect(many).toEqual({ data: { nodes: [null, { id: order!.id }] } });
  });

  it('refuses an id it did not give out with INVALID_INPUT', async () => {
    for (const id of [
      'garbage!',
      Buffer.from('Query:1').toString('base64'),
      Buffer.from('Subscriber:forged').toString('base64'),
    ]) {
      const res = await t.graphql(NODE, { id });
      expect({ id, res }).toEqual({
        id,
        res: {
          data: { node: null },
          errors: [
            expect.objectContaining({
              path: ['node'],
              extensions: { code: 'INVALID_INPUT', typename: 'InvalidInput' },
            }),
          ],
        },
      });
    }
  });
});
