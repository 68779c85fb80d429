import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { VendorFailureReason } from '../domain/errors.js';
import {
  OA_PURCHASE_WINDOW_MS,
  type OAPackage,
  type OAPackageEvent,
  type OAPackageStatus,
  type OAPackageTierName,
} from '../domain/oa-package.js';
import { secondsUntilRoom, windowStart } from '../domain/windows.js';
import type { Database } from './database.js';
import { keysetPage, type PageWindow } from './keyset.js';
import type { DB, OAPackagesTable } from './schema.js';
import { appendEvent, transition } from './versioned.js';

type OAPackageRow = Selectable<OAPackagesTable>;

export function toOAPackage(row: OAPackageRow): OAPackage {
  return {
    id: row.id,
    clientId: row.client_id,
    oaId: row.oa_id,
    tier: row.tier as OAPackageTierName,
    activeFrom: row.active_from,
    duration: Number(row.duration),
    status: row.status as OAPackageStatus,
    servicePreviewId: row.service_preview_id,
    vendorCode: row.vendor_code,
    vendorMessage: row.vendor_message,
    failureReason: row.failure_reason as VendorFailureReason | null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: Number(row.version),
  };
}

/** What a new purchase is recorded with; the rest starts as SUBMITTED. */
export type NewOAPackage = Pick<
  OAPackage,
  'clientId' | 'oaId' | 'tier' | 'activeFrom' | 'duration'
>;

export type CreateOAPackageResult =
  | { kind: 'created'; oaPackage: OAPackage }
  | { kind: 'limited'; retryAfterSeconds: number };

/** Narrows the ledger of purchases; every field optional, given ones must all match. */
export interface OAPackageFilter {
  /** Only this client's purchases (a client without `ledger:all` sees its own). */
  clientId?: string | null;
  oaId?: string | null;
  status?: OAPackageStatus | null;
  tier?: OAPackageTierName | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
}

/** What settling a purchase may change, besides the status. */
export interface OAPackagePatch {
  servicePreviewId?: string | null;
  vendorCode?: string | null;
  vendorMessage?: string | null;
  failureReason?: VendorFailureReason | null;
}

/**
 * The ledger of Zalo OA package purchases: a row written before the call to eSMS and updated
 * after it, with an event per change and an optimistic version check, as `OrderStore` does.
 */
export class OAPackageStore {
  constructor(
    private readonly database: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get db(): Kysely<DB> {
    return this.database.db;
  }

  /**
   * Records a purchase as SUBMITTED, before eSMS is called, unless the client has made
   * `perClientHour` purchases in the domain's window (`windowMs` only for tests). Count and insert
   * run in one transaction, serialised per client (one writer on SQLite, an advisory lock on
   * PostgreSQL), so concurrent purchases cannot all slip under the limit.
   */
  async create(
    input: NewOAPackage,
    limits: { perClientHour: number; windowMs?: number } = {
      perClientHour: Number.POSITIVE_INFINITY,
    },
  ): Promise<CreateOAPackageResult> {
    const windowMs = limits.windowMs ?? OA_PURCHASE_WINDOW_MS;
    const now = this.now();
    const at = now.toISOString();
    const row: OAPackageRow = {
      id: randomUUID(),
      client_id: input.clientId,
      oa_id: input.oaId,
      tier: input.tier,
      active_from: input.activeFrom,
      duration: input.duration,
      status: 'SUBMITTED',
      service_preview_id: null,
      vendor_code: null,
      vendor_message: null,
      failure_reason: null,
      created_at: at,
      updated_at: at,
      version: 1,
    };
    return this.db.transaction().execute(async (trx): Promise<CreateOAPackageResult> => {
      if (this.database.dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(hashtext(${`oa-client:${input.clientId}`}))`.execute(
          trx,
        );
      }
      const recent = await trx
        .selectFrom('oa_packages')
        .select('created_at')
        .where('client_id', '=', input.clientId)
        .where('created_at', '>', windowStart(now, windowMs).toISOString())
        .orderBy('created_at', 'desc')
        // The newest `perClientHour` are all the count needs.
        .limit(Number.isFinite(limits.perClientHour) ? limits.perClientHour : 1)
        .execute();
      const times = recent.map((r) => r.created_at);
      const retryAfterSeconds = secondsUntilRoom(times, limits.perClientHour, windowMs, now);
      if (retryAfterSeconds !== null) return { kind: 'limited', retryAfterSeconds };
      await trx.insertInto('oa_packages').values(row).execute();
      await appendEvent(
        trx,
        'oa_packages',
        row.id,
        1,
        'SUBMITTED',
        'Purchase recorded; calling eSMS',
        at,
      );
      return { kind: 'created', oaPackage: toOAPackage(row) };
    });
  }

  /**
   * Moves a purchase to `status` if it is still at the version the caller read, with its event,
   * in one transaction. Null when someone else changed it first.
   */
  async transition(
    pkg: OAPackage,
    status: OAPackageStatus,
    patch: OAPackagePatch,
    detail: string,
  ): Promise<OAPackage | null> {
    const row = await transition(
      this.db,
      'oa_packages',
      pkg,
      status,
      {
        ...(patch.servicePreviewId !== undefined && {
          service_preview_id: patch.servicePreviewId,
        }),
        ...(patch.vendorCode !== undefined && { vendor_code: patch.vendorCode }),
        ...(patch.vendorMessage !== undefined && { vendor_message: patch.vendorMessage }),
        ...(patch.failureReason !== undefined && { failure_reason: patch.failureReason }),
      },
      detail,
      this.now().toISOString(),
    );
    return row && toOAPackage(row);
  }

  async findByIds(ids: readonly string[]): Promise<OAPackage[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('oa_packages')
      .selectAll()
      .where('id', 'in', [...ids])
      .execute();
    return rows.map(toOAPackage);
  }

  async findById(id: string): Promise<OAPackage | null> {
    return (await this.findByIds([id]))[0] ?? null;
  }

  async eventsFor(ids: readonly string[]): Promise<OAPackageEvent[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('oa_package_events')
      .selectAll()
      .where('oa_package_id', 'in', [...ids])
      .orderBy('oa_package_id')
      .orderBy('version')
      .execute();
    return rows.map((r) => ({
      oaPackageId: r.oa_package_id,
      version: Number(r.version),
      status: r.status as OAPackageStatus,
      detail: r.detail,
      at: r.at,
    }));
  }

  /** One OA's purchases, newest first, keyset-paginated on (created_at, id). */
  async listByOa(
    oaId: string,
    page: PageWindow,
    /** Only this client's purchases (a client without `ledger:all` sees its own). */
    clientId: string | null = null,
  ): Promise<OAPackage[]> {
    return this.list({ oaId, clientId }, page);
  }

  async countByOa(oaId: string): Promise<number> {
    return this.count({ oaId });
  }

  /** The ledger of purchases for a filter, newest first, keyset-paginated on (created_at, id). */
  async list(filter: OAPackageFilter, page: PageWindow): Promise<OAPackage[]> {
    const rows = await keysetPage(this.filtered(filter).selectAll(), page, {
      at: 'created_at',
      id: 'id',
    }).execute();
    return rows.map(toOAPackage);
  }

  /** `count(*)` of the filter, over the index of its owner or OA and the creation time. */
  async count(filter: OAPackageFilter): Promise<number> {
    const row = await this.filtered(filter)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private filtered(filter: OAPackageFilter) {
    let q = this.db.selectFrom('oa_packages');
    if (filter.clientId) q = q.where('client_id', '=', filter.clientId);
    if (filter.oaId) q = q.where('oa_id', '=', filter.oaId);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.tier) q = q.where('tier', '=', filter.tier);
    if (filter.createdFrom) q = q.where('created_at', '>=', filter.createdFrom.toISOString());
    if (filter.createdTo) q = q.where('created_at', '<', filter.createdTo.toISOString());
    return q;
  }

  /**
   * Purchases still waiting on eSMS (SUBMITTED, no vendor code) longer than any call can take
   * were cut short by a stop: they become UNKNOWN, since eSMS may have acted. A SUBMITTED row
   * with code 199 is eSMS's own answer and stays. Returns the rows it changed.
   */
  async sweep(rules: { staleAfterMs: number }): Promise<OAPackage[]> {
    const staleBefore = new Date(this.now().getTime() - rules.staleAfterMs).toISOString();
    const rows = await this.db
      .selectFrom('oa_packages')
      .selectAll()
      .where('status', '=', 'SUBMITTED')
      .where('vendor_code', 'is', null)
      .where('updated_at', '<', staleBefore)
      .limit(500)
      .execute();
    const changed: OAPackage[] = [];
    for (const row of rows) {
      const next = await this.transition(
        toOAPackage(row),
        'UNKNOWN',
        { failureReason: 'VENDOR_TIMEOUT' },
        'No eSMS answer was recorded: the gateway stopped during the call',
      );
      if (next) changed.push(next);
    }
    return changed;
  }
}
