import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { VascloudClient } from '../../src/vendors/vascloud/client.js';
import type { VascloudSimulator } from '../../src/vendors/vascloud/simulator.js';
import { CHECK_PATH } from '../../src/vendors/vascloud/wire.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** Settling with backoff, on an injected clock: a check that gets no answer is put off. */
describe('VasService settlement backoff', () => {
  let t: TestGateway;
  let sim: VascloudSimulator;
  let clock = new Date('2026-11-23T01:00:00.000Z');

  beforeAll(async () => {
    t = await startTestGateway(
      { VASCLOUD_TIMEOUT_MS: '1000', VENDOR_BREAKER_FAILURES: '1000', VENDOR_READ_RETRIES: '0' },
      undefined,
      { now: () => clock },
    );
    sim = t.gateway.sandbox.simulators.vascloud as VascloudSimulator;
  });
  afterAll(async () => {
    await t.close();
  });

  const checks = () =>
    sim.callsTo(CHECK_PATH).filter((c) => c.body.includes('<msisdn>84920000004<')).length;

  it('checks an UNKNOWN transaction, backs off while the SDP does not answer, then stops at a verdict', async () => {
    // 0000004: the SDP answers garbage, so the registration is UNKNOWN and every check fails.
    const tx = await t.gateway.vas
      .register('svc-test', {
        phone: '0920000004',
        serviceId: '1000161',
        packageId: '1003013',
        channel: 'APP',
        idempotencyKey: randomUUID(),
      })
      .catch((err: { record: { key: string } }) => err.record.key);
    expect(typeof tx).toBe('string');
    const id = tx as string;
    expect((await t.gateway.vasStore.findById(id))?.status).toBe('UNKNOWN');

    await t.gateway.sweep();
    expect(checks()).toBe(1);
    const first = await t.gateway.vasStore.findById(id);
    expect(first).toMatchObject({ status: 'UNKNOWN', settleAttempts: 1 });
    expect(first?.nextSettleAt).toBe(new Date(clock.getTime() + 60_000).toISOString());

    // Not due yet: no call.
    clock = new Date(clock.getTime() + 59_000);
    await t.gateway.sweep();
    expect(checks()).toBe(1);

    // Due: checked again, and the wait doubles.
    clock = new Date(clock.getTime() + 1_000);
    await t.gateway.sweep();
    expect(checks()).toBe(2);
    const second = await t.gateway.vasStore.findById(id);
    expect(second?.settleAttempts).toBe(2);
    expect(second?.nextSettleAt).toBe(new Date(clock.getTime() + 120_000).toISOString());
    const events = await t.gateway.vasStore.eventsFor([id]);
    expect(events.map((e) => e.status)).toEqual(['PENDING', 'UNKNOWN', 'UNKNOWN', 'UNKNOWN']);
    expect(events.at(-1)?.detail).toMatch(
      /Settlement check 2 got no answer \(VENDOR_BAD_RESPONSE\)/,
    );
  });
});

/** QueueIDs are unique: an insert that draws one already taken draws another. */
describe('VasService queueIDs', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t.close();
  });

  const register = (phone: string) =>
    t.gateway.vas.register('svc-test', {
      phone,
      serviceId: '1000161',
      packageId: '1003013',
      channel: 'APP',
      idempotencyKey: randomUUID(),
    });

  it('records a change under a new queueID when the first one drawn is taken', async () => {
    const first = await register('0920000170');
    const draw = vi
      .spyOn(VascloudClient.prototype, 'newQueueId')
      .mockReturnValueOnce(first.queueId);
    const second = await register('0920000171');
    expect(draw).toHaveBeenCalledTimes(2);
    expect(second.queueId).not.toBe(first.queueId);
    expect(second).toMatchObject({ phone: '0920000171', status: 'SUCCEEDED' });
    expect(await t.gateway.vasStore.findById(first.id)).toMatchObject({ phone: '0920000170' });
  });
});
