import type { Logger } from 'pino';
import type { Order } from '../domain/order.js';
import type { VoiceCall } from '../domain/voice.js';
import type { VasService } from '../services/vas.js';
import type { IdempotencyStore } from '../store/idempotency.js';
import type { OAPackageStore } from '../store/oa-packages.js';
import type { OrderStore } from '../store/orders.js';
import type { VoiceStore } from '../store/voice.js';

export interface SweeperOptions {
  orders: OrderStore;
  /** Voice calls recorded but never answered by postSMS are settled as UNKNOWN too. */
  voice?: VoiceStore;
  onVoiceCallChange?: (call: VoiceCall) => void;
  idempotency: IdempotencyStore;
  /** Zalo OA package purchases: those cut short mid-call become UNKNOWN like orders. */
  oaPackages?: OAPackageStore;
  /**
   * The longest any vendor call can take (the slowest vendor's timeout). Orders still waiting
   * on a vendor after this plus a margin were cut short by a stop, and are settled as UNKNOWN.
   */
  slowestCallMs: number;
  otpValiditySeconds: number;
  /** Margin past the slowest vendor call before a request in flight is taken for abandoned. */
  graceMs: number;
  /** Told of every order the sweep changed (live updates). */
  onChange: (order: Order) => void;
  logger: Logger;
  intervalMs?: number;
  /** Settles VAS transactions in doubt from CheckServiceInfo (with backoff). */
  vas?: Pick<VasService, 'sweep'>;
}

export interface Sweeper {
  /** Settles stale orders and purges expired keys now. */
  sweep(): Promise<void>;
  stop(): void;
}

/** Starts the periodic sweep (every 30 s by default); the first sweep is the caller's. */
export function startSweeper(options: SweeperOptions): Sweeper {
  const { orders, idempotency, logger } = options;
  const sweep = async () => {
    const changed = await orders.sweep({
      staleAfterMs: options.slowestCallMs + options.graceMs,
      validitySeconds: options.otpValiditySeconds,
    });
    for (const order of changed) options.onChange(order);
    const purchases =
      (await options.oaPackages?.sweep({
        staleAfterMs: options.slowestCallMs + options.graceMs,
      })) ?? [];
    if (purchases.length > 0) {
      logger.info({ count: purchases.length }, 'settled OA package purchases cut short');
    }
    const calls = (await options.voice?.sweepCalls(options.slowestCallMs + options.graceMs)) ?? [];
    for (const call of calls) options.onVoiceCallChange?.(call);
    if (calls.length > 0) logger.info({ count: calls.length }, 'settled stale voice calls');
    // After the orders: a claim whose process died answers from its order's settled state.
    const released = await idempotency.settleAbandoned();
    if (released > 0) logger.info({ count: released }, 'settled abandoned idempotency claims');
    if (options.vas) {
      const settled = await options.vas.sweep(options.slowestCallMs + options.graceMs);
      if (settled.length > 0) logger.info({ count: settled.length }, 'settled VAS transactions');
    }
    await idempotency.purgeExpired();
    if (changed.length > 0) logger.info({ count: changed.length }, 'settled stale orders');
  };
  const timer = setInterval(() => {
    sweep().catch((err: unknown) => logger.error({ err }, 'order sweep failed'));
  }, options.intervalMs ?? 30_000);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
