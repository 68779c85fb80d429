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
  close(): void;
}

/**
 * Live updates cross instances through Redis when it is configured, and stay in memory otherwise.
 * They are best effort: a sale never fails because Redis is down.
 */
export function createLiveUpdates(redisUrl: string | null, logger: Logger): LiveUpdates {
  // No offline queue: while Redis is down a command fails at once instead of piling up, so
  // readiness answers quickly and honestly.
  const redis = redisUrl
    ? new Redis(redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2_000,
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
  const pubsub: GatewayPubSub = createPubSub(
    publisher && subscriber
      ? {
          eventTarget: createRedisEventTarget({
            publishClient: publisher as unknown as Redis,
            subscribeClient: subscriber,
          }),
        }
      : {},
  );

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
    close() {
      subscriber?.disconnect();
      redis?.disconnect();
    },
  };
}
