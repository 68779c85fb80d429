import DataLoader from 'dataloader';
import type { Plugin } from 'graphql-yoga';
import { RecordAccess, type RecordSources } from './access.js';
import type { Context, Loaders } from './context.js';
import type { OAPackageEvent } from './domain/oa-package.js';
import type { OrderEvent } from './domain/order.js';
import type { VasTransactionEvent } from './domain/vas.js';
import type { VoiceCall } from './domain/voice.js';
import type { VoiceCallService } from './services/voice-calls.js';
import type { KeyUse } from './store/idempotency.js';
import type { VoiceCallEvent } from './store/voice.js';

/** What the loaders read from: the record sources, and the voice service for call status. */
export interface LoaderSources extends RecordSources {
  voice: VoiceCallService;
}

/**
 * New loaders for each request, each made on first use (most requests need none). Results come
 * back in key order, as DataLoader requires. They load what hangs off a record the caller may
 * already see; records themselves come through `RecordAccess`.
 */
class RequestLoaders implements Loaders {
  private orderEventsLoader?: DataLoader<string, OrderEvent[]>;
  private vasTxEventsLoader?: DataLoader<string, VasTransactionEvent[]>;
  private oaEventsLoader?: DataLoader<string, OAPackageEvent[]>;
  private callStatusLoader?: DataLoader<VoiceCall, VoiceCall, string>;
  private callEventsLoader?: DataLoader<string, VoiceCallEvent[]>;
  private keysLoader?: DataLoader<string, KeyUse[]>;

  constructor(private readonly sources: LoaderSources) {}

  get voiceCallStatus(): DataLoader<VoiceCall, VoiceCall, string> {
    // One batch per request: every pending call in it is checked once, concurrently.
    this.callStatusLoader ??= new DataLoader((calls) => this.sources.voice.refreshAll(calls), {
      cacheKeyFn: (call) => call.id,
    });
    return this.callStatusLoader;
  }

  get oaPackageEvents(): DataLoader<string, OAPackageEvent[]> {
    this.oaEventsLoader ??= eventsLoader(
      (ids) => this.sources.oaPackages.eventsFor(ids),
      (e) => e.oaPackageId,
    );
    return this.oaEventsLoader;
  }

  get vasTransactionEvents(): DataLoader<string, VasTransactionEvent[]> {
    this.vasTxEventsLoader ??= eventsLoader(
      (ids) => this.sources.vasStore.eventsFor(ids),
      (e) => e.transactionId,
    );
    return this.vasTxEventsLoader;
  }

  get voiceCallEvents(): DataLoader<string, VoiceCallEvent[]> {
    this.callEventsLoader ??= eventsLoader(
      (ids) => this.sources.voiceStore.callEventsFor(ids),
      (e) => e.callId,
    );
    return this.callEventsLoader;
  }

  get idempotencyKeys(): DataLoader<string, KeyUse[]> {
    this.keysLoader ??= eventsLoader(
      (ids) => this.sources.idempotency.usesOf(ids),
      (use) => use.recordId,
    );
    return this.keysLoader;
  }

  get orderEvents(): DataLoader<string, OrderEvent[]> {
    this.orderEventsLoader ??= eventsLoader(
      (ids) => this.sources.orders.eventsFor(ids),
      (e) => e.orderId,
    );
    return this.orderEventsLoader;
  }
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
 * REGISTERED with the events of OTP_SENT). Each event after the first gets new loaders and a new
 * record access (whose loads are cached too), put in place once the previous event's result is
 * out and before the next one runs: events of one subscription run one at a time.
 */
export function useLoadersPerSubscriptionEvent(sources: LoaderSources): Plugin<Context> {
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ args }) {
          const context = args.contextValue as Context;
          return {
            onNext() {
              context.loaders = createLoaders(sources);
              context.access = new RecordAccess(context.caller, sources);
            },
          };
        },
      };
    },
  };
}
