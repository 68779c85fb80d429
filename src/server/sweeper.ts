import type { Logger } from 'pino';
import type { LedgerSweep } from '../services/ledger-sweep.js';
import type { IdempotencyStore } from '../store/idempotency.js';

export interface SweeperOptions {
  /** Every ledger's sweep, in the order they run (the features list them in src/gateway.ts). */
  ledgers: readonly LedgerSweep[];
  idempotency: IdempotencyStore;
  /**
   * The longest any vendor call can take (the slowest vendor's timeout). Records still waiting
   * on a vendor after this plus a margin were cut short by a stop, and are settled as UNKNOWN.
   */
  slowestCallMs: number;
  /** Margin past the slowest vendor call before a request in flight is taken for abandoned. */
  graceMs: number;
  logger: Logger;
  intervalMs?: number;
}

export interface Sweeper {
  /** Settles every ledger's stale records and purges expired keys now. */
  sweep(): Promise<void>;
  stop(): void;
}

/** Starts the periodic sweep (every 30 s by default); the first sweep is the caller's. */
export function startSweeper(options: SweeperOptions): Sweeper {
  const { idempotency, logger } = options;
  const staleAfterMs = options.slowestCallMs + options.graceMs;
  const sweep = async () => {
    for (const ledger of options.ledgers) {
      const changed = await ledger.sweep(staleAfterMs);
      if (changed > 0) logger.info({ count: changed }, `settled ${ledger.sweeps}`);
    }
    // After the ledgers: a claim whose process died answers from its record's settled state.
    const released = await idempotency.settleAbandoned();
    if (released > 0) logger.info({ count: released }, 'settled abandoned idempotency claims');
    await idempotency.purgeExpired();
  };
  const timer = setInterval(() => {
    sweep().catch((err: unknown) => logger.error({ err }, 'sweep failed'));
  }, options.intervalMs ?? 30_000);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
