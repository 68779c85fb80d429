import DataLoader from 'dataloader';
import type { Plugin } from 'graphql-yoga';
import type { Context, Loaders } from './context.js';
import type { Order, OrderEvent } from './domain/order.js';
import type { VoiceCall } from './domain/voice.js';
import type { VoiceOtpService } from './services/voice-otp.js';
import type { OrderStore } from './store/orders.js';

/**
 * New loaders for each request, each made on first use (most requests need none). Results come
 * back in key order, as DataLoader requires.
 */
class RequestLoaders implements Loaders {
  private orderLoader?: DataLoader<string, Order>;
  private eventsLoader?: DataLoader<string, OrderEvent[]>;
  private voiceCallLoader?: DataLoader<string, VoiceCall | null>;

  constructor(
    private readonly orders: OrderStore,
    private readonly voice: VoiceOtpService,
  ) {}

  get voiceCall(): DataLoader<string, VoiceCall | null> {
    // One batch per request: every pending call in it is checked once, concurrently.
    this.voiceCallLoader ??= new DataLoader((ids) => this.voice.refreshCalls(ids));
    return this.voiceCallLoader;
  }

  get order(): DataLoader<string, Order> {
    this.orderLoader ??= new DataLoader(async (ids) => {
      const byId = new Map((await this.orders.findByIds(ids)).map((o) => [o.id, o]));
      return ids.map((id) => byId.get(id) ?? new Error(`Order ${id} not found`));
    });
    return this.orderLoader;
  }

  get orderEvents(): DataLoader<string, OrderEvent[]> {
    this.eventsLoader ??= new DataLoader(async (ids) => {
      const byOrder = new Map<string, OrderEvent[]>();
      for (const event of await this.orders.eventsFor(ids)) {
        const list = byOrder.get(event.orderId) ?? [];
        list.push(event);
        byOrder.set(event.orderId, list);
      }
      return ids.map((id) => byOrder.get(id) ?? []);
    });
    return this.eventsLoader;
  }
}

export function createLoaders(services: { orders: OrderStore; voice: VoiceOtpService }): Loaders {
  return new RequestLoaders(services.orders, services.voice);
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
