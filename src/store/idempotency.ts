import type { Database } from './database.js';

export type StoredResult =
  | { ok: { orderId: string } }
  | { error: { name: string; fields: Record<string, unknown> } };

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

  async claim(
    scope: { clientId: string; operation: string; key: string },
    requestHash: string,
  ): Promise<Claim> {
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
      if (existing.request_hash !== requestHash) return { kind: 'mismatch' };
      if (existing.response === null) return { kind: 'in-progress' };
      return { kind: 'replay', result: JSON.parse(existing.response) as StoredResult };
    }
    return { kind: 'in-progress' };
  }

  /** The stored result once the first request finished; null while it is still running. */
  async result(scope: {
    clientId: string;
    operation: string;
    key: string;
  }): Promise<StoredResult | null> {
    const row = await this.find(scope);
    return row?.response ? (JSON.parse(row.response) as StoredResult) : null;
  }

  async complete(
    scope: { clientId: string; operation: string; key: string },
    result: StoredResult,
  ): Promise<void> {
    await this.database.db
      .updateTable('idempotency_keys')
      .set({ response: JSON.stringify(result) })
      .where('client_id', '=', scope.clientId)
      .where('operation', '=', scope.operation)
      .where('key', '=', scope.key)
      .execute();
  }

  /** Frees a key whose request did nothing (refused before any order or vendor call). */
  async release(scope: { clientId: string; operation: string; key: string }): Promise<void> {
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

  private find(scope: { clientId: string; operation: string; key: string }) {
    return this.database.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('client_id', '=', scope.clientId)
      .where('operation', '=', scope.operation)
      .where('key', '=', scope.key)
      .executeTakeFirst();
  }
}
