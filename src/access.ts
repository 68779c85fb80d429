import DataLoader from 'dataloader';
import {
  type Caller,
  listOwner,
  mayActOn,
  mayRead,
  mayReadKind,
  type RecordRule,
} from './domain/access.js';
import type { OAPackage } from './domain/oa-package.js';
import type { Order } from './domain/order.js';
import { parsePhone } from './domain/phone.js';
import type { VasEvent, VasSubscriptionState, VasTransaction } from './domain/vas.js';
import type { PhoneVerification, VoiceCall } from './domain/voice.js';
import type { VasService } from './services/vas.js';
import type { IdempotencyStore } from './store/idempotency.js';
import type { OAPackageStore } from './store/oa-packages.js';
import type { OrderStore } from './store/orders.js';
import type { VasStore } from './store/vas.js';
import type { VoiceStore } from './store/voice.js';

/**
 * The one access path to records. Every read of a record (a field, an error's field, `node` and
 * `nodes`, a list, a subscription) and every mutation on an existing record goes through the
 * request's `RecordAccess` (`ctx.access`); no resolver holds a store. A kind of record declares
 * its scopes, whether it has owners, and how it is loaded, in `RECORD_KINDS` below; the rule
 * itself is `src/domain/access.ts`. The schema also declares each kind's rule on its GraphQL type
 * (`recordAuth` in src/schema/records.ts), so a field that returned a record without asking here
 * would fail with FORBIDDEN instead of showing it.
 */

/** What records are read from. */
export interface RecordSources {
  orders: OrderStore;
  vasStore: VasStore;
  oaPackages: OAPackageStore;
  voiceStore: VoiceStore;
  vas: VasService;
  /** The idempotency keys that made or acted on a record (its evidence). */
  idempotency: IdempotencyStore;
}

/** One kind of record: its access rule, its key and owner, and how a batch of keys is loaded. */
export interface RecordKind<T> extends RecordRule {
  /** The key that `node(id:)` and the loader use (the global id's key). */
  key: (record: T) => string;
  /** The client the record belongs to; null for kinds without owners. */
  owner: (record: T) => string | null;
  /**
   * The records of these keys, in key order: null for a key with no record, an Error for a key
   * whose loading failed (that key's error, e.g. a vendor that did not answer a check).
   */
  load: (sources: RecordSources, keys: readonly string[]) => Promise<Array<T | Error | null>>;
  /** What the kind is, for the README's table and the schema's descriptions. */
  description: string;
}

function kind<T>(declared: RecordKind<T>): RecordKind<T> {
  return declared;
}

/** Rows found by a batch query, in key order (null where none). */
function inKeyOrder<T>(
  find: (keys: readonly string[]) => Promise<T[]>,
  keyOf: (row: T) => string,
): (keys: readonly string[]) => Promise<Array<T | null>> {
  return async (keys) => {
    const byKey = new Map((await find(keys)).map((row) => [keyOf(row), row]));
    return keys.map((k) => byKey.get(k) ?? null);
  };
}

/**
 * Every kind of record the API returns, with its rule. A new ledger is one entry here (its
 * scopes, its owner column, its loader) and `recordAuth` on its GraphQL type; the access test
 * (test/access.test.ts) walks the schema and covers it from then on.
 */
export const RECORD_KINDS = {
  Order: kind<Order>({
    description: 'A sale of a package (OTP request to registration).',
    scopes: ['sales', 'ledger'],
    owned: true,
    key: (o) => o.id,
    owner: (o) => o.clientId,
    load: (s, keys) =>
      inKeyOrder(
        (ids) => s.orders.findByIds(ids),
        (o: Order) => o.id,
      )(keys),
  }),
  VasTransaction: kind<VasTransaction>({
    description: 'A VAS register or cancel.',
    scopes: ['vas'],
    owned: true,
    key: (t) => t.id,
    owner: (t) => t.clientId,
    load: (s, keys) =>
      inKeyOrder(
        (ids) => s.vasStore.findByIds(ids),
        (t: VasTransaction) => t.id,
      )(keys),
  }),
  VasEvent: kind<VasEvent>({
    description:
      'A notification the SDP sent about a subscriber (a register or cancel through another channel): a fact about the subscriber, not any client’s.',
    scopes: ['vas'],
    owned: false,
    key: (e) => e.queueId,
    owner: () => null,
    load: (s, keys) =>
      inKeyOrder(
        (ids) => s.vasStore.findEvents(ids),
        (e: VasEvent) => e.queueId,
      )(keys),
  }),
  VasSubscription: kind<VasSubscriptionState>({
    description:
      'Whether a subscriber holds a VAS package, asked of the SDP (CheckServiceInfo): a fact about the subscriber, not any client’s.',
    scopes: ['vas'],
    owned: false,
    key: (s) => `${s.msisdn}:${s.serviceId}:${s.packageId}`,
    owner: () => null,
    // One CheckServiceInfo per distinct key, all of a batch at once (the vendor's bulkhead
    // bounds how many are in flight); a check that got no answer is that key's error.
    load: (s, keys) =>
      Promise.all(
        keys.map(async (key) => {
          const [msisdn = '', serviceId = '', packageId = ''] = key.split(':');
          try {
            return await s.vas.check(parsePhone(msisdn), serviceId, packageId);
          } catch (err) {
            return err instanceof Error ? err : new Error(String(err));
          }
        }),
      ),
  }),
  VoiceCall: kind<VoiceCall>({
    description:
      'A voice OTP call, placed by `sendVoiceOtp` (scope `voice`) or by a verification (scope `verify`).',
    scopes: ['voice', 'verify'],
    owned: true,
    key: (c) => c.id,
    owner: (c) => c.clientId,
    load: (s, keys) =>
      inKeyOrder(
        (ids) => s.voiceStore.callsByIds(ids),
        (c: VoiceCall) => c.id,
      )(keys),
  }),
  PhoneVerification: kind<PhoneVerification>({
    description: 'A phone-number verification.',
    scopes: ['verify'],
    owned: true,
    key: (v) => v.id,
    owner: (v) => v.clientId,
    load: (s, keys) =>
      inKeyOrder(
        (ids) => s.voiceStore.verificationsByIds(ids),
        (v: PhoneVerification) => v.id,
      )(keys),
  }),
  OAPackage: kind<OAPackage>({
    description: 'A Zalo OA package purchase.',
    scopes: ['oa'],
    owned: true,
    key: (p) => p.id,
    owner: (p) => p.clientId,
    load: (s, keys) =>
      inKeyOrder(
        (ids) => s.oaPackages.findByIds(ids),
        (p: OAPackage) => p.id,
      )(keys),
  }),
} as const;

export type RecordKindName = keyof typeof RECORD_KINDS;
export type RecordOf<K extends RecordKindName> =
  (typeof RECORD_KINDS)[K] extends RecordKind<infer T> ? T : never;

/** Whether a GraphQL type name is a kind of record. */
export function isRecordKind(name: string): name is RecordKindName {
  return Object.hasOwn(RECORD_KINDS, name);
}

function kindOf<K extends RecordKindName>(name: K): RecordKind<RecordOf<K>> {
  return RECORD_KINDS[name] as unknown as RecordKind<RecordOf<K>>;
}

/**
 * The caller's view of the records, for one request (a subscription gets a new one per event,
 * with its loaders). Loads are batched and cached per kind; what the caller may not see is
 * answered exactly as what does not exist: `null`, or left out of a list.
 */
export class RecordAccess {
  private readonly loaders = new Map<RecordKindName, DataLoader<string, unknown>>();

  constructor(
    readonly caller: Caller,
    private readonly sources: RecordSources,
  ) {}

  /** Whether the caller may read records of this kind at all (it holds one of its scopes). */
  mayReadKind(name: RecordKindName): boolean {
    return mayReadKind(this.caller, RECORD_KINDS[name]);
  }

  /** Whether the caller may read this record (its owner, or `ledger:all`, with the scope). */
  canSee<K extends RecordKindName>(name: K, record: RecordOf<K>): boolean {
    const k = kindOf(name);
    return mayRead(this.caller, k, k.owner(record));
  }

  /**
   * The record, if the caller may read it; null when there is none or it is another client's.
   * A caller without the kind's scope gets null with nothing loaded (no store read, no vendor
   * call). A key whose loading failed (a vendor check) throws that failure.
   */
  async get<K extends RecordKindName>(name: K, key: string): Promise<RecordOf<K> | null> {
    if (!this.mayReadKind(name)) return null;
    const record = (await this.loader(name).load(key)) as RecordOf<K> | null;
    return record && this.canSee(name, record) ? record : null;
  }

  /** Like `get`, for many keys, in key order; a failed key is its Error. */
  async getMany<K extends RecordKindName>(
    name: K,
    keys: readonly string[],
  ): Promise<Array<RecordOf<K> | Error | null>> {
    if (!this.mayReadKind(name)) return keys.map(() => null);
    const found = (await this.loader(name).loadMany(keys)) as Array<RecordOf<K> | Error | null>;
    return found.map((r) => (r === null || r instanceof Error || this.canSee(name, r) ? r : null));
  }

  /**
   * The record, for a mutation that acts on it and spends money or OTP attempts: only its owner
   * gets it (an anonymous sandbox caller gets any); null otherwise, as for an unknown key.
   */
  async getOwn<K extends RecordKindName>(name: K, key: string): Promise<RecordOf<K> | null> {
    const record = (await this.loader(name).load(key)) as RecordOf<K> | null;
    return record && this.owns(name, record) ? record : null;
  }

  /** Whether the caller may act on this record (see `getOwn`). */
  owns<K extends RecordKindName>(name: K, record: RecordOf<K>): boolean {
    const owner = kindOf(name).owner(record);
    return owner !== null && mayActOn(this.caller, owner);
  }

  /**
   * A record found another way than by its key (an order by its code): `find` runs only when
   * the caller may read the kind, and its result only if the caller may see it.
   */
  async find<K extends RecordKindName>(
    name: K,
    find: (sources: RecordSources) => Promise<RecordOf<K> | null>,
  ): Promise<RecordOf<K> | null> {
    if (!this.mayReadKind(name)) return null;
    const record = await find(this.sources);
    return record && this.canSee(name, record) ? record : null;
  }

  /**
   * A listing of a kind, narrowed to what the caller may read: `run` gets the client whose
   * records it must keep (null: every client's) and must filter on it; a caller that may list
   * none gets an empty list without a query. What `run` returns is checked again record by
   * record, so a query that forgot the owner shows nothing it should not. `client`: the listing
   * asks for that client's records only (a `client` filter), narrowed within the rule
   * (`listOwner`): naming another client than itself, a caller without `ledger:all` gets none.
   */
  async list<K extends RecordKindName>(
    name: K,
    run: (sources: RecordSources, owner: string | null) => Promise<RecordOf<K>[]>,
    client?: string | null,
  ): Promise<RecordOf<K>[]> {
    const owner = listOwner(this.caller, RECORD_KINDS[name], client);
    if (owner === undefined) return [];
    return (await run(this.sources, owner)).filter((r) => this.canSee(name, r));
  }

  /** How many records a listing has (see `list`): 0 for a caller that may list none. */
  async count(
    name: RecordKindName,
    run: (sources: RecordSources, owner: string | null) => Promise<number>,
    client?: string | null,
  ): Promise<number> {
    const owner = listOwner(this.caller, RECORD_KINDS[name], client);
    return owner === undefined ? 0 : run(this.sources, owner);
  }

  /**
   * An aggregate of a listing (totals of a filter), narrowed like `list`: `run` gets the client
   * whose records it must keep (null: every client's) and must filter on it; a caller that may
   * list none gets `none` without a query.
   */
  async summarize<T>(
    name: RecordKindName,
    run: (sources: RecordSources, owner: string | null) => Promise<T>,
    none: T,
    client?: string | null,
  ): Promise<T> {
    const owner = listOwner(this.caller, RECORD_KINDS[name], client);
    return owner === undefined ? none : run(this.sources, owner);
  }

  private loader(name: RecordKindName): DataLoader<string, unknown> {
    let loader = this.loaders.get(name);
    if (!loader) {
      const k = RECORD_KINDS[name] as unknown as RecordKind<unknown>;
      loader = new DataLoader<string, unknown>((keys) => k.load(this.sources, keys));
      this.loaders.set(name, loader);
    }
    return loader;
  }
}
