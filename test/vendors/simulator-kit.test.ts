import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  HangSignal,
  json,
  route,
  SERVER_ERROR_REPLY,
  SimulatorServer,
  sandbox,
  sandboxBehaviour,
  text,
  xml,
  xmlObject,
} from '../../src/vendors/simulator-kit.js';

/** The kit every simulator is built on, for every wire format the vendors use. */

const sim = new SimulatorServer({
  name: 'kit',
  hangMs: 200,
  authorize: (req, read) => {
    const fromHeader = req.headers['x-key'];
    const fromBody = (read as { key?: string } | null)?.key;
    return fromHeader === 'k' || fromBody === 'k' ? null : text(401, 'denied');
  },
  badRequest: (message) => text(400, `bad: ${message}`),
  routes: [
    route({
      method: 'POST',
      path: '/json',
      format: 'json',
      input: z.object({ key: z.string(), n: z.number().int() }),
      handle: (body) => json(200, { doubled: body.n * 2 }),
    }),
    route({
      method: 'POST',
      path: '/xml',
      format: 'xml',
      input: z.object({
        RQST: z.object({ key: z.string(), msisdn: z.string(), requestid: z.string() }),
      }),
      handle: ({ RQST }) =>
        xml(200, {
          RPLY: {
            '@_name': 'Echo',
            msisdn: RQST.msisdn,
            requestid: RQST.requestid,
            error_id: '00',
          },
        }),
    }),
    route({
      method: 'POST',
      path: '/form',
      format: 'form',
      input: z.object({ key: z.string(), phone: z.string() }),
      handle: (body) => text(200, `1,,,${body.phone}`),
    }),
    route({
      method: 'GET',
      path: '/query',
      format: 'query',
      input: z.object({ key: z.string(), id: z.string() }),
      handle: (q, req) => text(200, `RESULT: ${q.id} via ${req.method}`),
    }),
    route({
      method: 'POST',
      path: '/text',
      format: 'text',
      input: z.string().regex(/^key=k;/),
      handle: (body) => text(200, body.toUpperCase()),
    }),
    route({
      method: 'POST',
      path: '/hang',
      format: 'json',
      input: z.object({ key: z.string(), phone: z.string() }),
      handle: (body) => {
        if (sandboxBehaviour(body.phone) === 'hang') throw new HangSignal();
        return json(200, { ok: true });
      },
    }),
  ],
});

let base: string;
beforeAll(async () => {
  base = await sim.listen();
});
afterAll(async () => {
  await sim.close();
});

async function call(path: string, init: RequestInit = {}) {
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

describe('simulator kit', () => {
  it('reads JSON, checks its shape, and answers JSON', async () => {
    expect(
      await call('/json', { method: 'POST', body: JSON.stringify({ key: 'k', n: 21 }) }),
    ).toEqual({ status: 200, type: 'application/json; charset=utf-8', body: '{"doubled":42}' });
    expect(
      await call('/json', { method: 'POST', body: JSON.stringify({ key: 'k', n: 'x' }) }),
    ).toEqual({
      status: 400,
      type: 'text/plain; charset=utf-8',
      body: 'bad: n: Invalid input: expected number, received string',
    });
    expect(
      await call('/json', { method: 'POST', body: '{not json', headers: { 'x-key': 'k' } }),
    ).toEqual({
      status: 400,
      type: 'text/plain; charset=utf-8',
      body: 'bad: the body is not valid json',
    });
  });

  it('refuses a missing credential before reading the shape', async () => {
    expect(await call('/json', { method: 'POST', body: '{}' })).toMatchObject({
      status: 401,
      body: 'denied',
    });
  });

  it('reads XML with every value kept as text, and answers XML', async () => {
    const res = await call('/xml', {
      method: 'POST',
      headers: { 'content-type': 'text/xml', 'x-key': 'k' },
      body: '<RQST><key>k</key><msisdn>84936004420</msisdn><requestid>000123</requestid></RQST>',
    });
    expect(res).toEqual({
      status: 200,
      type: 'text/xml; charset=utf-8',
      body: '<?xml version="1.0" encoding="UTF-8"?><RPLY name="Echo"><msisdn>84936004420</msisdn><requestid>000123</requestid><error_id>00</error_id></RPLY>',
    });
  });

  it('refuses a DOCTYPE without expanding anything', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><RQST><key>k</key><msisdn>&lol2;</msisdn><requestid>1</requestid></RQST>`;
    expect(xmlObject(bomb)).toBeNull();
    expect(
      await call('/xml', { method: 'POST', headers: { 'x-key': 'k' }, body: bomb }),
    ).toMatchObject({ status: 400, body: 'bad: the body is not valid xml' });
  });

  it('reads form bodies, query strings and plain text', async () => {
    expect(
      await call('/form', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'key=k&phone=0936004420',
      }),
    ).toMatchObject({ status: 200, body: '1,,,0936004420' });
    expect(await call('/query?key=k&id=77')).toMatchObject({
      status: 200,
      body: 'RESULT: 77 via GET',
    });
    expect(
      await call('/text', { method: 'POST', headers: { 'x-key': 'k' }, body: 'key=k;abc' }),
    ).toMatchObject({ status: 200, body: 'KEY=K;ABC' });
    expect(sim.callsTo('/query').at(-1)?.query.get('id')).toBe('77');
  });

  it('answers 405 with Allow for a known path and 404 for an unknown one', async () => {
    expect(await call('/query', { method: 'POST', body: '' })).toMatchObject({
      status: 405,
      body: 'Use GET',
    });
    expect(await call('/nowhere')).toMatchObject({ status: 404, body: 'No route /nowhere' });
  });

  it('holds a hanging request open, then answers late', async () => {
    const res = await call('/hang', {
      method: 'POST',
      body: JSON.stringify({ key: 'k', phone: '0930000003' }),
    });
    expect(res).toMatchObject({ status: 504, body: 'late' });
  });

  it('calls back to a partner URL and records the answer', async () => {
    const seen: string[] = [];
    const partner: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c;
      });
      req.on('end', () => {
        seen.push(`${req.headers['content-type']} ${body}`);
        res.writeHead(200, { 'content-type': 'text/xml' }).end('<ok/>');
      });
    });
    await new Promise<void>((r) => partner.listen(0, '127.0.0.1', r));
    const { port } = partner.address() as AddressInfo;
    try {
      const record = await sim.callBack(`http://127.0.0.1:${port}/notify`, '<n/>', 'text/xml');
      expect(record).toEqual({
        url: `http://127.0.0.1:${port}/notify`,
        body: '<n/>',
        status: 200,
        reply: '<ok/>',
        error: null,
      });
      expect(seen).toEqual(['text/xml <n/>']);
    } finally {
      partner.close();
    }
    const refused = await sim.callBack(`http://127.0.0.1:${port}/notify`, '{}');
    expect(refused).toMatchObject({ status: null, reply: null });
    expect(refused.error).toMatch(/fetch failed/);
    expect(sim.callbacks).toHaveLength(2);
  });

  it('sandbox: a call’s opening answers reject and the shared failures; hangIf throws for its kind', () => {
    const refuse = () => text(200, 'refused');
    expect(sandbox('0930000001').failure(refuse)).toEqual(refuse());
    expect(sandbox('84930000002').failure(refuse)).toBe(SERVER_ERROR_REPLY);
    expect(() => sandbox('0930000003').failure(refuse)).toThrow(HangSignal);
    expect(sandbox('0930000004').failure(refuse)).toMatchObject({ contentType: 'text/html' });
    for (const phone of ['0930000005', '0930000006', '0936004420', undefined]) {
      expect(sandbox(phone).failure(refuse)).toBeNull();
    }
    expect(() => sandbox('0930000005').hangIf('act-then-hang')).toThrow(HangSignal);
    expect(() => sandbox('0930000005').hangIf('act-then-hang', false)).not.toThrow();
    expect(() => sandbox('0930000005').hangIf('hang-once')).not.toThrow();
    expect(() => sandbox('0930000006').hangIf('hang-once', true)).toThrow(HangSignal);
    expect(() => sandbox('0930000006').hangIf('act-then-hang')).not.toThrow();
    expect(() => sandbox('0936004420').hangIf('hang-once')).not.toThrow();
  });
});
