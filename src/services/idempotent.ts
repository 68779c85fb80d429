import { createHash, createHmac, randomUUID } from 'node:crypto';
import {
  DatabaseUnavailable,
  deserializeError,
  type ErrorName,
  GatewayError,
  IdempotencyKeyReused,
  InvalidInput,
  RequestInProgress,
  serializeError,
} from '../domain/errors.js';
import { message } from '../domain/messages/index.js';
import type { IdempotencyScope, IdempotencyStore, StoredResult } from '../store/idempotency.js';

/** The errors every idempotent mutation can answer, whatever it does. */
export const IDEMPOTENT_ERRORS = [
  'InvalidInput',
  'IdempotencyKeyReused',
  'RequestInProgress',
] as const satisfies readonly ErrorName[];

const KEY = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Checks a client's idempotency key; a malformed one is `InvalidInput` on `idempotencyKey`. A
 * request without one (as from GraphiQL) gets a fresh key of its own, as at Stripe: it still runs
 * once and is recorded, but a repeat is a new request. Apps send theirs to retry safely.
 */
export function readKey(key: string | null | undefined): string {
  if (key === null || key === undefined) return `gateway:${randomUUID()}`;
  if (!KEY.test(key)) {
    throw new InvalidInput(message('InvalidInput.idempotencyKey'), 'idempotencyKey');
  }
  return key;
}

/** How a result is kept with its key and brought back for a replay. */
export interface ResultCodec<T> {
  /** A small JSON-safe reference to the result (an id), stored with the key. */
  save(result: T): Record<string, string>;
  /** Loads the result again for a replay. */
  load(saved: Record<string, string>): Promise<T>;
  /**
   * What a retry answers when the process running the first request stopped after it changed
   * something (`saved` is what `touch` recorded): the thing's state now, or the error it means.
   */
  interrupted(saved: Record<string, string>): Promise<T>;
}

export interface IdempotentRunnerOptions {
  store: IdempotencyStore;
  /** Keys the request fingerprints, so a stored fingerprint reveals nothing (an OTP has 10^6 values). */
  secret: string;
  /** How long a duplicate request waits for the first one's result before giving up. */
  duplicateWaitMs: number;
}

/**
 * Called by the work once it has changed something (an order row) and before it calls the vendor:
 * from then on the key is not freed on a refusal, and if the process dies, a retry answers from
 * what `made` refers to.
 */
export type Touch<T> = (made: T) => Promise<void>;

/**
 * Runs a money-moving request once per (client, operation, key). A repeat replays the stored
 * result; a concurrent duplicate waits for it. Refusals that changed nothing (`touch` not called)
 * free the key again, so the client may retry with it once the reason is gone. A claim whose
 * process died is settled by the sweeper, or by the first retry that finds it (`IdempotencyStore`).
 */
export class IdempotentRunner {
  constructor(private readonly opts: IdempotentRunnerOptions) {}

  /** A keyed fingerprint of the request's meaningful fields. */
  fingerprint(request: unknown): string {
    return `hmac:${createHmac('sha256', this.opts.secret).update(JSON.stringify(request)).digest('hex')}`;
  }

  async run<T>(
    scope: IdempotencyScope,
    request: unknown,
    codec: ResultCodec<T>,
    work: (touch: Touch<T>) => Promise<T>,
  ): Promise<T> {
    const store = this.opts.store;
    // Keys claimed before fingerprints were keyed hold a bare SHA-256; they still replay.
    const legacy = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    const claim = await store.claim(scope, this.fingerprint(request), legacy);
    if (claim.kind === 'mismatch') {
      throw new IdempotencyKeyReused(message('IdempotencyKeyReused.differentRequest'));
    }
    if (claim.kind === 'replay') return this.replay(claim.result, codec);
    if (claim.kind === 'in-progress') return this.replay(await this.waitFor(scope), codec);

    let touched = false;
    try {
      const result = await work(async (made) => {
        touched = true;
        await store.progress(scope, codec.save(made));
      });
      await store.complete(scope, { ok: codec.save(result) });
      return result;
    } catch (err) {
      // A database outage is no answer to the request: it stays claimed, and the sweeper or a
      // retry settles it from what the ledger says.
      if (err instanceof GatewayError && touched && !(err instanceof DatabaseUnavailable)) {
        await store.complete(scope, { error: serializeError(err) });
      } else if (!touched) {
        await store.release(scope);
      }
      // An unexpected failure after a vendor call keeps the key claimed: the ledger says what
      // is known, and a retry must not call the vendor a second time.
      throw err;
    }
  }

  private async waitFor(scope: IdempotencyScope): Promise<StoredResult> {
    const deadline = Date.now() + this.opts.duplicateWaitMs;
    for (let delay = 20; Date.now() < deadline; delay = Math.min(delay * 2, 250)) {
      const result = await this.opts.store.result(scope);
      if (result) return result;
      await new Promise((r) => setTimeout(r, delay));
    }
    const result = await this.opts.store.result(scope);
    if (result) return result;
    const retryAfter = await this.opts.store.retryAfterSeconds(scope);
    if (retryAfter === null) {
      // Released between our last look and now (the first request was refused): run it anew.
      throw new RequestInProgress(message('RequestInProgress.refusedMeanwhile'), 1);
    }
    throw new RequestInProgress(
      message('RequestInProgress.running', { retryAfterSeconds: retryAfter }),
      retryAfter,
    );
  }

  private async replay<T>(result: StoredResult, codec: ResultCodec<T>): Promise<T> {
    if ('error' in result) throw deserializeError(result.error);
    if ('interrupted' in result) return codec.interrupted(result.interrupted);
    return codec.load(result.ok);
  }
}
