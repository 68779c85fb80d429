import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { allowList } from '../src/vendors/vascloud/allow-list.js';
import { vascloud } from '../src/vendors/vascloud/index.js';
import type { VascloudSimulator } from '../src/vendors/vascloud/simulator.js';
import { NotifierResponse, parseVasXml } from '../src/vendors/vascloud/wire.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

/** The SDP's notifications to our cpURL, end to end: simulator → real socket → service → ledger. */

const SERVICE = '1000625';
const PACKAGE = '1003013';
const PATH = '/vascloud/v1/notify_sub';

describe('VAS notifications (POST notify_sub)', () => {
  let t: TestGateway;
  let sim: VascloudSimulator;
  let notifyUrl: string;

  beforeAll(async () => {
    t = await startTestGateway({
      VASCLOUD_TIMEOUT_MS: '1000',
      VENDOR_BREAKER_FAILURES: '1000',
      VASCLOUD_NOTIFY_ALLOW: '127.0.0.1, 10.9.0.0/16, ::1',
    });
    sim = t.gateway.sandbox.simulators.vascloud as VascloudSimulator;
    const graphqlUrl = await t.gateway.listen();
    notifyUrl = graphqlUrl.replace('/graphql', PATH);
  });
  afterAll(async () => {
    await t.close();
  });

  const eventCount = async () =>
    Number(
      (
        await t.gateway.db.db
          .selectFrom('vas_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** Posts through Yoga in process, as if from `address`. */
  const postFrom = (address: string | null, body: string, headers: Record<string, string> = {}) =>
    t.gateway.yoga.fetch(
      `http://gateway.test${PATH}`,
      { method: 'POST', headers: { 'content-type': 'text/xml', ...headers }, body },
      // Yoga's Node adapter passes `{ req, res }` as the server context; the route reads the peer there.
      (address ? { req: { socket: { remoteAddress: address } } } : {}) as never,
    );

  it('records a notification once however often it is posted, and answers the documented RESPONSE', async () => {
    const msisdn = '84945000111';
    const queueId = String(7_000_000 + Math.floor(Math.random() * 1000));
    const first = await sim.notifySubscription({
      msisdn,
      serviceId: SERVICE,
      packageId: PACKAGE,
      action: 'register',
      url: notifyUrl,
      queueId,
    });
    expect(first.status).toBe(200);
    expect(NotifierResponse.parse(parseVasXml(first.reply!)).ACCESSGW).toEqual({
      MODULE: 'SDP NOTIFIER',
      MESSAGE_TYPE: 'RESPONSE',
      COMMAND: {
        error_id: '0',
        error_desc: 'successfully',
        queueID: queueId,
        msisdn,
        service_id: SERVICE,
        package_id: PACKAGE,
      },
    });
    const count = await eventCount();
    const replay = await sim.notifySubscription({
      msisdn,
      serviceId: SERVICE,
      packageId: PACKAGE,
      action: 'register',
      url: notifyUrl,
      queueId,
    });
    expect(replay.status).toBe(200);
    expect(NotifierResponse.parse(parseVasXml(replay.reply!)).ACCESSGW.COMMAND.error_id).toBe('0');
    expect(await eventCount()).toBe(count);

    // Then the subscriber cancels by SMS: newest first.
    await sim.notifySubscription({
      msisdn,
      serviceId: SERVICE,
      packageId: PACKAGE,
      action: 'cancel',
      url: notifyUrl,
    });
    const res = await t.graphql<{
      subscriber: {
        vasEvents: {
          totalCount: number;
          edges: Array<{
            node: { id: string; queueId: string; action: string; commandCode: string };
          }>;
        };
      };
    }>(
      '{ subscriber(phone: "0945000111") { vasEvents(first: 10) { totalCount edges { node { id queueId action commandCode channel resultCode receivedAt } } } } }',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.subscriber.vasEvents.totalCount).toBe(2);
    expect(
      res.data?.subscriber.vasEvents.edges.map((e) => [e.node.action, e.node.commandCode]),
    ).toEqual([
      ['CANCEL', 'HUY L1'],
      ['REGISTER', 'DK L1'],
    ]);
    expect(res.data?.subscriber.vasEvents.edges[1]?.node.queueId).toBe(queueId);
    const node = await t.graphql<{ node: { queueId: string } }>(
      'query ($id: ID!) { node(id: $id) { ... on VasEvent { queueId } } }',
      { id: res.data!.subscriber.vasEvents.edges[1]!.node.id },
    );
    expect(node.data?.node).toEqual({ queueId });
    // The known state follows the last change.
    expect(await t.gateway.vasStore.findState('0945000111', SERVICE, PACKAGE)).toMatchObject({
      active: false,
      source: 'NOTIFICATION',
    });
  });

  it('settles an UNKNOWN registration when the SDP reports the same package registered', async () => {
    const phone = '0910000006'; // the simulator hangs on the first notify_reg, without acting
    const res = await t.graphql<{
      registerVasPackage: {
        __typename: string;
        record: { databaseId: string; status: string };
      };
    }>(
      `mutation ($input: RegisterVasPackageInput!) { registerVasPackage(input: $input) {
        __typename ... on VendorUnavailable { record { ... on VasTransaction { databaseId status } } } } }`,
      {
        input: {
          phone,
          serviceId: SERVICE,
          packageId: PACKAGE,
          channel: 'APP',
          idempotencyKey: randomUUID(),
        },
      },
    );
    expect(res.data?.registerVasPackage.record.status).toBe('UNKNOWN');
    await sim.notifySubscription({
      msisdn: '84910000006',
      serviceId: SERVICE,
      packageId: PACKAGE,
      action: 'register',
      url: notifyUrl,
    });
    const tx = await t.gateway.vasStore.findById(res.data!.registerVasPackage.record.databaseId);
    expect(tx?.status).toBe('SUCCEEDED');
    const events = await t.gateway.vasStore.eventsFor([tx!.id]);
    expect(events.at(-1)?.detail).toMatch(/notification queueID \d+/);
  });

  it('pushes each change to vasSubscriptionChanged', async () => {
    const graphqlUrl = notifyUrl.replace(PATH, '/graphql');
    const abort = new AbortController();
    const res = await fetch(graphqlUrl, {
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        query:
          'subscription { vasSubscriptionChanged(phone: "0945000222") { id serviceId packageId active checkedAt } }',
      }),
    });
    expect(res.status).toBe(200);
    // The stream is open (its subscription made) once the headers are here.
    await sim.notifySubscription({
      msisdn: '84945000222',
      serviceId: SERVICE,
      packageId: PACKAGE,
      action: 'register',
      url: notifyUrl,
    });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('"vasSubscriptionChanged"')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    abort.abort();
    const data = JSON.parse(/data: (.*)/.exec(text.slice(text.indexOf('data: {')))![1]!);
    expect(data.data.vasSubscriptionChanged).toMatchObject({
      serviceId: SERVICE,
      packageId: PACKAGE,
      active: true,
    });
  });

  it('refuses an address outside VASCLOUD_NOTIFY_ALLOW with 403, and records nothing', async () => {
    const before = await eventCount();
    const body = sim.callbacks.at(-1)!.body.replace(/<queueID>\d+</, '<queueID>9999001<');
    for (const address of ['192.168.1.7', '10.10.0.1', '::ffff:8.8.8.8', null]) {
      const res = await postFrom(address, body);
      expect({ address, status: res.status }).toEqual({ address, status: 403 });
    }
    expect(await eventCount()).toBe(before);
    // The listed range and an IPv4-mapped listed address pass.
    expect((await postFrom('::ffff:10.9.3.4', body)).status).toBe(200);
    expect(await eventCount()).toBe(before + 1);
  });

  it('answers malformed, DOCTYPE-carrying and oversize bodies with error_id 1, recording nothing', async () => {
    const before = await eventCount();
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><ACCESSGW><MODULE>&lol3;</MODULE></ACCESSGW>`;
    const cases: Array<[string, number]> = [
      ['<ACCESSGW><MODULE>SDP</MODULE><COMMAND>', 400],
      [laughs, 400],
      ['<ACCESSGW><__proto__><polluted>1</polluted></__proto__></ACCESSGW>', 400],
      [`<ACCESSGW>${'x'.repeat(20_000)}</ACCESSGW>`, 413],
    ];
    for (const [body, status] of cases) {
      const res = await postFrom('127.0.0.1', body);
      expect(res.status).toBe(status);
      const command = NotifierResponse.parse(parseVasXml(await res.text())).ACCESSGW.COMMAND;
      expect(command.error_id).toBe('1');
      expect(command.error_desc).toBeTruthy();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await eventCount()).toBe(before);
  });
});

describe('VASCLOUD_NOTIFY_ALLOW', () => {
  it('matches addresses and CIDRs, IPv4 and IPv6, and nothing without a peer', () => {
    const allow = allowList(['203.0.113.7', '10.20.0.0/16', '2001:db8::/32']);
    expect(allow('203.0.113.7')).toBe(true);
    expect(allow('::ffff:203.0.113.7')).toBe(true);
    expect(allow('203.0.113.8')).toBe(false);
    expect(allow('10.20.255.1')).toBe(true);
    expect(allow('10.21.0.1')).toBe(false);
    expect(allow('2001:db8::1')).toBe(true);
    expect(allow('2001:db9::1')).toBe(false);
    expect(allow(null)).toBe(false);
    expect(allowList(null)('198.51.100.1')).toBe(true);
  });

  it('is open only in sandbox: a real vendor with no list refuses every address', () => {
    const base = { VASCLOUD_TIMEOUT_MS: 1000, VASCLOUD_CP_URL: 'https://gw.example.vn/x' };
    expect(
      vascloud.section({ ...base, VASCLOUD_BASE_URL: undefined, VASCLOUD_NOTIFY_ALLOW: undefined })
        .notifyAllow,
    ).toBeNull();
    expect(
      vascloud.section({
        ...base,
        VASCLOUD_BASE_URL: 'https://sdp.example.vn',
        VASCLOUD_NOTIFY_ALLOW: undefined,
      }).notifyAllow,
    ).toEqual([]);
  });

  it('refuses a malformed list at start-up, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', VASCLOUD_NOTIFY_ALLOW: '10.0.0.0/40' })).toThrow(
      /VASCLOUD_NOTIFY_ALLOW/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'test', VASCLOUD_NOTIFY_ALLOW: 'gateway.example' }),
    ).toThrow(/VASCLOUD_NOTIFY_ALLOW/);
  });
});
