import { randomBytes, randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { OtpRateLimited } from '../domain/errors.js';
import {
  IN_FLIGHT_STATUSES,
  OPEN_STATUSES,
  type Order,
  type OrderEvent,
  type OrderFailureCode,
  type OrderStatus,
  otpValidSince,
  UNCOUNTED_STATUSES,
  UNSETTLED_STATUS,
} from '../domain/order.js';
import {
  checkOtpLimits,
  OTP_LIMIT_WINDOWS,
  type OtpLimits,
  type OtpLimitWindows,
  phoneLookbackMs,
} from '../domain/otp-limits.js';
import type { Telco } from '../domain/telco-prefixes.js';
import { windowStart } from '../domain/windows.js';
import { countChange, counterTag, countRows } from './counters.js';
import type { Database } from './database.js';
import { keysetPage, type PageWindow } from './keyset.js';
import type { DB, OrdersTable } from './schema.js';
import { appendEvent, transition } from './versioned.js';

type OrderRow = Selectable<OrdersTable>;

export function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    partnerTransId: row.partner_trans_id,
    orderCode: row.order_code,
    telcoTransId: row.telco_trans_id,
    clientId: row.client_id,
    phone: row.phone,
    telco: row.telco as Telco,
    packageCode: row.package_code,
    status: row.status as OrderStatus,
    failureCode: row.failure_code as OrderFailureCode | null,
    failureVendorCode: row.failure_vendor_code,
    failureMessage: row.failure_message,
    otpAttempts: Number(row.otp_attempts),
    utm: {
      source: row.utm_source,
      medium: row.utm_medium,
      content: row.utm_content,
      campaign: row.utm_campaign,
    },
    registeredType: row.registered_type,
    registeredCode: row.registered_code,
    otpSentAt: row.otp_sent_at,
    registeredAt: row.registered_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: Number(row.version),
  };
}

/** What a transition may change, besides the status. */
export interface OrderPatch {
  orderCode?: string;
  telcoTransId?: string;
  failureCode?: OrderFailureCode | null;
  failureVendorCode?: string | null;
  failureMessage?: string | null;
  otpAttempts?: number;
  registeredType?: string | null;
  registeredCode?: string | null;
  otpSentAt?: string;
  registeredAt?: string;
}

export interface OrderFilter {
  /** Only this client's orders (a `ledger` client sees its own only). */
  clientId?: string | null;
  status?: OrderStatus | null;
  telco?: Telco | null;
  phone?: string | null;
  packageCode?: string | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
}

/** What a new order is recorded with; the rest starts as PENDING. */
export type NewOrder = Pick<Order, 'clientId' | 'phone' | 'telco' | 'packageCode' | 'utm'>;

export type CreateResult =
  | { kind: 'created'; order: Order }
  | { kind: 'open'; order: Order }
  | { kind: 'limited'; error: OtpRateLimited };

/** Gateway's own transaction id, unique per order: `GW` + UTC time + 8 random hex digits. */
export function newPartnerTransId(now: Date): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  return `GW${stamp}${randomBytes(4).toString('hex').toUpperCase()}`;
}

export class OrderStore {
  constructor(
    private readonly database: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get db(): Kysely<DB> {
    return this.database.db;
  }

  async findByIds(ids: readonly string[]): Promise<Order[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('orders')
      .selectAll()
      .where('id', 'in', [...ids])
      .execute();
    return rows.map(toOrder);
  }

  async findById(id: string): Promise<Order | null> {
    return (await this.findByIds([id]))[0] ?? null;
  }

  /** By the vendor's order code or the gateway's partner transaction id. */
  async findByCode(code: string): Promise<Order | null> {
    const row = await this.db
      .selectFrom('orders')
      .selectAll()
      .where((eb) => eb.or([eb('order_code', '=', code), eb('partner_trans_id', '=', code)]))
      .executeTakeFirst();
    return row ? toOrder(row) : null;
  }

  async eventsFor(orderIds: readonly string[]): Promise<OrderEvent[]> {
    if (orderIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('order_events')
      .selectAll()
      .where('order_id', 'in', [...orderIds])
      .orderBy('order_id')
      .orderBy('version')
      .execute();
    return rows.map((r) => ({
      orderId: r.order_id,
      version: Number(r.version),
      status: r.status as OrderStatus,
      detail: r.detail,
      at: r.at,
    }));
  }

  /**
   * Records a new OTP request as PENDING, unless an order for the same phone and package blocks
   * it (the domain's rule: an open order whose OTP is still valid, or an unsettled registration
   * however old) or a phone limit is reached. Check and insert run in one transaction serialised
   * per phone (a single writer on SQLite, an advisory lock on the phone on PostgreSQL), so
   * concurrent requests for one phone cannot all slip under a limit or open two orders; requests
   * for other phones, of the same client or not, never wait for each other. Both reads are of
   * one phone's rows of the `(phone, created_at, id)` index. The per-client limit is not counted
   * here but by the shared limiter (`services/otp-client-limiter.ts`): `limits.perClientMinute`
   * is ignored. `windows` are the domain's unless a test gives others.
   */
  async createPending(
    input: NewOrder,
    rules: { limits: OtpLimits; validitySeconds: number; windows?: OtpLimitWindows },
  ): Promise<CreateResult> {
    const now = this.now();
    const iso = now.toISOString();
    const windows = rules.windows ?? OTP_LIMIT_WINDOWS;
    return this.db.transaction().execute(async (trx) => {
      if (this.database.dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(hashtext(${`otp-phone:${input.phone}`}))`.execute(
          trx,
        );
      }
      const validSince = otpValidSince(now, rules.validitySeconds).toISOString();
      const open = await trx
        .selectFrom('orders')
        .selectAll()
        .where('phone', '=', input.phone)
        .where('package_code', '=', input.packageCode)
        .where((eb) =>
          eb.or([
            eb.and([
              eb('status', 'in', OPEN_STATUSES),
              eb(eb.fn.coalesce('otp_sent_at', 'created_at'), '>', validSince),
            ]),
            eb.and([eb('status', '=', UNSETTLED_STATUS), eb('order_code', 'is not', null)]),
          ]),
        )
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      if (open) return { kind: 'open', order: toOrder(open) };

      const counted = await trx
        .selectFrom('orders')
        .select('created_at')
        .where('phone', '=', input.phone)
        .where('created_at', '>', windowStart(now, phoneLookbackMs(windows)).toISOString())
        .where('status', 'not in', UNCOUNTED_STATUSES)
        .execute();
      const limited = checkOtpLimits({
        now,
        limits: rules.limits,
        phoneTimes: counted.map((r) => new Date(r.created_at)),
        clientTimes: [],
        windows,
      });
      if (limited) return { kind: 'limited', error: limited };

      const row: OrderRow = {
        id: randomUUID(),
        partner_trans_id: newPartnerTransId(now),
        order_code: null,
        telco_trans_id: null,
        client_id: input.clientId,
        phone: input.phone,
        telco: input.telco,
        package_code: input.packageCode,
        status: 'PENDING',
        failure_code: null,
        failure_vendor_code: null,
        failure_message: null,
        otp_attempts: 0,
        utm_source: input.utm.source,
        utm_medium: input.utm.medium,
        utm_content: input.utm.content,
        utm_campaign: input.utm.campaign,
        registered_type: null,
        registered_code: null,
        otp_sent_at: null,
        registered_at: null,
        created_at: iso,
        updated_at: iso,
        version: 1,
      };
      await trx.insertInto('orders').values(row).execute();
      await countChange(trx, 'orders', row, null, row.status);
      await appendEvent(
        trx,
        'orders',
        row.id,
        1,
        'PENDING',
        'OTP requested; calling the vendor',
        iso,
      );
      return { kind: 'created', order: toOrder(row) };
    });
  }

  /**
   * Moves an order to `status` if it is still at the version the caller read (optimistic
   * concurrency), and appends the change to its history in the same transaction. Returns null
   * when someone else changed the order first.
   */
  async transition(
    order: Order,
    status: OrderStatus,
    patch: OrderPatch,
    detail: string,
  ): Promise<Order | null> {
    const row = await transition(
      this.db,
      'orders',
      order,
      status,
      {
        ...(patch.orderCode !== undefined && { order_code: patch.orderCode }),
        ...(patch.telcoTransId !== undefined && { telco_trans_id: patch.telcoTransId }),
        ...(patch.failureCode !== undefined && { failure_code: patch.failureCode }),
        ...(patch.failureVendorCode !== undefined && {
          failure_vendor_code: patch.failureVendorCode,
        }),
        ...(patch.failureMessage !== undefined && { failure_message: patch.failureMessage }),
        ...(patch.otpAttempts !== undefined && { otp_attempts: patch.otpAttempts }),
        ...(patch.registeredType !== undefined && { registered_type: patch.registeredType }),
        ...(patch.registeredCode !== undefined && { registered_code: patch.registeredCode }),
        ...(patch.otpSentAt !== undefined && { otp_sent_at: patch.otpSentAt }),
        ...(patch.registeredAt !== undefined && { registered_at: patch.registeredAt }),
      },
      detail,
      this.now().toISOString(),
    );
    return row && toOrder(row);
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  async list(filter: OrderFilter, page: PageWindow): Promise<Order[]> {
    const rows = await keysetPage(this.filtered(filter).selectAll(), page, {
      at: 'created_at',
      id: 'id',
    }).execute();
    return rows.map(toOrder);
  }

  /**
   * `count(*)` of the filter without reading the ledger: the counters answer an owner, a status,
   * a date range and one of carrier or package (`store/counters.ts`); a phone is counted through
   * its index (one subscriber's orders); carrier and package together row by row over the index
   * of the rest of the filter.
   */
  async count(filter: OrderFilter): Promise<number> {
    if (filter.phone) return this.countRows(filter);
    const tag = counterTag('orders', { telco: filter.telco, package: filter.packageCode });
    return countRows(this.db, 'orders', { ...filter, tag }, (createdFrom, createdTo) =>
      this.countRows({ ...filter, createdFrom, createdTo }),
    );
  }

  /**
   * The filter's orders counted per UTC hour, status and package: at most 24 rows a day per
   * status and package, whatever the volume, so a month's totals are a few thousand rows. The
   * hour is the first 13 characters of the ISO `created_at` (the same text on both dialects);
   * the caller folds hours into days in its own time zone.
   */
  async tally(
    filter: OrderFilter,
  ): Promise<Array<{ hour: string; status: OrderStatus; packageCode: string; count: number }>> {
    const hour = sql<string>`substr(created_at, 1, 13)`;
    const rows = await this.filtered(filter)
      .select((eb) => [hour.as('hour'), 'status', 'package_code', eb.fn.countAll<number>().as('n')])
      .groupBy([hour, 'status', 'package_code'])
      .execute();
    return rows.map((r) => ({
      hour: r.hour,
      status: r.status as OrderStatus,
      packageCode: r.package_code,
      count: Number(r.n),
    }));
  }

  private async countRows(filter: OrderFilter): Promise<number> {
    const row = await this.filtered(filter)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Settles what no request will settle any more: PENDING and REGISTERING rows older than any
   * vendor call can take (the gateway stopped mid-call) become UNKNOWN; OTP_SENT rows past the
   * OTP validity become EXPIRED. Returns the orders it changed.
   */
  async sweep(rules: { staleAfterMs: number; validitySeconds: number }): Promise<Order[]> {
    const now = this.now();
    const staleBefore = windowStart(now, rules.staleAfterMs).toISOString();
    const expiredBefore = otpValidSince(now, rules.validitySeconds).toISOString();
    const rows = await this.db
      .selectFrom('orders')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb('status', 'in', IN_FLIGHT_STATUSES), eb('updated_at', '<', staleBefore)]),
          eb.and([eb('status', '=', 'OTP_SENT'), eb('otp_sent_at', '<', expiredBefore)]),
        ]),
      )
      .limit(500)
      .execute();
    const changed: Order[] = [];
    for (const row of rows) {
      const order = toOrder(row);
      const next =
        order.status === 'OTP_SENT'
          ? await this.transition(order, 'EXPIRED', {}, 'OTP validity ran out before registration')
          : await this.transition(
              order,
              'UNKNOWN',
              {},
              `No vendor answer was recorded for the ${order.status === 'PENDING' ? 'OTP request' : 'registration'}: the gateway stopped during the call`,
            );
      if (next) changed.push(next);
    }
    return changed;
  }

  private filtered(filter: OrderFilter) {
    let q = this.db.selectFrom('orders');
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.clientId) q = q.where('client_id', '=', filter.clientId);
    if (filter.telco) q = q.where('telco', '=', filter.telco);
    if (filter.phone) q = q.where('phone', '=', filter.phone);
    if (filter.packageCode) q = q.where('package_code', '=', filter.packageCode);
    if (filter.createdFrom) q = q.where('created_at', '>=', filter.createdFrom.toISOString());
    if (filter.createdTo) q = q.where('created_at', '<', filter.createdTo.toISOString());
    return q;
  }
}
