import type { Database } from './database.js';

/** A finished request's result: a reference to what it made (e.g. `{ orderId }`), or its error. */
export type StoredResult =
  | { ok: Record<string, string> }
  | { error: { name: string; fields: Record<string, unknown> } };

/** Keys are scoped to a client and an operation: two clients may use the same key. */
export interface IdempotencyScope {
  clientId: string;
  operation: string;
  key: string;
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; result: StoredResult }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

/**
 * Idempotency keys, scoped to (client, operation). A key is claimed with one INSERT ... ON
 * CONFLICT DO NOTHING: the database decides the single winner, never a check-then-insert.
 */
export class IdempotencyStore {
  constructor(
    private readonly database: Database,
    private readonly ttlHours: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Claims a key for a request with this fingerprint. `alsoMatches`: an older form of the same
   * request's fingerprint that an existing claim may hold.
   */
  async claim(scope: IdempotencyScope, requestHash: string, alsoMatches?: string): Promise<Claim> {
    const { db } = this.database;
    const now = this.now();
    for (let round = 0; round < 2; round++) {
      const inserted = await db
        .insertInto('idempotency_keys')
        .values({
          client_id: scope.clientId,
          operation: scope.operation,
          key: scope.key,
          request_hash: requestHash,
          response: null,
          created_at: now.toISOString(),
          expires_at: new Date(now.getTime() + this.ttlHours * 3_600_000).toISOString(),
        })
        .onConflict((oc) => oc.columns(['client_id', 'operation', 'key']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { kind: 'claimed' };

      const existing = await this.find(scope);
      if (!existing) continue; // released between our insert and read: try once more
      if (existing.expires_at <= now.toISOString()) {
        // An expired key is free again; delete exactly that row, then claim anew.
        await db
          .deleteFrom('idempotency_keys')
          .where('client_id', '=', scope.clientId)
          .where('operation', '=', scope.operation)
          .where('key', '=', scope.key)
          .where('expires_at', '=', existing.expires_at)
          .execute();
        continue;
      }
      if (existing.request_hash !== requestHash && existing.request_hash !== alsoMatches) {
        return { kind: 'mismatch' };
      }
      if (existing.response === null) return { kind: 'in-progress' };
      return { kind: 'replay', result: JSON.parse(existing.response) as StoredResult };
    }
    return { kind: 'in-progress' };
  }

  /** The stored result once the first request finished; null while it is still running. */
  async result(scope: IdempotencyScope): Promise<StoredResult | null> {
    const row = await this.find(scope);
    return row?.response ? (JSON.parse(row.response) as StoredResult) : null;
  }

  async complete(scope: IdempotencyScope, result: StoredResult): Promise<void> {
    await this.database.db
      .updateTable('idempotency_keys')
      .set({ response: JSON.stringify(result) })
      .where('client_id', '=', scope.clientId)
      .where('operation', '=', scope.operation)
      .where('key', '=', scope.key)
      .execute();
  }

  /** Frees a key whose request did nothing (refused before any order or vendor call). */
  async release(scope: IdempotencyScope): Promise<void> {
    await this.database.db
      .deleteFrom('idempotency_keys')
      .where('client_id', '=', scope.clientId)
      .where('operation', '=', scope.operation)
      .where('key', '=', scope.key)
      .where('response', 'is', null)
      .execute();
  }

  async purgeExpired(): Promise<number> {
    const res = await this.database.db
      .deleteFrom('idempotency_keys')
      .where('expires_at', '<=', this.now().toISOString())
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  private find(scope: IdempotencyScope) {
    return this.database.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('client_id', '=', scope.clientId)
      .where('operation', '=', scope.operation)
      .where('key', '=', scope.key)
      .executeTakeFirst();
  }
}
