import type DataLoader from 'dataloader';
import type { PubSub } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { EligibilityProvider } from './domain/eligibility.js';
import type { OAPackage, OAPackageEvent } from './domain/oa-package.js';
import type { Order, OrderEvent } from './domain/order.js';
import type { SubscriberIds } from './domain/subscriber-id.js';
import type { VasSubscriptionState, VasTransaction, VasTransactionEvent } from './domain/vas.js';
import type { VoiceCall } from './domain/voice.js';
import type { Caller } from './server/auth.js';
import type { DmallSales } from './services/dmall-sales.js';
import type { OAPackagePurchases } from './services/oa-packages.js';
import type { VasService } from './services/vas.js';
import type { VoiceOtpService } from './services/voice-otp.js';
import type { Database } from './store/database.js';
import type { OAPackageStore } from './store/oa-packages.js';
import type { OrderStore } from './store/orders.js';
import type { VasStore } from './store/vas.js';
import type { Vendors } from './vendors/index.js';

export type GatewayPubSub = PubSub<{
  orderUpdated: [key: string, order: Order];
  /** Keyed by the subscriber's local phone number. */
  vasSubscriptionChanged: [phone: string, state: VasSubscriptionState];
  voiceCallUpdated: [key: string, call: VoiceCall];
}>;

/** Per-request loaders: they batch and cache within one request only. */
export interface Loaders {
  order: DataLoader<string, Order>;
  orderEvents: DataLoader<string, OrderEvent[]>;
  oaPackage: DataLoader<string, OAPackage>;
  oaPackageEvents: DataLoader<string, OAPackageEvent[]>;
  vasTransaction: DataLoader<string, VasTransaction>;
  vasTransactionEvents: DataLoader<string, VasTransactionEvent[]>;
  /** CheckServiceInfo by `msisdn:serviceId:packageId`: each distinct check once per request. */
  vasSubscription: DataLoader<string, VasSubscriptionState>;
  /** Voice calls by id, a PENDING one refreshed from the vendor (once per request). */
  voiceCall: DataLoader<string, VoiceCall | null>;
}

/** What every resolver gets. Built per request in `app.ts`. */
export interface Context {
  config: Config;
  db: Database;
  logger: Logger;
  vendors: Vendors;
  orders: OrderStore;
  sales: DmallSales;
  /** The ledger of Zalo OA package purchases. */
  oaPackages: OAPackageStore;
  /** Zalo OA package purchases through eSMS. */
  oaPurchases: OAPackagePurchases;
  vas: VasService;
  vasStore: VasStore;
  voice: VoiceOtpService;
  eligibility: EligibilityProvider;
  pubsub: GatewayPubSub;
  loaders: Loaders;
  /** Seals and opens the key of a subscriber's global id. */
  subscriberIds: SubscriberIds;
  /** Aborted when the gateway shuts down; long-lived responses (subscriptions) end on it. */
  shutdown: AbortSignal;
  /** Who is calling (from the API key; a label for anonymous sandbox callers). */
  caller: Caller;
  /** `caller.clientId`: scopes idempotency keys, per-client limits, and what orders record. */
  clientId: string;
}
