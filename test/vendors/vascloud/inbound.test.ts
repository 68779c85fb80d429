import { readFileSync } from 'node:fs';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { VascloudClient } from '../../../src/vendors/vascloud/client.js';
import { type VascloudSection, vascloud } from '../../../src/vendors/vascloud/index.js';
import {
  NotifierResponse,
  parseVasXml,
  type VasNotification,
} from '../../../src/vendors/vascloud/wire.js';

/** The SDP's notifications to our cpURL, through the module's own inbound route. */

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/vascloud/${name}`, import.meta.url), 'utf8');

const section = (cpUrl: string | null): VascloudSection => ({
  baseUrl: 'https://vascloud.test',
  timeoutMs: 1000,
  cpUrl,
  notifyAllow: null,
});

function routeWith(
  deliver: (event: VasNotification) => Promise<void>,
  cpUrl: string | null = null,
) {
  const routes = vascloud.inbound?.({
    config: section(cpUrl),
    client: {} as VascloudClient,
    logger: pino({ level: 'silent' }),
    deliver,
  });
  expect(routes).toHaveLength(1);
  return routes![0]!;
}

const post = (body: string, path = '/vascloud/v1/notify_sub', headers: HeadersInit = {}) =>
  new Request(`http://gateway.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', ...headers },
    body,
  });

async function command(res: Response) {
  expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
  return NotifierResponse.parse(parseVasXml(await res.text())).ACCESSGW.COMMAND;
}

describe('vascloud inbound: POST notify_sub', () => {
  it('listens on the default path, or on the configured cpURL path', () => {
    const deliver = vi.fn(async () => {});
    expect(routeWith(deliver)).toMatchObject({ method: 'POST', path: '/vascloud/v1/notify_sub' });
    expect(routeWith(deliver, 'https://gw.example.vn/hooks/vas/notify?x=1')).toMatchObject({
      path: '/hooks/vas/notify',
    });
  });

  it('hands the documented NOTIFY sample over as a typed event and answers error_id 0', async () => {
    const deliver = vi.fn(async (_event: VasNotification) => {});
    const res = await routeWith(deliver).handle(post(fixture('notify-request.xml')));
    expect(res.status).toBe(200);
    expect(await command(res)).toEqual({
      error_id: '0',
      error_desc: 'successfully',
      queueID: '5196664',
      msisdn: '84945989325',
      service_id: '1000625',
      package_id: '1003013',
    });
    expect(deliver).toHaveBeenCalledTimes(1);
    expect(deliver.mock.calls[0]?.[0]).toMatchObject({
      queueId: '5196664',
      action: 'register',
      msisdn: '84945989325',
      phone: '0945989325',
      serviceId: '1000625',
      packageId: '1003013',
      commandCode: 'DK L1',
      autoRenew: true,
    });
  });

  it('reads regType 2 as a cancellation, and keeps leading zeros', async () => {
    const deliver = vi.fn(async (_event: VasNotification) => {});
    const body = fixture('notify-request.xml')
      .replace('<regType>1</regType>', '<regType>2</regType>')
      .replace('<service_id>1000625</service_id>', '<service_id>0001000625</service_id>')
      .replace('<queueID>5196664</queueID>', '<queueID>005196664</queueID>');
    const res = await routeWith(deliver).handle(post(body));
    expect(await command(res)).toMatchObject({ queueID: '005196664', service_id: '0001000625' });
    expect(deliver.mock.calls[0]?.[0]).toMatchObject({
      action: 'cancel',
      queueId: '005196664',
      serviceId: '0001000625',
    });
  });

  it('answers error_id 1 when no service takes the event, so the SDP retries', async () => {
    const route = routeWith(async () => {
      throw new Error('No service takes vascloud events yet');
    });
    const res = await route.handle(post(fixture('notify-request.xml')));
    expect(res.status).toBe(503);
    expect(await command(res)).toMatchObject({ error_id: '1', queueID: '5196664' });
  });

  it.each([
    ['malformed XML', '<ACCESSGW><MODULE>SDP</MODULE><COMMAND></ACCESSGW>', 'malformed XML'],
    ['not XML', 'queueID=5196664&msisdn=84945989325', 'the body is not XML'],
    [
      'a DOCTYPE (billion laughs)',
      `<!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>${fixture(
        'notify-request.xml',
      ).replace('<errorDesc>OK</errorDesc>', '<errorDesc>&b;</errorDesc>')}`,
      'a DOCTYPE is not accepted',
    ],
    [
      'a missing element',
      fixture('notify-request.xml').replace(/<msisdn>.*<\/msisdn>/, ''),
      'ACCESSGW.COMMAND.msisdn',
    ],
    [
      'an msisdn that is no Vietnamese mobile number',
      fixture('notify-request.xml').replace(/<msisdn>.*<\/msisdn>/, '<msisdn>84145989325</msisdn>'),
      'msisdn is not a Vietnamese mobile number',
    ],
    [
      'an unknown regType',
      fixture('notify-request.xml').replace('<regType>1</regType>', '<regType>3</regType>'),
      'ACCESSGW.COMMAND.regType',
    ],
    ['another message type', fixture('notify-reply-success.xml'), 'ACCESSGW.MODULE'],
    [
      '<__proto__>',
      fixture('notify-request.xml').replace(
        '<updateTime/>',
        '<updateTime/><__proto__><polluted>yes</polluted></__proto__>',
      ),
      'malformed XML',
    ],
  ])('refuses %s with error_id 1 and a reason, delivering nothing', async (_, body, reason) => {
    const deliver = vi.fn(async () => {});
    const res = await routeWith(deliver).handle(post(body));
    expect(res.status).toBe(400);
    const reply = await command(res);
    expect(reply.error_id).toBe('1');
    expect(reply.error_desc).toContain(reason);
    expect(deliver).not.toHaveBeenCalled();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses an oversize body with error_id 1, declared or streamed', async () => {
    const deliver = vi.fn(async () => {});
    const route = routeWith(deliver);
    const big = fixture('notify-request.xml').replace(
      '<updateTime/>',
      `<updateTime>${'9'.repeat(20_000)}</updateTime>`,
    );
    const declared = await route.handle(post(big));
    expect(declared.status).toBe(413);
    expect((await command(declared)).error_desc).toContain('body larger than 16384 bytes');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await route.handle(
      new Request('http://gateway.test/vascloud/v1/notify_sub', {
        method: 'POST',
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect(deliver).not.toHaveBeenCalled();
  });
});
