import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { VendorFailureReason } from '../domain/errors.js';
import {
  IN_DOUBT_STATUSES,
  type VasEvent,
  type VasTransaction,
  type VasTransactionAction,
  type VasTransactionEvent,
  type VasTransactionStatus,
} from '../domain/vas.js';
import { countChange, counterTag, countRows } from './counters.js';
import type { Database } from './database.js';
import { keysetPage, type PageWindow } from './keyset.js';
import type { DB, VasEventsTable, VasTransactionsTable } from './schema.js';
import { appendEvent, transition } from './versioned.js';

type TxRow = Selectable<VasTransactionsTable>;
type EventRow = Selectable<VasEventsTable>;

function toTransaction(row: TxRow): VasTransaction {
  return {
    id: row.id,
    clientId: row.client_id,
    phone: row.phone,
    serviceId: row.service_id,
    packageId: row.package_id,
    action: row.action as VasTransactionAction,
    channel: row.channel,
    price: row.price,
    autoRenew: row.auto_renew === null ? null : Number(row.auto_renew) === 1,
    status: row.status as VasTransactionStatus,
    queueId: row.queue_id,
    vendorCode: row.vendor_code,
    vendorMessage: row.vendor_message,
    failureReason: row.failure_reason as VendorFailureReason | null,
    settleAttempts: Number(row.settle_attempts),
    nextSettleAt: row.next_settle_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    settledAt: row.settled_at,
    version: Number(row.version),
  };
}

function toEvent(row: EventRow): VasEvent {
  return {
    queueId: row.queue_id,
    action: row.action as VasTransactionAction,
    phone: row.phone,
    serviceId: row.service_id,
    packageId: row.package_id,
    channel: row.channel,
    resultCode: row.result_code,
    errorDesc: row.error_desc,
    commandCode: row.command_code,
    price: row.price,
    autoRenew: row.auto_renew === null ? null : Number(row.auto_renew) === 1,
    subscribedAt: row.subscribed_at,
    expiresAt: row.expires_at,
    receivedAt: row.received_at,
    replays: Number(row.replays),
    lastReplayedAt: row.last_replayed_at,
  };
}

/** What a new transaction is recorded with; the rest starts as PENDING. */
export type NewVasTransaction = Pick<
  VasTransaction,
  | 'clientId'
  | 'phone'
  | 'serviceId'
  | 'packageId'
  | 'action'
  | 'channel'
  | 'price'
  | 'autoRenew'
  | 'queueId'
>;

export interface VasTransactionPatch {
  vendorCode?: string | null;
  vendorMessage?: string | null;
  failureReason?: VendorFailureReason | null;
  settleAttempts?: number;
  nextSettleAt?: string | null;
  settledAt?: string | null;
}

export interface VasTransactionFilter {
  /** Only this client's transactions (a client without `ledger:all` sees its own). */
  clientId?: string | null;
  status?: VasTransactionStatus | null;
  action?: VasTransactionAction | null;
  phone?: string | null;
  serviceId?: string | null;
  packageId?: string | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
}

export type CreateVasResult =
  | { kind: 'created'; transaction: VasTransaction }
  | { kind: 'in-doubt'; transaction: VasTransaction };

export type Page = PageWindow;

/** Narrows a subscriber's notifications to one service, or one package of it. */
export interface EventPackage {
  serviceId?: string | null;
  packageId?: string | null;
}

/**
 * The VAS ledger: every register and cancel, written before the notify_reg call and moved after
 * it with an event per change (optimistic version check, as orders), the SDP's notifications
 * kept once per `queueID`, and the last known state of each subscriber's package.
 */
export class VasStore {
  constructor(
    private readonly database: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get db(): Kysely<DB> {
    return this.database.db;
  }

  async findByIds(ids: readonly string[]): Promise<VasTransaction[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('vas_transactions')
      .selectAll()
      .where('id', 'in', [...ids])
      .execute();
    return rows.map(toTransaction);
  }

  async findById(id: string): Promise<VasTransaction | null> {
    return (await this.findByIds([id]))[0] ?? null;
  }

  async eventsFor(ids: readonly string[]): Promise<VasTransactionEvent[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('vas_transaction_events')
      .selectAll()
      .where('transaction_id', 'in', [...ids])
      .orderBy('transaction_id')
      .orderBy('version')
      .execute();
    return rows.map((r) => ({
      transactionId: r.transaction_id,
      version: Number(r.version),
      status: r.status as VasTransactionStatus,
      detail: r.detail,
      at: r.at,
    }));
  }

  /** Whether a transaction already has this queueID (they are unique). */
  async hasQueueId(queueId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('vas_transactions')
      .select('id')
      .where('queue_id', '=', queueId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Records a new transaction as PENDING, unless one for the same subscriber and package is
   * still in doubt (`IN_DOUBT_STATUSES`): the SDP may have acted on it, so a second call waits for
   * it to settle. Check and insert are serialised per subscriber.
   */
  async create(input: NewVasTransaction): Promise<CreateVasResult> {
    const iso = this.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      if (this.database.dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(hashtext(${`vas-phone:${input.phone}`}))`.execute(
          trx,
        );
      }
      const open = await trx
        .selectFrom('vas_transactions')
        .selectAll()
        .where('phone', '=', input.phone)
        .where('service_id', '=', input.serviceId)
        .where('package_id', '=', input.packageId)
        .where('status', 'in', IN_DOUBT_STATUSES)
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      if (open) return { kind: 'in-doubt', transaction: toTransaction(open) };
      const row: TxRow = {
        id: randomUUID(),
        client_id: input.clientId,
        phone: input.phone,
        service_id: input.serviceId,
        package_id: input.packageId,
        action: input.action,
        channel: input.channel,
        price: input.price,
        auto_renew: input.autoRenew === null ? null : input.autoRenew ? 1 : 0,
        status: 'PENDING',
        queue_id: input.queueId,
        vendor_code: null,
        vendor_message: null,
        failure_reason: null,
        settle_attempts: 0,
        // Never null on a row that may become UNKNOWN: the settling query is then one range of
        // its (status, next_settle_at) index (`dueForSettling`).
        next_settle_at: iso,
        created_at: iso,
        updated_at: iso,
        settled_at: null,
        version: 1,
      };
      await trx.insertInto('vas_transactions').values(row).execute();
      await countChange(trx, 'vas_transactions', row, null, row.status);
      await appendEvent(
        trx,
        'vas_transactions',
        row.id,
        1,
        'PENDING',
        `${input.action === 'REGISTER' ? 'Register' : 'Cancel'} recorded with queueID ${input.queueId}; calling notify_reg`,
        iso,
      );
      return { kind: 'created', transaction: toTransaction(row) };
    });
  }

  /**
   * Moves a transaction to `status` if it is still at the version the caller read, with an event.
   * Null when someone else changed it first.
   */
  async transition(
    tx: VasTransaction,
    status: VasTransactionStatus,
    patch: VasTransactionPatch,
    detail: string,
  ): Promise<VasTransaction | null> {
    const at = this.now().toISOString();
    // An UNKNOWN row is always due at some time (see `dueForSettling`).
    const nextSettleAt =
      status === 'UNKNOWN' && (patch.nextSettleAt ?? tx.nextSettleAt) === null
        ? at
        : patch.nextSettleAt;
    const row = await transition(
      this.db,
      'vas_transactions',
      tx,
      status,
      {
        ...(patch.vendorCode !== undefined && { vendor_code: patch.vendorCode }),
        ...(patch.vendorMessage !== undefined && { vendor_message: patch.vendorMessage }),
        ...(patch.failureReason !== undefined && { failure_reason: patch.failureReason }),
        ...(patch.settleAttempts !== undefined && { settle_attempts: patch.settleAttempts }),
        ...(nextSettleAt !== undefined && { next_settle_at: nextSettleAt }),
        ...(patch.settledAt !== undefined && { settled_at: patch.settledAt }),
      },
      detail,
      at,
    );
    return row && toTransaction(row);
  }

  /** PENDING rows whose call can no longer be running (the gateway stopped mid-call). */
  async stalePending(staleAfterMs: number): Promise<VasTransaction[]> {
    const before = new Date(this.now().getTime() - staleAfterMs).toISOString();
    const rows = await this.db
      .selectFrom('vas_transactions')
      .selectAll()
      .where('status', '=', 'PENDING')
      .where('updated_at', '<', before)
      .limit(500)
      .execute();
    return rows.map(toTransaction);
  }

  /**
   * UNKNOWN rows whose next settlement check is due, oldest due first: one range of the
   * `(status, next_settle_at)` index, since an UNKNOWN row always has a due time.
   */
  async dueForSettling(limit: number): Promise<VasTransaction[]> {
    const now = this.now().toISOString();
    const rows = await this.db
      .selectFrom('vas_transactions')
      .selectAll()
      .where('status', '=', 'UNKNOWN')
      .where('next_settle_at', '<=', now)
      .orderBy('next_settle_at')
      .limit(limit)
      .execute();
    return rows.map(toTransaction);
  }

  /** Transactions in doubt for one subscriber's package (a notification may settle them). */
  async inDoubtFor(phone: string, serviceId: string, packageId: string): Promise<VasTransaction[]> {
    const rows = await this.db
      .selectFrom('vas_transactions')
      .selectAll()
      .where('phone', '=', phone)
      .where('service_id', '=', serviceId)
      .where('package_id', '=', packageId)
      .where('status', 'in', IN_DOUBT_STATUSES)
      .execute();
    return rows.map(toTransaction);
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  async list(filter: VasTransactionFilter, page: Page): Promise<VasTransaction[]> {
    const rows = await keysetPage(this.filtered(filter).selectAll(), page, {
      at: 'created_at',
      id: 'id',
    }).execute();
    return rows.map(toTransaction);
  }

  /**
   * `count(*)` of the filter: the counters answer an owner, a status, a date range and one of
   * action or service (`store/counters.ts`); a phone is counted through its index; a package,
   * or action and service together, row by row over the index of the rest of the filter.
   */
  async count(filter: VasTransactionFilter): Promise<number> {
    if (filter.phone || filter.packageId) return this.countRows(filter);
    const tag = counterTag('vas_transactions', {
      action: filter.action,
      service: filter.serviceId,
    });
    return countRows(this.db, 'vas_transactions', { ...filter, tag }, (createdFrom, createdTo) =>
      this.countRows({ ...filter, createdFrom, createdTo }),
    );
  }

  /**
   * The filter's transactions counted per UTC hour, status, service, package and price (as
   * sent): a few rows a day per package whatever the volume. The hour is the first 13
   * characters of the ISO `created_at`; the caller folds hours into days in its own time zone.
   */
  async tally(filter: VasTransactionFilter): Promise<
    Array<{
      hour: string;
      status: VasTransactionStatus;
      serviceId: string;
      packageId: string;
      price: string;
      count: number;
    }>
  > {
    const hour = sql<string>`substr(created_at, 1, 13)`;
    const rows = await this.filtered(filter)
      .select((eb) => [
        hour.as('hour'),
        'status',
        'service_id',
        'package_id',
        'price',
        eb.fn.countAll<number>().as('n'),
      ])
      .groupBy([hour, 'status', 'service_id', 'package_id', 'price'])
      .execute();
    return rows.map((r) => ({
      hour: r.hour,
      status: r.status as VasTransactionStatus,
      serviceId: r.service_id,
      packageId: r.package_id,
      price: r.price,
      count: Number(r.n),
    }));
  }

  private async countRows(filter: VasTransactionFilter): Promise<number> {
    const row = await this.filtered(filter)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private filtered(filter: VasTransactionFilter) {
    let q = this.db.selectFrom('vas_transactions');
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.clientId) q = q.where('client_id', '=', filter.clientId);
    if (filter.action) q = q.where('action', '=', filter.action);
    if (filter.phone) q = q.where('phone', '=', filter.phone);
    if (filter.serviceId) q = q.where('service_id', '=', filter.serviceId);
    if (filter.packageId) q = q.where('package_id', '=', filter.packageId);
    if (filter.createdFrom) q = q.where('created_at', '>=', filter.createdFrom.toISOString());
    if (filter.createdTo) q = q.where('created_at', '<', filter.createdTo.toISOString());
    return q;
  }

  /**
   * Records a notification once per `queueID` and, for a new one that went through, the
   * package's known state, in one transaction. False for a replay: only counted (`replays`,
   * `last_replayed_at`), nothing else is written.
   */
  async recordEvent(event: VasEvent, applied: boolean): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .insertInto('vas_events')
        .values({
          queue_id: event.queueId,
          action: event.action,
          phone: event.phone,
          service_id: event.serviceId,
          package_id: event.packageId,
          channel: event.channel,
          result_code: event.resultCode,
          error_desc: event.errorDesc,
          command_code: event.commandCode,
          price: event.price,
          auto_renew: event.autoRenew === null ? null : event.autoRenew ? 1 : 0,
          subscribed_at: event.subscribedAt,
          expires_at: event.expiresAt,
          received_at: event.receivedAt,
        })
        .onConflict((oc) => oc.column('queue_id').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0n) !== 1) {
        await trx
          .updateTable('vas_events')
          .set((eb) => ({ replays: eb('replays', '+', 1), last_replayed_at: event.receivedAt }))
          .where('queue_id', '=', event.queueId)
          .execute();
        return false;
      }
      if (applied) {
        await upsertState(trx, {
          phone: event.phone,
          serviceId: event.serviceId,
          packageId: event.packageId,
          active: event.action === 'REGISTER',
          source: 'NOTIFICATION',
          at: event.receivedAt,
        });
      }
      return true;
    });
  }

  async findEvents(queueIds: readonly string[]): Promise<VasEvent[]> {
    if (queueIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('vas_events')
      .selectAll()
      .where('queue_id', 'in', [...queueIds])
      .execute();
    return rows.map(toEvent);
  }

  /**
   * A subscriber's notifications, newest first, keyset-paginated on (received_at, queue_id);
   * only one service's or package's when given.
   */
  async listEvents(phone: string, page: Page, only: EventPackage = {}): Promise<VasEvent[]> {
    const events = this.eventsOf(phone, only).selectAll();
    const rows = await keysetPage(events, page, { at: 'received_at', id: 'queue_id' }).execute();
    return rows.map(toEvent);
  }

  async countEvents(phone: string, only: EventPackage = {}): Promise<number> {
    const row = await this.eventsOf(phone, only)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private eventsOf(phone: string, only: EventPackage) {
    let q = this.db.selectFrom('vas_events').where('phone', '=', phone);
    if (only.serviceId) q = q.where('service_id', '=', only.serviceId);
    if (only.packageId) q = q.where('package_id', '=', only.packageId);
    return q;
  }

  /** Records what the gateway learned of a package (a call that went through, a settlement). */
  async setState(state: {
    phone: string;
    serviceId: string;
    packageId: string;
    active: boolean;
    source: string;
  }): Promise<void> {
    const at = this.now().toISOString();
    await this.db.transaction().execute((trx) => upsertState(trx, { ...state, at }));
  }

  async findState(
    phone: string,
    serviceId: string,
    packageId: string,
  ): Promise<{ active: boolean; source: string; updatedAt: string } | null> {
    const row = await this.db
      .selectFrom('vas_subscriptions')
      .selectAll()
      .where('phone', '=', phone)
      .where('service_id', '=', serviceId)
      .where('package_id', '=', packageId)
      .executeTakeFirst();
    return row
      ? { active: Number(row.active) === 1, source: row.source, updatedAt: row.updated_at }
      : null;
  }
}

async function upsertState(
  trx: Transaction<DB>,
  s: {
    phone: string;
    serviceId: string;
    packageId: string;
    active: boolean;
    source: string;
    at: string;
  },
): Promise<void> {
  await trx
    .insertInto('vas_subscriptions')
    .values({
      phone: s.phone,
      service_id: s.serviceId,
      package_id: s.packageId,
      active: s.active ? 1 : 0,
      source: s.source,
      updated_at: s.at,
    })
    .onConflict((oc) =>
      oc.columns(['phone', 'service_id', 'package_id']).doUpdateSet({
        active: s.active ? 1 : 0,
        source: s.source,
        updated_at: s.at,
      }),
    )
    .execute();
}
