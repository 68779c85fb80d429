import DataLoader from 'dataloader';
import type { Plugin } from 'graphql-yoga';
import type { Context, Loaders } from './context.js';
import type { OAPackage, OAPackageEvent } from './domain/oa-package.js';
import type { Order, OrderEvent } from './domain/order.js';
import { parsePhone } from './domain/phone.js';
import type { VasSubscriptionState, VasTransaction, VasTransactionEvent } from './domain/vas.js';
import type { VoiceCall } from './domain/voice.js';
import type { VasService } from './services/vas.js';
import type { VoiceOtpService } from './services/voice-otp.js';
import type { OAPackageStore } from './store/oa-packages.js';
import type { OrderStore } from './store/orders.js';
import type { VasStore } from './store/vas.js';

/** What the loaders read from. */
export interface LoaderSources {
  orders: OrderStore;
  oaPackages: OAPackageStore;
  vas: VasService;
  vasStore: VasStore;
  voice: VoiceOtpService;
}

/**
 * New loaders for each request, each made on first use (most requests need none). Results come
 * back in key order, as DataLoader requires.
 */
class RequestLoaders implements Loaders {
  private orderLoader?: DataLoader<string, Order>;
  private eventsLoader?: DataLoader<string, OrderEvent[]>;
  private vasTxLoader?: DataLoader<string, VasTransaction>;
  private vasTxEventsLoader?: DataLoader<string, VasTransactionEvent[]>;
  private vasCheckLoader?: DataLoader<string, VasSubscriptionState>;
  private oaPackageLoader?: DataLoader<string, OAPackage>;
  private oaEventsLoader?: DataLoader<string, OAPackageEvent[]>;
  private voiceCallLoader?: DataLoader<string, VoiceCall | null>;

  constructor(private readonly sources: LoaderSources) {}

  get voiceCall(): DataLoader<string, VoiceCall | null> {
    // One batch per request: every pending call in it is checked once, concurrently.
    this.voiceCallLoader ??= new DataLoader((ids) => this.sources.voice.refreshCalls(ids));
    return this.voiceCallLoader;
  }

  get oaPackage(): DataLoader<string, OAPackage> {
    this.oaPackageLoader ??= byIdLoader(
      (ids) => this.sources.oaPackages.findByIds(ids),
      'OA package',
    );
    return this.oaPackageLoader;
  }

  get oaPackageEvents(): DataLoader<string, OAPackageEvent[]> {
    this.oaEventsLoader ??= eventsLoader(
      (ids) => this.sources.oaPackages.eventsFor(ids),
      (e) => e.oaPackageId,
    );
    return this.oaEventsLoader;
  }

  private get orders(): OrderStore {
    return this.sources.orders;
  }

  get vasTransaction(): DataLoader<string, VasTransaction> {
    this.vasTxLoader ??= byIdLoader(
      (ids) => this.sources.vasStore.findByIds(ids),
      'VAS transaction',
    );
    return this.vasTxLoader;
  }

  get vasTransactionEvents(): DataLoader<string, VasTransactionEvent[]> {
    this.vasTxEventsLoader ??= eventsLoader(
      (ids) => this.sources.vasStore.eventsFor(ids),
      (e) => e.transactionId,
    );
    return this.vasTxEventsLoader;
  }

  /**
   * One CheckServiceInfo per distinct `msisdn:serviceId:packageId` in the request (DataLoader
   * keeps one promise per key), all of a batch at once: the vendor's bulkhead bounds how many
   * are in flight. A check that got no answer is that key's error, in key order.
   */
  get vasSubscription(): DataLoader<string, VasSubscriptionState> {
    this.vasCheckLoader ??= new DataLoader((keys) =>
      Promise.all(
        keys.map(async (key) => {
          const [msisdn = '', serviceId = '', packageId = ''] = key.split(':');
          try {
            return await this.sources.vas.check(parsePhone(msisdn), serviceId, packageId);
          } catch (err) {
            return err instanceof Error ? err : new Error(String(err));
          }
        }),
      ),
    );
    return this.vasCheckLoader;
  }

  get order(): DataLoader<string, Order> {
    this.orderLoader ??= byIdLoader((ids) => this.orders.findByIds(ids), 'Order');
    return this.orderLoader;
  }

  get orderEvents(): DataLoader<string, OrderEvent[]> {
    this.eventsLoader ??= eventsLoader(
      (ids) => this.orders.eventsFor(ids),
      (e) => e.orderId,
    );
    return this.eventsLoader;
  }
}

/** Rows by id, in key order; an id with no row is that key's error. */
function byIdLoader<T extends { id: string }>(
  find: (ids: readonly string[]) => Promise<T[]>,
  what: string,
): DataLoader<string, T> {
  return new DataLoader(async (ids) => {
    const byId = new Map((await find(ids)).map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? new Error(`${what} ${id} not found`));
  });
}

/** Each parent's events, in key order (those of a parent with none: an empty list). */
function eventsLoader<E>(
  find: (ids: readonly string[]) => Promise<E[]>,
  parentOf: (event: E) => string,
): DataLoader<string, E[]> {
  return new DataLoader(async (ids) => {
    const byParent = new Map<string, E[]>();
    for (const event of await find(ids)) {
      const list = byParent.get(parentOf(event)) ?? [];
      list.push(event);
      byParent.set(parentOf(event), list);
    }
    return ids.map((id) => byParent.get(id) ?? []);
  });
}

export function createLoaders(sources: LoaderSources): Loaders {
  return new RequestLoaders(sources);
}

/**
 * A subscription runs its selection once per event, always with the context of the request that
 * opened it: loaders kept there would answer every event with what the first one read (an order
 * REGISTERED with the events of OTP_SENT). Each event after the first gets new loaders, put in
 * place once the previous event's result is out and before the next one runs: events of one
 * subscription run one at a time.
 */
export function useLoadersPerSubscriptionEvent(): Plugin<Context> {
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ args }) {
          const context = args.contextValue as Context;
          return {
            onNext() {
              context.loaders = createLoaders(context);
            },
          };
        },
      };
    },
  };
}
