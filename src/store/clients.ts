import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Scope } from '../domain/scopes.js';
import type { Database } from './database.js';

export interface Client {
  id: string;
  name: string;
  scopes: Scope[];
  disabled: boolean;
  createdAt: string;
}

export interface ClientKey {
  id: string;
  clientName: string;
  createdAt: string;
  revokedAt: string | null;
}

const KEY = /^tgw_([A-Za-z0-9]{12})\.([A-Za-z0-9_-]{43})$/;
/** Compared against when a key id is unknown, so every refusal does the same work. */
const DUMMY_HASH = '0'.repeat(64);

/**
 * API clients and their keys. A key is `tgw_<id>.<secret>`: the id finds the row, the secret is
 * checked against its keyed hash (HMAC with the server secret) in constant time. Several keys per
 * client, so a key can be rotated without downtime: add the new one, deploy it, revoke the old.
 */
export class ClientStore {
  constructor(
    private readonly database: Database,
    private readonly secret: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(name: string, scopes: readonly Scope[]): Promise<{ client: Client; key: string }> {
    const client: Client = {
      id: randomUUID(),
      name,
      scopes: [...new Set(scopes)],
      disabled: false,
      createdAt: this.now().toISOString(),
    };
    const key = await this.database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('clients')
        .values({
          id: client.id,
          name: client.name,
          scopes: client.scopes.join(' '),
          disabled_at: null,
          created_at: client.createdAt,
        })
        .execute();
      const made = this.newKey(client.id);
      await trx.insertInto('client_keys').values(made.row).execute();
      return made.key;
    });
    return { client, key };
  }

  async addKey(name: string): Promise<string | null> {
    const client = await this.find(name);
    if (!client) return null;
    const made = this.newKey(client.id);
    await this.database.db.insertInto('client_keys').values(made.row).execute();
    return made.key;
  }

  /** Revokes a key by its id (the part between `tgw_` and the dot). */
  async revokeKey(keyId: string): Promise<boolean> {
    const res = await this.database.db
      .updateTable('client_keys')
      .set({ revoked_at: this.now().toISOString() })
      .where('id', '=', keyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async setDisabled(name: string, disabled: boolean): Promise<boolean> {
    const res = await this.database.db
      .updateTable('clients')
      .set({ disabled_at: disabled ? this.now().toISOString() : null })
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async find(name: string): Promise<Client | null> {
    const row = await this.database.db
      .selectFrom('clients')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? toClient(row) : null;
  }

  async list(): Promise<Array<Client & { keys: ClientKey[] }>> {
    const clients = await this.database.db
      .selectFrom('clients')
      .selectAll()
      .orderBy('name')
      .execute();
    const keys = await this.database.db
      .selectFrom('client_keys')
      .innerJoin('clients', 'clients.id', 'client_keys.client_id')
      .select([
        'client_keys.id as id',
        'clients.name as clientName',
        'client_keys.created_at as createdAt',
        'client_keys.revoked_at as revokedAt',
      ])
      .orderBy('client_keys.created_at')
      .execute();
    return clients.map((row) => ({
      ...toClient(row),
      keys: keys.filter((k) => k.clientName === row.name),
    }));
  }

  /**
   * The client a key belongs to, or null for a malformed, unknown or revoked key or a disabled
   * client. Every path computes one HMAC and one constant-time comparison.
   */
  async authenticate(key: string): Promise<Client | null> {
    const match = KEY.exec(key);
    const row = match
      ? await this.database.db
          .selectFrom('client_keys')
          .innerJoin('clients', 'clients.id', 'client_keys.client_id')
          .select([
            'clients.id as id',
            'clients.name as name',
            'clients.scopes as scopes',
            'clients.disabled_at as disabled_at',
            'clients.created_at as created_at',
            'client_keys.secret_hash as secret_hash',
            'client_keys.revoked_at as revoked_at',
          ])
          .where('client_keys.id', '=', match[1]!)
          .executeTakeFirst()
      : undefined;
    const expected = Buffer.from(row?.secret_hash ?? DUMMY_HASH, 'hex');
    const given = Buffer.from(this.hash(match?.[2] ?? ''), 'hex');
    const same = timingSafeEqual(expected, given);
    if (!row || !same || row.revoked_at !== null || row.disabled_at !== null) return null;
    return toClient(row);
  }

  private newKey(clientId: string) {
    const id = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
    const secret = randomBytes(32).toString('base64url');
    return {
      key: `tgw_${id}.${secret}`,
      row: {
        id,
        client_id: clientId,
        secret_hash: this.hash(secret),
        created_at: this.now().toISOString(),
        revoked_at: null,
      },
    };
  }

  private hash(secret: string): string {
    return createHmac('sha256', this.secret).update(`client-key:${secret}`).digest('hex');
  }
}

function toClient(row: {
  id: string;
  name: string;
  scopes: string;
  disabled_at: string | null;
  created_at: string;
}): Client {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes.split(' ').filter(Boolean) as Scope[],
    disabled: row.disabled_at !== null,
    createdAt: row.created_at,
  };
}
