import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import {
  CONVERTED_STATUS,
  callLookbackMs,
  checkVoiceCallLimits,
  guardBlockUntil,
  guardCountFrom,
  guardPrefix,
  VOICE_CALL_LIMIT_WINDOWS,
  type VoiceCallLimits,
  type VoiceCallLimitWindows,
  type VoiceCallRefusal,
  type VoiceGuardRules,
} from '../domain/voice-limits.js';
import { secondsUntil, windowStart } from '../domain/windows.js';
import type { Database, Dialect } from './database.js';
import type { DB, VoicePrefixBlocksTable } from './schema.js';

/** The rules every call placed is admitted under (`VOICE_CALLS_PER_*`, `VOICE_GUARD_*`). */
export interface CallRules {
  limits: VoiceCallLimits;
  guard: VoiceGuardRules;
  /** The domain's (`VOICE_CALL_LIMIT_WINDOWS`) unless a test gives others. */
  windows?: VoiceCallLimitWindows;
}

/** Why a call was not admitted; nothing was recorded for it and the vendor is not asked. */
export type CallRefused =
  | { kind: 'limited'; refusal: VoiceCallRefusal }
  | {
      kind: 'prefix-blocked';
      prefix: string;
      retryAfterSeconds: number;
      /** True when this call tripped the block (the others find it in place). */
      tripped: boolean;
      unconverted: number;
    };

export interface PrefixBlock {
  prefix: string;
  unconverted: number;
  blockedAt: string;
  until: string;
  liftedAt: string | null;
  liftedBy: string | null;
}

function toBlock(row: Selectable<VoicePrefixBlocksTable>): PrefixBlock {
  return {
    prefix: row.prefix,
    unconverted: Number(row.unconverted),
    blockedAt: row.blocked_at,
    until: row.until,
    liftedAt: row.lifted_at,
    liftedBy: row.lifted_by,
  };
}

/**
 * Decides, inside the transaction that records a call, whether it may be placed: the prefix is
 * not blocked, no per-phone or per-client cap is reached (counted from the calls recorded, by
 * every client on every instance), and the prefix's unconverted calls are under the guard's
 * threshold (at it, a block is recorded and the call refused). On PostgreSQL the client and the
 * prefix are locked for the transaction, always in that order; SQLite has one writer.
 */
export async function admitCall(
  trx: Transaction<DB>,
  dialect: Dialect,
  input: { clientId: string; phone: string },
  rules: CallRules,
  now: Date,
): Promise<CallRefused | null> {
  const prefix = guardPrefix(input.phone);
  if (dialect === 'postgres') {
    await sql`select pg_advisory_xact_lock(hashtext(${`voice-client:${input.clientId}`}))`.execute(
      trx,
    );
    await sql`select pg_advisory_xact_lock(hashtext(${`voice-prefix:${prefix}`}))`.execute(trx);
  }
  const at = now.toISOString();
  const last = await trx
    .selectFrom('voice_prefix_blocks')
    .selectAll()
    .where('prefix', '=', prefix)
    .orderBy('blocked_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (last && last.until > at) {
    return {
      kind: 'prefix-blocked',
      prefix,
      retryAfterSeconds: secondsUntil(new Date(last.until), now),
      tripped: false,
      unconverted: Number(last.unconverted),
    };
  }

  const windows = rules.windows ?? VOICE_CALL_LIMIT_WINDOWS;
  const lookback = callLookbackMs(windows);
  const phoneRows = await trx
    .selectFrom('voice_calls')
    .select('created_at')
    .where('phone', '=', input.phone)
    .where('created_at', '>', windowStart(now, lookback.phone).toISOString())
    .execute();
  const clientRows = await trx
    .selectFrom('voice_calls')
    .select('created_at')
    .where('client_id', '=', input.clientId)
    .where('created_at', '>', windowStart(now, lookback.client).toISOString())
    .execute();
  const refusal = checkVoiceCallLimits({
    now,
    limits: rules.limits,
    phoneTimes: phoneRows.map((r) => new Date(r.created_at)),
    clientTimes: clientRows.map((r) => new Date(r.created_at)),
    windows,
  });
  if (refusal) return { kind: 'limited', refusal };

  const { guard } = rules;
  if (guard.maxUnconverted === 0) return null;
  const since = guardCountFrom(now, guard, last?.until);
  const counted = await trx
    .selectFrom('voice_calls as c')
    .innerJoin('phone_verifications as v', 'v.id', 'c.verification_id')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('c.phone_prefix', '=', prefix)
    .where('c.created_at', '>=', since)
    .where('v.status', '!=', CONVERTED_STATUS)
    .executeTakeFirst();
  const unconverted = Number(counted?.n ?? 0);
  if (unconverted < guard.maxUnconverted) return null;
  const until = guardBlockUntil(now, guard);
  await trx
    .insertInto('voice_prefix_blocks')
    .values({
      id: randomUUID(),
      prefix,
      unconverted,
      blocked_at: at,
      until,
      lifted_at: null,
      lifted_by: null,
    })
    .execute();
  return {
    kind: 'prefix-blocked',
    prefix,
    retryAfterSeconds: secondsUntil(new Date(until), now),
    tripped: true,
    unconverted,
  };
}

/** The fraud guard's blocks, for operators (`npm run voice-guard`). */
export class VoiceGuardStore {
  constructor(
    private readonly database: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get db(): Kysely<DB> {
    return this.database.db;
  }

  /** Blocks in force now, the latest first. */
  async active(): Promise<PrefixBlock[]> {
    const rows = await this.db
      .selectFrom('voice_prefix_blocks')
      .selectAll()
      .where('until', '>', this.now().toISOString())
      .orderBy('blocked_at', 'desc')
      .execute();
    return rows.map(toBlock);
  }

  /**
   * Ends a prefix's block now; its unconverted calls so far no longer count. Returns how many
   * blocks were in force (0: the prefix was not blocked).
   */
  async lift(prefix: string, by: string): Promise<number> {
    const at = this.now().toISOString();
    const res = await this.db
      .updateTable('voice_prefix_blocks')
      .set({ until: at, lifted_at: at, lifted_by: by })
      .where('prefix', '=', prefix)
      .where('until', '>', at)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }
}
