import type DataLoader from 'dataloader';
import type { PubSub } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { RecordAccess } from './access.js';
import type { Config } from './config.js';
import type { Caller } from './domain/access.js';
import type { EligibilityProvider } from './domain/eligibility.js';
import type { Language } from './domain/messages/index.js';
import type { OAPackageEvent } from './domain/oa-package.js';
import type { Order, OrderEvent } from './domain/order.js';
import type { SubscriberIds } from './domain/subscriber-id.js';
import type { VasSubscriptionState, VasTransactionEvent } from './domain/vas.js';
import type { VoiceCall } from './domain/voice.js';
import type { DmallSales } from './services/dmall-sales.js';
import type { OAPackagePurchases } from './services/oa-packages.js';
import type { PhoneVerificationService } from './services/phone-verification.js';
import type { VasService } from './services/vas.js';
import type { VoiceCallService } from './services/voice-calls.js';
import type { KeyUse } from './store/idempotency.js';
import type { VoiceCallEvent } from './store/voice.js';
import type { FeatureService } from './vendors/module.js';

export type GatewayPubSub = PubSub<{
  orderUpdated: [key: string, order: Order];
  /** Keyed by the subscriber's local phone number. */
  vasSubscriptionChanged: [phone: string, state: VasSubscriptionState];
  voiceCallUpdated: [key: string, call: VoiceCall];
}>;

/**
 * Per-request loaders of what hangs off a record the caller may already see (its events, the
 * vendor's fresh status of a call). Records themselves are loaded through `ctx.access`.
 */
export interface Loaders {
  orderEvents: DataLoader<string, OrderEvent[]>;
  oaPackageEvents: DataLoader<string, OAPackageEvent[]>;
  vasTransactionEvents: DataLoader<string, VasTransactionEvent[]>;
  /** A call the caller may see, a PENDING one refreshed from the vendor (once per request). */
  voiceCallStatus: DataLoader<VoiceCall, VoiceCall, string>;
  voiceCallEvents: DataLoader<string, VoiceCallEvent[]>;
  /** The idempotency keys that made or acted on a record, by the record's id. */
  idempotencyKeys: DataLoader<string, KeyUse[]>;
}

/** What every resolver gets. Built per request in `app.ts`. */
export interface Context {
  config: Config;
  logger: Logger;
  sales: DmallSales;
  /** Zalo OA package purchases through eSMS. */
  oaPurchases: OAPackagePurchases;
  vas: VasService;
  /** Voice OTP calls and the account balance. */
  voice: VoiceCallService;
  /** The services of vendor features, by vendor name (`VendorFeature`). */
  features: Readonly<Record<string, FeatureService>>;
  /** Phone verification, whose calls `voice` places. */
  verifications: PhoneVerificationService;
  eligibility: EligibilityProvider;
  pubsub: GatewayPubSub;
  loaders: Loaders;
  /**
   * The one way to records (orders, VAS transactions and events, calls, verifications, OA
   * purchases): what the caller may see, loaded and batched per request (src/access.ts).
   */
  access: RecordAccess;
  /** Seals and opens the key of a subscriber's global id. */
  subscriberIds: SubscriberIds;
  /** Aborted when the gateway shuts down; long-lived responses (subscriptions) end on it. */
  shutdown: AbortSignal;
  /** Who is calling (from the API key; a label for anonymous sandbox callers). */
  caller: Caller;
  /** `caller.clientId`: scopes idempotency keys, per-client limits, and what orders record. */
  clientId: string;
  /**
   * The language the caller reads messages in, from its `Accept-Language` (src/server/language.ts):
   * Vietnamese unless it prefers English.
   */
  language: Language;
}
