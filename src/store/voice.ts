import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import {
  type PhoneVerification,
  VERIFICATION_PHONE_WINDOW_MS,
  type VerificationChannel,
  type VerificationStatus,
  type VoiceCall,
  type VoiceCallStatus,
  verificationExpiresAt,
} from '../domain/voice.js';
import { guardPrefix } from '../domain/voice-limits.js';
import { secondsUntilRoom, windowStart } from '../domain/windows.js';
import type { Database } from './database.js';
import { keysetPage, type PageWindow } from './keyset.js';
import type { DB, PhoneVerificationsTable, VoiceCallsTable } from './schema.js';
import { appendEvent, transition } from './versioned.js';
import { admitCall, type CallRefused, type CallRules } from './voice-guard.js';

function toVoiceCall(row: Selectable<VoiceCallsTable>): VoiceCall {
  return {
    id: row.id,
    clientId: row.client_id,
    phone: row.phone,
    requestId: row.request_id,
    status: row.status as VoiceCallStatus,
    vendorCode: row.vendor_code,
    failureMessage: row.failure_message,
    verificationId: row.verification_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    settledAt: row.settled_at,
    version: Number(row.version),
  };
}

function toVerification(row: Selectable<PhoneVerificationsTable>): PhoneVerification {
  return {
    id: row.id,
    clientId: row.client_id,
    phone: row.phone,
    channel: row.channel as VerificationChannel,
    status: row.status as VerificationStatus,
    codeHash: row.code_hash,
    checks: Number(row.checks),
    sends: Number(row.sends),
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: Number(row.version),
  };
}

/** Narrows the ledger of calls; every field optional, given ones must all match. */
export interface VoiceCallFilter {
  /** Only this client's calls (a client without `ledger:all` sees its own). */
  clientId?: string | null;
  /** Local form, `0XXXXXXXXX`. */
  phone?: string | null;
  status?: VoiceCallStatus | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
}

/** One change of a call. */
export interface VoiceCallEvent {
  callId: string;
  version: number;
  status: VoiceCallStatus;
  detail: string | null;
  at: string;
}

export interface VoiceCallPatch {
  requestId?: string | null;
  vendorCode?: string | null;
  failureMessage?: string | null;
}

export interface VerificationPatch {
  codeHash?: string;
  checks?: number;
  sends?: number;
}

/** What `openVerification` found or made, under the phone's lock; with the call it recorded. */
export type OpenVerification =
  | { kind: 'created'; verification: PhoneVerification; call: VoiceCall }
  | { kind: 'resend'; verification: PhoneVerification; call: VoiceCall }
  | { kind: 'sends-exhausted'; verification: PhoneVerification }
  | { kind: 'phone-limited'; retryAfterSeconds: number }
  | { kind: 'call-refused'; refused: CallRefused };

/** What `createCall` recorded, or why it recorded nothing. */
export type RecordedCall = { kind: 'recorded'; call: VoiceCall } | CallRefused;

/**
 * The voice ledger: calls (a row written before `postSMS`, updated after) and verifications,
 * each change with an event and an optimistic version check, as the orders ledger does.
 */
export class VoiceStore {
  constructor(
    private readonly database: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get db(): Kysely<DB> {
    return this.database.db;
  }

  async callsByIds(ids: readonly string[]): Promise<VoiceCall[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('voice_calls')
      .selectAll()
      .where('id', 'in', [...ids])
      .execute();
    return rows.map(toVoiceCall);
  }

  async callById(id: string): Promise<VoiceCall | null> {
    return (await this.callsByIds([id]))[0] ?? null;
  }

  /** A number's calls, newest first; only one client's when `clientId` is given. */
  async callsForPhone(
    phone: string,
    limit: number,
    clientId: string | null = null,
  ): Promise<VoiceCall[]> {
    let q = this.db.selectFrom('voice_calls').selectAll().where('phone', '=', phone);
    if (clientId) q = q.where('client_id', '=', clientId);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toVoiceCall);
  }

  /**
   * Records a call about to be placed (PENDING, no request id yet) if the call limits and the
   * fraud guard admit it (`admitCall`, in the same transaction); otherwise records nothing.
   */
  async createCall(
    input: { clientId: string; phone: string; verificationId: string | null },
    rules: CallRules,
  ): Promise<RecordedCall> {
    const now = this.now();
    return this.db.transaction().execute(async (trx) => {
      const refused = await admitCall(trx, this.database.dialect, input, rules, now);
      if (refused) return refused;
      return { kind: 'recorded', call: await insertCall(trx, input, now.toISOString()) };
    });
  }

  /**
   * Moves a call if it is still at the version the caller read; null when someone else changed
   * it first. A move out of PENDING stamps `settledAt`.
   */
  async moveCall(
    call: VoiceCall,
    status: VoiceCallStatus,
    patch: VoiceCallPatch,
    detail: string,
  ): Promise<VoiceCall | null> {
    const at = this.now().toISOString();
    const row = await transition(
      this.db,
      'voice_calls',
      call,
      status,
      {
        ...(status !== 'PENDING' && call.settledAt === null && { settled_at: at }),
        ...(patch.requestId !== undefined && { request_id: patch.requestId }),
        ...(patch.vendorCode !== undefined && { vendor_code: patch.vendorCode }),
        ...(patch.failureMessage !== undefined && { failure_message: patch.failureMessage }),
      },
      detail,
      at,
    );
    return row && toVoiceCall(row);
  }

  async callEvents(
    id: string,
  ): Promise<Array<{ version: number; status: string; detail: string | null }>> {
    const rows = await this.db
      .selectFrom('voice_call_events')
      .select(['version', 'status', 'detail'])
      .where('voice_call_id', '=', id)
      .orderBy('version')
      .execute();
    return rows.map((r) => ({ ...r, version: Number(r.version) }));
  }

  /** The events of these calls, each call's oldest first. */
  async callEventsFor(ids: readonly string[]): Promise<VoiceCallEvent[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('voice_call_events')
      .selectAll()
      .where('voice_call_id', 'in', [...ids])
      .orderBy('voice_call_id')
      .orderBy('version')
      .execute();
    return rows.map((r) => ({
      callId: r.voice_call_id,
      version: Number(r.version),
      status: r.status as VoiceCallStatus,
      detail: r.detail,
      at: r.at,
    }));
  }

  /** The ledger of calls for a filter, newest first, keyset-paginated on (created_at, id). */
  async listCalls(filter: VoiceCallFilter, page: PageWindow): Promise<VoiceCall[]> {
    const rows = await keysetPage(this.filteredCalls(filter).selectAll(), page, {
      at: 'created_at',
      id: 'id',
    }).execute();
    return rows.map(toVoiceCall);
  }

  /** `count(*)` of the filter, over the index of its owner or phone and the creation time. */
  async countCalls(filter: VoiceCallFilter): Promise<number> {
    const row = await this.filteredCalls(filter)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private filteredCalls(filter: VoiceCallFilter) {
    let q = this.db.selectFrom('voice_calls');
    if (filter.clientId) q = q.where('client_id', '=', filter.clientId);
    if (filter.phone) q = q.where('phone', '=', filter.phone);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.createdFrom) q = q.where('created_at', '>=', filter.createdFrom.toISOString());
    if (filter.createdTo) q = q.where('created_at', '<', filter.createdTo.toISOString());
    return q;
  }

  /**
   * Calls recorded but never answered by `postSMS` (the gateway stopped mid-call): UNKNOWN.
   * Returns the calls it changed.
   */
  async sweepCalls(staleAfterMs: number): Promise<VoiceCall[]> {
    const staleBefore = new Date(this.now().getTime() - staleAfterMs).toISOString();
    const rows = await this.db
      .selectFrom('voice_calls')
      .selectAll()
      .where('status', '=', 'PENDING')
      .where('request_id', 'is', null)
      .where('updated_at', '<', staleBefore)
      .limit(500)
      .execute();
    const changed: VoiceCall[] = [];
    for (const row of rows) {
      const next = await this.moveCall(
        toVoiceCall(row),
        'UNKNOWN',
        { failureMessage: 'The gateway stopped while placing the call' },
        'No answer to postSMS was recorded: the gateway stopped during the call',
      );
      if (next) changed.push(next);
    }
    return changed;
  }

  async verificationsByIds(ids: readonly string[]): Promise<PhoneVerification[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('phone_verifications')
      .selectAll()
      .where('id', 'in', [...ids])
      .execute();
    return rows.map(toVerification);
  }

  async verificationById(id: string): Promise<PhoneVerification | null> {
    return (await this.verificationsByIds([id]))[0] ?? null;
  }

  /**
   * Starts a verification for the phone, or takes the one still open for it (a resend), with a
   * new code hash, and records its call; or says which limit stops it (a verification rule, or
   * the call's: then nothing changes). Check and write run in one transaction, serialised per
   * phone (one writer on SQLite, an advisory lock on PostgreSQL).
   */
  async openVerification(
    input: {
      clientId: string;
      phone: string;
      channel: VerificationChannel;
      /** The new code's hash, keyed by the verification's id. */
      codeHash: (verificationId: string) => string;
    },
    rules: {
      validitySeconds: number;
      maxSends: number;
      perPhoneHour: number;
      /** The domain's (`VERIFICATION_PHONE_WINDOW_MS`) unless a test gives another. */
      phoneWindowMs?: number;
    },
    callRules: CallRules,
  ): Promise<OpenVerification> {
    const phoneWindowMs = rules.phoneWindowMs ?? VERIFICATION_PHONE_WINDOW_MS;
    const now = this.now();
    const at = now.toISOString();
    return this.db.transaction().execute(async (trx) => {
      // Locks in one order everywhere: this phone's, then the call's (client, prefix).
      const admit = () => admitCall(trx, this.database.dialect, input, callRules, now);
      if (this.database.dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(hashtext(${`verify-phone:${input.phone}`}))`.execute(
          trx,
        );
      }
      const open = await trx
        .selectFrom('phone_verifications')
        .selectAll()
        .where('phone', '=', input.phone)
        .where('client_id', '=', input.clientId)
        .where('status', '=', 'PENDING')
        .where('expires_at', '>', at)
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      if (open) {
        const current = toVerification(open);
        if (current.sends >= rules.maxSends) {
          return { kind: 'sends-exhausted', verification: current };
        }
        const refused = await admit();
        if (refused) return { kind: 'call-refused', refused };
        const version = current.version + 1;
        const sends = current.sends + 1;
        const codeHash = input.codeHash(current.id);
        await trx
          .updateTable('phone_verifications')
          .set({ code_hash: codeHash, sends, updated_at: at, version })
          .where('id', '=', current.id)
          .execute();
        await appendEvent(
          trx,
          'phone_verifications',
          current.id,
          version,
          'PENDING',
          `Resent: call ${sends}`,
          at,
        );
        return {
          kind: 'resend',
          verification: { ...current, codeHash, sends, updatedAt: at, version },
          call: await insertCall(trx, { ...input, verificationId: current.id }, at),
        };
      }
      const recent = await trx
        .selectFrom('phone_verifications')
        .select('created_at')
        .where('phone', '=', input.phone)
        .where('created_at', '>', windowStart(now, phoneWindowMs).toISOString())
        .execute();
      const times = recent.map((r) => r.created_at);
      const retryAfterSeconds = secondsUntilRoom(times, rules.perPhoneHour, phoneWindowMs, now);
      if (retryAfterSeconds !== null) return { kind: 'phone-limited', retryAfterSeconds };
      const refused = await admit();
      if (refused) return { kind: 'call-refused', refused };
      const id = randomUUID();
      const row: Selectable<PhoneVerificationsTable> = {
        id,
        client_id: input.clientId,
        phone: input.phone,
        channel: input.channel,
        status: 'PENDING',
        code_hash: input.codeHash(id),
        checks: 0,
        sends: 1,
        expires_at: verificationExpiresAt(now, rules.validitySeconds).toISOString(),
        created_at: at,
        updated_at: at,
        version: 1,
      };
      await trx.insertInto('phone_verifications').values(row).execute();
      await appendEvent(trx, 'phone_verifications', row.id, 1, 'PENDING', 'Started: call 1', at);
      return {
        kind: 'created',
        verification: toVerification(row),
        call: await insertCall(trx, { ...input, verificationId: id }, at),
      };
    });
  }

  /** Moves a verification if it is still at the version read; null when it changed meanwhile. */
  async moveVerification(
    v: PhoneVerification,
    status: VerificationStatus,
    patch: VerificationPatch,
    detail: string,
  ): Promise<PhoneVerification | null> {
    const row = await transition(
      this.db,
      'phone_verifications',
      v,
      status,
      {
        ...(patch.codeHash !== undefined && { code_hash: patch.codeHash }),
        ...(patch.checks !== undefined && { checks: patch.checks }),
        ...(patch.sends !== undefined && { sends: patch.sends }),
      },
      detail,
      this.now().toISOString(),
    );
    return row && toVerification(row);
  }
}

/** Inserts a call about to be placed, with its first event. */
async function insertCall(
  trx: Transaction<DB>,
  input: { clientId: string; phone: string; verificationId: string | null },
  at: string,
): Promise<VoiceCall> {
  const row: Selectable<VoiceCallsTable> = {
    id: randomUUID(),
    client_id: input.clientId,
    phone: input.phone,
    request_id: null,
    status: 'PENDING',
    vendor_code: null,
    failure_message: null,
    verification_id: input.verificationId,
    phone_prefix: guardPrefix(input.phone),
    created_at: at,
    updated_at: at,
    settled_at: null,
    version: 1,
  };
  await trx.insertInto('voice_calls').values(row).execute();
  await appendEvent(trx, 'voice_calls', row.id, 1, 'PENDING', 'Recorded; placing the call', at);
  return toVoiceCall(row);
}
