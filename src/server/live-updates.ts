import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { GatewayPubSub } from '../context.js';
import type { Order } from '../domain/order.js';
import type { VasSubscriptionState } from '../domain/vas.js';
import type { VoiceCall } from '../domain/voice.js';

export interface LiveUpdates {
  pubsub: GatewayPubSub;
  /** The command connection when `REDIS_URL` is set, for readiness checks. */
  redis: Redis | null;
  /** Tells every subscriber of the order (by order code and by partner transaction id). */
  publishOrder(order: Order): void;
  /** Tells every subscriber of the phone's VAS packages. */
  publishVas(state: VasSubscriptionState): void;
  /** Tells every subscriber of the voice call (by its id). */
  publishVoiceCall(call: VoiceCall): void;
  /**
   * Resolves once the Redis connection is ready (true), or false when it is not within its
   * connect timeout (the instance then serves degraded, as when Redis goes down later). Without
   * the wait, the first requests after a start would fail fast on a connection still opening
   * and count shared limits and subscription slots in this process only.
   */
  connected(): Promise<boolean>;
  close(): void;
}

/**
 * Live updates cross instances through Redis when it is configured, and stay in memory otherwise.
 * They are best effort: a sale never fails because Redis is down.
 */
const CONNECT_TIMEOUT_MS = 2_000;

type PubSubConfig = NonNullable<Parameters<typeof createPubSub>[0]>;
type Listener = (event: Event) => void;

/**
 * The in-process event target of live updates: listeners kept per topic in a `Set`. Yoga's default,
 * a DOM `EventTarget`, walks a topic's whole listener list on every add to refuse duplicates, so
 * N subscribers of one topic cost O(N²) to open (measured: 0.6 s of a 5,000-socket burst's main
 * thread). Adding, removing and delivering here cost what one listener does.
 */
export function localEventTarget() {
  const topics = new Map<string, Set<Listener>>();
  const fn = (l: Listener | { handleEvent: Listener }) => ('handleEvent' in l ? l.handleEvent : l);
  return {
    addEventListener(topic: string, listener: Listener | { handleEvent: Listener } | null) {
      if (!listener) return;
      const listeners = topics.get(topic) ?? new Set<Listener>();
      topics.set(topic, listeners);
      listeners.add(fn(listener));
    },
    removeEventListener(topic: string, listener: Listener | { handleEvent: Listener } | null) {
      if (!listener) return;
      const listeners = topics.get(topic);
      listeners?.delete(fn(listener));
      if (listeners?.size === 0) topics.delete(topic);
    },
    dispatchEvent(event: Event): boolean {
      // A copy: a listener may unsubscribe (or another subscribe) while the event is delivered.
      for (const listener of [...(topics.get(event.type) ?? [])]) listener(event);
      return true;
    },
    /** How many topics have listeners (for tests). */
    get topicCount() {
      return topics.size;
    },
  };
}

export function createLiveUpdates(redisUrl: string | null, logger: Logger): LiveUpdates {
  // No offline queue: while Redis is down a command fails at once instead of piling up, so
  // readiness answers quickly and honestly.
  const redis = redisUrl
    ? new Redis(redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: CONNECT_TIMEOUT_MS,
      })
    : null;
  redis?.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis connection error'));

  // The event target drops the promises of publish and subscribe, so a failed publish is caught
  // here (an unhandled rejection would stop the process mid-sale), and the subscribing
  // connection queues its commands until Redis is back.
  const subscriber =
    redis?.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null }) ?? null;
  subscriber?.on('error', () => {});
  const publisher = redis && {
    publish: (channel: string, message: string) =>
      redis.publish(channel, message).catch((err: Error) => {
        logger.warn({ err: err.message }, 'live update not published: Redis unreachable');
        return 0;
      }),
  };
  // The event target drops the promises of subscribe and unsubscribe too: one still queued when
  // the connection closes (a stop, or Redis gone) rejects, and is caught here.
  const subscribing = subscriber && {
    on: subscriber.on.bind(subscriber),
    subscribe: (topic: string) =>
      subscriber.subscribe(topic).catch((err: Error) => {
        logger.debug({ err: err.message }, 'live updates: subscribe not sent');
        return 0;
      }),
    unsubscribe: (topic: string) =>
      subscriber.unsubscribe(topic).catch((err: Error) => {
        logger.debug({ err: err.message }, 'live updates: unsubscribe not sent');
        return 0;
      }),
  };
  const pubsub: GatewayPubSub = createPubSub({
    eventTarget: (publisher && subscribing
      ? createRedisEventTarget({
          publishClient: publisher as unknown as Redis,
          subscribeClient: subscribing as unknown as Redis,
        })
      : localEventTarget()) as unknown as NonNullable<PubSubConfig['eventTarget']>,
  });

  return {
    pubsub,
    redis,
    publishOrder(order) {
      for (const key of [order.orderCode, order.partnerTransId]) {
        if (key) pubsub.publish('orderUpdated', key, order);
      }
    },
    publishVas(state) {
      pubsub.publish('vasSubscriptionChanged', state.phone, state);
    },
    publishVoiceCall(call) {
      pubsub.publish('voiceCallUpdated', call.id, call);
    },
    connected() {
      if (!redis) return Promise.resolve(false);
      if (redis.status === 'ready') return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(timer);
          redis.off('ready', onReady);
          resolve(ok);
        };
        const onReady = () => done(true);
        const timer = setTimeout(() => done(false), CONNECT_TIMEOUT_MS);
        timer.unref();
        redis.on('ready', onReady);
      });
    },
    close() {
      subscriber?.disconnect();
      redis?.disconnect();
    },
  };
}
