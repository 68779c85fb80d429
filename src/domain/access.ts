import type { Scope } from './scopes.js';

/**
 * Who may see and touch a record: the one rule every path of the API applies (reads, lists,
 * error fields, `node`/`nodes`, subscriptions and mutations on an existing record), through the
 * per-request `RecordAccess` (src/access.ts). Pure: no GraphQL, no store.
 */

/** Who is calling, as every resolver sees it (`ctx.caller`). */
export interface Caller {
  /** The client's name; anonymous callers in sandbox give an `x-client-id` label instead. */
  clientId: string;
  /** Null for an anonymous sandbox caller: every scope. */
  scopes: readonly Scope[] | null;
  authenticated: boolean;
}

/** What a kind of record declares about its access; the rest follows from the rule below. */
export interface RecordRule {
  /**
   * Any of these lets a client read the records of this kind it owns (or, for records without
   * an owner, every one). `ledger:all` reads every record of every kind.
   */
  scopes: readonly Scope[];
  /**
   * True when each record belongs to the client that made it (its owner column). False for
   * facts about a subscriber that belong to no client (the SDP's notifications and checks).
   */
  owned: boolean;
}

/** The scope that reads every client's records, of every kind (back-office reconciliation). */
export const READ_ALL_SCOPE = 'ledger:all' satisfies Scope;

/** Whether the caller holds any of these scopes (an anonymous sandbox caller holds them all). */
export function holdsAny(caller: Caller, scopes: readonly Scope[]): boolean {
  return caller.scopes === null || scopes.some((s) => caller.scopes?.includes(s));
}

/** Whether the caller may read some records of this kind at all: before anything is loaded. */
export function mayReadKind(caller: Caller, rule: RecordRule): boolean {
  return holdsAny(caller, [...rule.scopes, READ_ALL_SCOPE]);
}

/**
 * Whether the caller may read one record: with `ledger:all` (or anonymously in sandbox) every
 * one; otherwise only with one of the kind's scopes, and only its own when records have owners.
 */
export function mayRead(caller: Caller, rule: RecordRule, owner: string | null): boolean {
  if (holdsAny(caller, [READ_ALL_SCOPE])) return true;
  if (!holdsAny(caller, rule.scopes)) return false;
  return !rule.owned || owner === caller.clientId;
}

/**
 * Whose records a listing of this kind is narrowed to: `null` for every client's, a client's
 * name for its own, `undefined` when the caller may list none. A listing that asks for one
 * client's records (a `client` filter) is narrowed within that: `ledger:all` gets that client's,
 * and any other caller gets its own when it names itself and none when it names another, exactly
 * as if that client had no records.
 */
export function listOwner(
  caller: Caller,
  rule: RecordRule,
  client?: string | null,
): string | null | undefined {
  const owner = holdsAny(caller, [READ_ALL_SCOPE])
    ? null
    : !holdsAny(caller, rule.scopes)
      ? undefined
      : rule.owned
        ? caller.clientId
        : null;
  if (owner === undefined || !client || !rule.owned) return owner;
  if (owner === null) return client;
  return owner === client ? owner : undefined;
}

/**
 * Whether the caller may act on a record that spends money or OTP attempts (register an order,
 * check or cancel a verification): only its owner, whatever else it may read. An anonymous
 * sandbox caller acts on any.
 */
export function mayActOn(caller: Caller, owner: string): boolean {
  return caller.scopes === null || owner === caller.clientId;
}
