import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VasEvent } from '../../src/domain/vas.js';
import { type NewVasTransaction, VasStore } from '../../src/store/vas.js';
import { DIALECTS, type TestDatabase } from '../helpers/db.js';

const input = (over: Partial<NewVasTransaction> = {}): NewVasTransaction => ({
  clientId: 'pos-1',
  phone: '0912345678',
  serviceId: '0001000',
  packageId: '00300',
  action: 'REGISTER',
  channel: 'APP',
  price: '3000',
  autoRenew: true,
  queueId: String(1_700_000_000_000_000 + Math.floor(Math.random() * 1e6)),
  ...over,
});

const event = (over: Partial<VasEvent> = {}): VasEvent => ({
  queueId: '5196664',
  action: 'REGISTER',
  phone: '0912345678',
  serviceId: '0001000',
  packageId: '00300',
  channel: 'SMS',
  resultCode: '0',
  errorDesc: 'OK',
  commandCode: 'DK L1',
  price: '3000',
  autoRenew: true,
  subscribedAt: null,
  expiresAt: null,
  receivedAt: '2026-11-23T01:00:00.000Z',
  ...over,
});

for (const dialect of DIALECTS) {
  describe(`VasStore (${dialect.name})`, () => {
    let db: TestDatabase;
    let clock: Date;
    let store: VasStore;

    beforeEach(async () => {
      db = dialect.create();
      await db.database.migrate();
      clock = new Date('2026-11-23T01:00:00.000Z');
      store = new VasStore(db.database, () => clock);
    });
    afterEach(async () => {
      await db.dispose();
    });

    it('records a PENDING transaction with its event, and refuses a second while it is in doubt', async () => {
      const created = await store.create(input());
      expect(created.kind).toBe('created');
      const tx = created.transaction;
      expect(tx).toMatchObject({
        status: 'PENDING',
        serviceId: '0001000',
        packageId: '00300',
        autoRenew: true,
        version: 1,
      });
      const again = await store.create(input({ action: 'CANCEL' }));
      expect(again).toMatchObject({ kind: 'in-doubt', transaction: { id: tx.id } });

      const unknown = await store.transition(
        tx,
        'UNKNOWN',
        { failureReason: 'VENDOR_TIMEOUT' },
        'lost',
      );
      expect(unknown).toMatchObject({
        status: 'UNKNOWN',
        failureReason: 'VENDOR_TIMEOUT',
        version: 2,
      });
      // A writer holding the old version loses.
      expect(await store.transition(tx, 'SUCCEEDED', {}, 'stale')).toBeNull();
      expect((await store.create(input())).kind).toBe('in-doubt');

      const done = await store.transition(
        unknown!,
        'SUCCEEDED',
        { settledAt: clock.toISOString() },
        'checked',
      );
      expect(done?.settledAt).toBe(clock.toISOString());
      expect((await store.eventsFor([tx.id])).map((e) => [e.version, e.status])).toEqual([
        [1, 'PENDING'],
        [2, 'UNKNOWN'],
        [3, 'SUCCEEDED'],
      ]);
      expect((await store.create(input())).kind).toBe('created');
    });

    it('gives UNKNOWN rows to settle once their next check is due', async () => {
      const { transaction } = await store.create(input());
      const later = new Date(clock.getTime() + 60_000).toISOString();
      await store.transition(transaction, 'UNKNOWN', { nextSettleAt: later }, 'lost');
      expect(await store.dueForSettling(10)).toEqual([]);
      clock = new Date(clock.getTime() + 60_000);
      expect((await store.dueForSettling(10)).map((t) => t.id)).toEqual([transaction.id]);
    });

    it('lists newest first with cursors, filtered', async () => {
      const ids: string[] = [];
      for (const [i, phone] of ['0912000001', '0912000002', '0912000003'].entries()) {
        clock = new Date(Date.UTC(2026, 10, 23, 1, i));
        const { transaction } = await store.create(input({ phone }));
        ids.push(transaction.id);
      }
      const first = await store.list({}, { limit: 2, inverted: false });
      expect(first.map((t) => t.id)).toEqual([ids[2], ids[1]]);
      const { encodeCursor } = await import('../../src/store/keyset.js');
      const next = await store.list(
        {},
        { limit: 2, inverted: false, after: encodeCursor(first[1]!.createdAt, first[1]!.id) },
      );
      expect(next.map((t) => t.id)).toEqual([ids[0]]);
      expect(await store.count({ phone: '0912000002' })).toBe(1);
      expect(await store.count({ status: 'SUCCEEDED' })).toBe(0);
      await expect(store.list({}, { limit: 2, inverted: false, after: 'nope' })).rejects.toThrow(
        /cursor/,
      );
    });

    it('records a notification once per queueID and keeps the known state', async () => {
      expect(await store.recordEvent(event(), true)).toBe(true);
      expect(await store.findEvents(['5196664'])).toEqual([
        { ...event(), replays: 0, lastReplayedAt: null },
      ]);
      // A replay changes nothing but its count and time.
      const replayedAt = '2026-11-23T01:05:00.000Z';
      expect(
        await store.recordEvent(event({ errorDesc: 'replayed', receivedAt: replayedAt }), true),
      ).toBe(false);
      expect(await store.findEvents(['5196664'])).toEqual([
        { ...event(), replays: 1, lastReplayedAt: replayedAt },
      ]);
      expect(await store.findState('0912345678', '0001000', '00300')).toMatchObject({
        active: true,
        source: 'NOTIFICATION',
      });
      // One that did not go through is recorded, and changes no state.
      expect(
        await store.recordEvent(
          event({ queueId: '5196665', action: 'CANCEL', resultCode: '1' }),
          false,
        ),
      ).toBe(true);
      expect(await store.findState('0912345678', '0001000', '00300')).toMatchObject({
        active: true,
      });
      expect(
        (await store.listEvents('0912345678', { limit: 10, inverted: false })).map(
          (e) => e.queueId,
        ),
      ).toEqual(['5196665', '5196664']);
      expect(await store.countEvents('0912345678')).toBe(2);
      // One service's or package's only.
      const only = { serviceId: '0001000', packageId: '00300' };
      expect(await store.countEvents('0912345678', only)).toBe(2);
      expect(await store.countEvents('0912345678', { ...only, packageId: '00301' })).toBe(0);
      expect(
        await store.listEvents('0912345678', { limit: 10, inverted: false }, { serviceId: '9' }),
      ).toEqual([]);
    });
  });
}
