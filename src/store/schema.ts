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
  /** When the request fingerprint was stored with the key: the first request with it. */
  created_at: string;
  expires_at: string;
  /** The record the request made or acted on, once it changed something (the console's evidence). */
  record_id: string | null;
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

export interface OAPackagesTable {
  id: string;
  /** The client that bought it (its name, as orders record it). */
  client_id: string;
  oa_id: string;
  /** `TRIAL`, `ADVANCED` or `PREMIUM`. */
  tier: string;
  /** `yyyy-MM-dd`. */
  active_from: string;
  duration: number;
  /** `SUBMITTED`, `ACCEPTED`, `REJECTED` or `UNKNOWN`. */
  status: string;
  service_preview_id: string | null;
  /** eSMS's `CodeResult`; null until eSMS answered (so a SUBMITTED row without one is in flight). */
  vendor_code: string | null;
  vendor_message: string | null;
  /** A `VendorFailureReason` when the call gave no usable answer. */
  failure_reason: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface OAPackageEventsTable {
  oa_package_id: string;
  version: number;
  status: string;
  detail: string | null;
  at: string;
}

export interface VasTransactionsTable {
  id: string;
  client_id: string;
  phone: string;
  service_id: string;
  package_id: string;
  /** `REGISTER` or `CANCEL`. */
  action: string;
  channel: string;
  price: string;
  /** 1, 0, or null when not said (a cancel). */
  auto_renew: number | null;
  status: string;
  /** The notify_reg `queueID`, unique, generated before the call. */
  queue_id: string;
  /** The SDP's `error_id` / `error_desc`, as sent. */
  vendor_code: string | null;
  vendor_message: string | null;
  /** The `VendorError` code when the call got no usable answer. */
  failure_reason: string | null;
  settle_attempts: Generated<number>;
  next_settle_at: string | null;
  created_at: string;
  updated_at: string;
  settled_at: string | null;
  version: number;
}

export interface VasTransactionEventsTable {
  transaction_id: string;
  version: number;
  status: string;
  detail: string | null;
  at: string;
}

/** The SDP's notifications to our cpURL, one row per `queueID`. */
export interface VasEventsTable {
  queue_id: string;
  action: string;
  phone: string;
  service_id: string;
  package_id: string;
  channel: string;
  result_code: string;
  error_desc: string;
  command_code: string;
  price: string;
  auto_renew: number | null;
  subscribed_at: string | null;
  expires_at: string | null;
  received_at: string;
  /** How many times the SDP sent this `queueID` again (acknowledged, not recorded again). */
  replays: Generated<number>;
  last_replayed_at: string | null;
}

/** What the gateway last learned of a subscriber's package. */
export interface VasSubscriptionsTable {
  phone: string;
  service_id: string;
  package_id: string;
  active: number;
  /** `REGISTER`, `CANCEL`, `NOTIFICATION` or `CHECK`. */
  source: string;
  updated_at: string;
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
  /** The fraud guard's prefix of `phone` (src/domain/voice-limits.ts); null on calls before 0008. */
  phone_prefix: string | null;
  created_at: string;
  updated_at: string;
  settled_at: string | null;
  version: number;
}

/** A number prefix the fraud guard refuses calls to, from `blocked_at` until `until`. */
export interface VoicePrefixBlocksTable {
  id: string;
  prefix: string;
  /** Unconverted calls in the window when it tripped. */
  unconverted: number;
  blocked_at: string;
  /** The end of the cool-down; an operator's lift moves it to the lift's time. */
  until: string;
  lifted_at: string | null;
  lifted_by: string | null;
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

/** Row counts per ledger, client, status, tag and day (`store/counters.ts`); `''` means all. */
export interface LedgerCountsTable {
  ledger: string;
  client_id: string;
  status: string;
  /** `telco=VIETTEL`, `package=C120`, `action=REGISTER`, `service=1000161`, or `''`. */
  tag: string;
  /** `yyyy-mm-dd` (UTC) of the rows' `created_at`. */
  day: string;
  shard: number;
  n: number;
}

export interface DB {
  ledger_counts: LedgerCountsTable;
  oa_packages: OAPackagesTable;
  oa_package_events: OAPackageEventsTable;
  clients: ClientsTable;
  client_keys: ClientKeysTable;
  orders: OrdersTable;
  order_events: OrderEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  vas_transactions: VasTransactionsTable;
  vas_transaction_events: VasTransactionEventsTable;
  vas_events: VasEventsTable;
  vas_subscriptions: VasSubscriptionsTable;
  voice_calls: VoiceCallsTable;
  voice_prefix_blocks: VoicePrefixBlocksTable;
  voice_call_events: VoiceCallEventsTable;
  phone_verifications: PhoneVerificationsTable;
  phone_verification_events: PhoneVerificationEventsTable;
}
