import type { Generated } from 'kysely';

/**
 * Table shapes as Kysely sees them. Timestamps are ISO-8601 UTC strings (`toISOString()`), the
 * same text on SQLite and PostgreSQL, so ordering and comparison work alike on both.
 */

export interface OrdersTable {
  id: string;
  partner_trans_id: string;
  order_code: string | null;
  telco_trans_id: string | null;
  client_id: string;
  phone: string;
  telco: string;
  package_code: string;
  status: string;
  /** The gateway's `OrderFailureCode`; the vendor's own code, if it gave one, is beside it. */
  failure_code: string | null;
  failure_vendor_code: string | null;
  failure_message: string | null;
  otp_attempts: Generated<number>;
  utm_source: string;
  utm_medium: string;
  utm_content: string;
  utm_campaign: string;
  registered_type: string | null;
  registered_code: string | null;
  otp_sent_at: string | null;
  registered_at: string | null;
  created_at: string;
  updated_at: string;
  /** Incremented on every change; also the sequence number of the change's event. */
  version: number;
}

export interface OrderEventsTable {
  order_id: string;
  version: number;
  status: string;
  detail: string | null;
  at: string;
}

export interface IdempotencyKeysTable {
  client_id: string;
  operation: string;
  key: string;
  request_hash: string;
  /** The result to replay, JSON; null while the first call is still running. */
  response: string | null;
  /** What the running request has changed so far (JSON reference), for a takeover if it dies. */
  progress: string | null;
  created_at: string;
  expires_at: string;
}

export interface ClientsTable {
  id: string;
  /** Unique and never changed: it labels the client's orders and scopes its idempotency keys. */
  name: string;
  /** Space-separated scopes, e.g. `sales ledger`. */
  scopes: string;
  disabled_at: string | null;
  created_at: string;
}

export interface ClientKeysTable {
  /** The public part of the key (`tgw_<id>.<secret>`), to find it by. */
  id: string;
  client_id: string;
  /** HMAC-SHA256 of the secret part, keyed with the server secret; the secret is never stored. */
  secret_hash: string;
  created_at: string;
  revoked_at: string | null;
}

export interface VoiceCallsTable {
  id: string;
  client_id: string;
  phone: string;
  /** The vendor's request id, once `postSMS` accepted the call. The digits read are never stored. */
  request_id: string | null;
  status: string;
  vendor_code: string | null;
  failure_message: string | null;
  verification_id: string | null;
  created_at: string;
  updated_at: string;
  settled_at: string | null;
  version: number;
}

export interface VoiceCallEventsTable {
  voice_call_id: string;
  version: number;
  status: string;
  detail: string | null;
  at: string;
}

export interface PhoneVerificationsTable {
  id: string;
  client_id: string;
  phone: string;
  channel: string;
  status: string;
  /** HMAC-SHA256 of the current code, keyed with the server secret; the code is never stored. */
  code_hash: string;
  checks: Generated<number>;
  sends: Generated<number>;
  expires_at: string;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface PhoneVerificationEventsTable {
  verification_id: string;
  version: number;
  status: string;
  detail: string | null;
  at: string;
}

export interface DB {
  voice_calls: VoiceCallsTable;
  voice_call_events: VoiceCallEventsTable;
  phone_verifications: PhoneVerificationsTable;
  phone_verification_events: PhoneVerificationEventsTable;
  clients: ClientsTable;
  client_keys: ClientKeysTable;
  orders: OrdersTable;
  order_events: OrderEventsTable;
  idempotency_keys: IdempotencyKeysTable;
}
