import type { Database } from './database.js';

/**
 * A finished request's result: a reference to what it made (e.g. `{ orderId }`), or its error.
 * `interrupted`: the process running it stopped after it changed something (the reference says
 * what); a retry answers from that thing's state instead of running again.
 */
export type StoredResult =
  | { ok: Record<string, string> }
  | { error: { name: string; fields: Record<string, unknown> } }
  | { interrupted: Record<string, string> };

/** Keys are scoped to a client and an operation: two clients may use the same key. */
export interface IdempotencyScope {
  clientId: string;
  operation: string;
  key: string;
}

/** How a key's request ended: still running, answered, answered with an error, or cut short. */
export type KeyOutcome = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'INTERRUPTED';

/** A key that made or acted on a record: the console's evidence of who asked, when and how often. */
export interface KeyUse {
  recordId: string;
  clientId: string;
  operation: string;
  key: string;
  /** When the first request with this key stored its fingerprint (the key was claimed). */
  fingerprintedAt: string;
  expiresAt: string;
  outcome: KeyOutcome;
}

/** The record a stored reference names: its `...Id` entry (an order, a transaction, a call). */
function recordOf(saved: Record<string, string>): string | null {
  return Object.entries(saved).find(([name]) => name.endsWith('Id'))?.[1] ?? null;
}

function outcomeOf(response: string | null): KeyOutcome {
  if (response === null) return 'RUNNING';
  const result = JSON.parse(response) as StoredResult;
  return 'ok' in result ? 'SUCCEEDED' : 'error' in result ? 'FAILED' : 'INTERRUPTED';
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; result: StoredResult }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

export interface IdempotencyStoreOptions {
  ttlHours: number;
  /**
   * How long a claim without a result can still have a live holder: longer than the slowest
   * vendor call and the writes around it. An older claim's process has died; it is released.
   */
  abandonAfterMs: number;
  now?: () => Date;
}

/**
 * Idempotency keys, scoped to (client, operation). A key is claimed with one INSERT ... ON
 * CONFLICT DO NOTHING: the database decides the single winner, never a check-then-insert.
 */
export class IdempotencyStore {
  private readonly now: () => Date;

  constructor(
    private readonly database: Database,
    private readonly options: IdempotencyStoreOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Claims a key for a request with this fingerprint. `alsoMatches`: an older form of the same
   * request's fingerprint that an existing claim may hold. A claim abandoned by a dead process
   * is taken over: replayed as interrupted if it had changed something, claimed anew if not.
   */
  async claim(scope: IdempotencyScope, requestHash: string, alsoMatches?: string): Promise<Claim> {
    const now = this.now();
    for (let round = 0; round < 3; round++) {
      const inserted = await this.database.db
        .insertInto('idempotency_keys')
        .values({
          client_id: scope.clientId,
          operation: scope.operation,
          key: scope.key,
          request_hash: requestHash,
          response: null,
          progress: null,
          created_at: now.toISOString(),
          expires_at: new Date(now.getTime() + this.options.ttlHours * 3_600_000).toISOString(),
        })
        .onConflict((oc) => oc.columns(['client_id', 'operation', 'key']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { kind: 'claimed' };

      const existing = await this.find(scope);
      if (!existing) continue; // released between our insert and read: try again
      if (existing.expires_at <= now.toISOString()) {
        // An expired key is free again; delete exactly that row, then claim anew.
        await this.byScope(this.database.db.deleteFrom('idempotency_keys'), scope)
          .where('expires_at', '=', existing.expires_at)
          .execute();
        continue;
      }
      if (existing.request_hash !== requestHash && existing.request_hash !== alsoMatches) {
        return { kind: 'mismatch' };
      }
      if (existing.response !== null) {
        return { kind: 'replay', result: JSON.parse(existing.response) as StoredResult };
      }
      if (existing.created_at > this.abandonedBefore()) return { kind: 'in-progress' };
      await this.settle(scope, existing);
    }
    return { kind: 'in-progress' };
  }

  /** The stored result once the first request finished; null while it is still running. */
  async result(scope: IdempotencyScope): Promise<StoredResult | null> {
    const row = await this.find(scope);
    return row?.response ? (JSON.parse(row.response) as StoredResult) : null;
  }

  /**
   * Seconds until a claim still running is either finished or known abandoned, so that a retry
   * then gets a real answer; null when there is no claim in progress.
   */
  async retryAfterSeconds(scope: IdempotencyScope): Promise<number | null> {
    const row = await this.find(scope);
    if (!row || row.response !== null) return null;
    const due = Date.parse(row.created_at) + this.options.abandonAfterMs;
    return Math.max(1, Math.ceil((due - this.now().getTime()) / 1000));
  }

  /** Records what the request has changed so far (e.g. the order it created). */
  async progress(scope: IdempotencyScope, made: Record<string, string>): Promise<void> {
    await this.byScope(this.database.db.updateTable('idempotency_keys'), scope)
      .set({ progress: JSON.stringify(made), record_id: recordOf(made) })
      .where('response', 'is', null)
      .execute();
  }

  async complete(scope: IdempotencyScope, result: StoredResult): Promise<void> {
    const recordId = 'ok' in result ? recordOf(result.ok) : null;
    await this.byScope(this.database.db.updateTable('idempotency_keys'), scope)
      .set({ response: JSON.stringify(result), ...(recordId && { record_id: recordId }) })
      .execute();
  }

  /** The unexpired keys that made or acted on these records, oldest first. */
  async usesOf(recordIds: readonly string[]): Promise<KeyUse[]> {
    if (recordIds.length === 0) return [];
    const rows = await this.database.db
      .selectFrom('idempotency_keys')
      .select([
        'record_id',
        'client_id',
        'operation',
        'key',
        'created_at',
        'expires_at',
        'response',
      ])
      .where('record_id', 'in', [...recordIds])
      .where('expires_at', '>', this.now().toISOString())
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({
      recordId: r.record_id!,
      clientId: r.client_id,
      operation: r.operation,
      key: r.key,
      fingerprintedAt: r.created_at,
      expiresAt: r.expires_at,
      outcome: outcomeOf(r.response),
    }));
  }

  /** Frees a key whose request did nothing (refused before any order or vendor call). */
  async release(scope: IdempotencyScope): Promise<void> {
    await this.byScope(this.database.db.deleteFrom('idempotency_keys'), scope)
      .where('response', 'is', null)
      .execute();
  }

  /**
   * Settles every claim whose holder died (the sweeper): one that had changed something is
   * marked interrupted, one that had not is released. Returns how many.
   */
  async settleAbandoned(): Promise<number> {
    const rows = await this.database.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('response', 'is', null)
      .where('created_at', '<=', this.abandonedBefore())
      .limit(500)
      .execute();
    for (const row of rows) {
      await this.settle({ clientId: row.client_id, operation: row.operation, key: row.key }, row);
    }
    return rows.length;
  }

  async purgeExpired(): Promise<number> {
    const res = await this.database.db
      .deleteFrom('idempotency_keys')
      .where('expires_at', '<=', this.now().toISOString())
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  private abandonedBefore(): string {
    return new Date(this.now().getTime() - this.options.abandonAfterMs).toISOString();
  }

  /** Ends one abandoned claim; only if it is still the same unfinished claim (no race). */
  private async settle(
    scope: IdempotencyScope,
    claim: { created_at: string; progress: string | null },
  ): Promise<void> {
    const { db } = this.database;
    if (claim.progress) {
      const result: StoredResult = { interrupted: JSON.parse(claim.progress) };
      await this.byScope(db.updateTable('idempotency_keys'), scope)
        .set({ response: JSON.stringify(result) })
        .where('response', 'is', null)
        .where('created_at', '=', claim.created_at)
        .execute();
    } else {
      await this.byScope(db.deleteFrom('idempotency_keys'), scope)
        .where('response', 'is', null)
        .where('created_at', '=', claim.created_at)
        .execute();
    }
  }

  private find(scope: IdempotencyScope) {
    return this.byScope(
      this.database.db.selectFrom('idempotency_keys').selectAll(),
      scope,
    ).executeTakeFirst();
  }

  /** Narrows a query to one key's row. */
  private byScope<
    Q extends {
      where(column: 'client_id' | 'operation' | 'key', op: '=', value: string): Q;
    },
  >(query: Q, scope: IdempotencyScope): Q {
    return query
      .where('client_id', '=', scope.clientId)
      .where('operation', '=', scope.operation)
      .where('key', '=', scope.key);
  }
}
