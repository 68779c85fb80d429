import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { sales } from '../helpers/sales.js';

/**
 * A client that sends its request one byte at a time holds a connection until the server cuts
 * it: with HTTP_HEADERS_TIMEOUT_MS and HTTP_REQUEST_TIMEOUT_MS (small here) Node answers 408 and
 * closes. The tests wait for the socket's answer and close; they never time anything.
 */

let t: TestGateway;
let port: number;
beforeAll(async () => {
  t = await startTestGateway({ HTTP_HEADERS_TIMEOUT_MS: '300', HTTP_REQUEST_TIMEOUT_MS: '600' });
  port = Number(new URL(await t.gateway.listen()).port);
});
afterAll(async () => {
  await t.close();
});

/**
 * Opens a raw connection, writes `head` at once, then `trickle` one byte every 100 ms until the
 * server answers; resolves with everything the server sent once it closes the connection.
 */
function trickle(head: string, rest: string): Promise<{ answer: string; unsent: number }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent < rest.length && !socket.destroyed) socket.write(rest[sent++]!);
      }, 100);
    });
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', (err) => {
      // The server may reset the connection while a byte is on its way; what it said counts.
      if (!answer) reject(err);
    });
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, unsent: rest.length - sent });
    });
  });
}

const BODY = JSON.stringify({ query: '{ packages(telco: MOBIFONE) { code } }' });

describe('slow requests', () => {
  it('cuts a body sent one byte at a time with 408', async () => {
    const { answer, unsent } = await trickle(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${BODY.length}\r\n\r\n`,
      BODY,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).not.toContain('"data"');
    expect(unsent).toBeGreaterThan(0);
  });

  it('cuts headers sent one byte at a time with 408', async () => {
    const { answer, unsent } = await trickle(
      'POST /graphql HTTP/1.1\r\n',
      `Host: 127.0.0.1\r\ncontent-type: application/json\r\nx-client-id: slow-headers-client-${'x'.repeat(100)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(unsent).toBeGreaterThan(0);
  });

  it('serves a request sent at once, and keeps a stream open past the request timeout', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: BODY,
    });
    expect(await res.json()).toEqual({
      data: { packages: [{ code: 'C120' }, { code: '3C120' }, { code: '6C120' }] },
    });

    // The request timeout counts until the request is received, not while the answer streams.
    const s = sales(t);
    const { order } = await s.requestOtp('0936000811', 'C120');
    const stream = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'x-client-id': 'pos-test',
      },
      body: JSON.stringify({
        query: `subscription { orderUpdated(code: "${order!.orderCode}") { status } }`,
      }),
    });
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    const next = async (want: string) => {
      let seen = '';
      while (!seen.includes(want)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${want}: ${seen}`);
        seen += value;
      }
    };
    await next('OTP_SENT');
    // Longer than the request timeout and Node's check of it, then a change the stream must carry.
    await new Promise((r) => setTimeout(r, 1_200));
    await s.register(order!.orderCode, '123456');
    await next('REGISTERED');
    await reader.cancel();
  });
});
