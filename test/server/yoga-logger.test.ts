import { GraphQLError } from 'graphql';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderNotFound } from '../../src/domain/errors.js';
import { message } from '../../src/domain/messages/index.js';
import { yogaLogger } from '../../src/server/yoga-logger.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * A caller's mistake (an unknown order code on a stream, a malformed phone number) is logged as a
 * client error: `info`, its code and path, no stack and no message (a message may quote what the
 * caller sent). A failure of the server stays an `error` with its stack.
 */
const lines: Array<Record<string, unknown>> = [];
const logger = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s)) });
let t: TestGateway;
let url: string;

beforeAll(async () => {
  t = await startTestGateway({}, undefined, { logger });
  url = await t.gateway.listen();
});

afterAll(async () => {
  await t?.close();
});

const errorsLogged = () => lines.filter((l) => (l.level as number) >= 50);

describe('client errors in the log', () => {
  it('an unknown order code on orderUpdated (SSE) is an info line with its code', async () => {
    lines.length = 0;
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'x-client-id': 'log-test',
      },
      body: JSON.stringify({
        query: 'subscription { orderUpdated(code: "DGNOPE0001") { status } }',
      }),
    });
    expect(await res.text()).toContain('ORDER_NOT_FOUND');
    expect(errorsLogged()).toEqual([]);
    const line = lines.find((l) => l.code === 'ORDER_NOT_FOUND');
    expect(line).toMatchObject({ level: 30, msg: 'client error', path: 'orderUpdated' });
    expect(JSON.stringify(line)).not.toContain('DGNOPE0001');
  });

  it('a malformed phone number on a query is an info line too, without the number', async () => {
    lines.length = 0;
    const res = await t.graphql(
      '{ subscriber(phone: "0999999x") { telco } }',
      {},
      {
        'x-client-id': 'log-test',
      },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('INVALID_PHONE_NUMBER');
    expect(errorsLogged()).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain('0999999x');
  });

  it('anything else stays an error with its stack', () => {
    const seen: Array<Record<string, unknown>> = [];
    const log = yogaLogger(pino({}, { write: (s: string) => seen.push(JSON.parse(s)) }));
    log.error(new GraphQLError('boom', { originalError: new Error('db exploded') }));
    log.error(
      new GraphQLError('located', {
        originalError: new OrderNotFound(message('OrderNotFound.noOrder', { orderCode: 'X' }), 'X'),
      }),
    );
    expect(seen.map((l) => l.level)).toEqual([50, 30]);
    expect(seen[0]?.err).toMatchObject({ message: 'boom' });
  });
});
