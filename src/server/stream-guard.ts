import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { unauthenticated } from './auth.js';
import type { KeyWatch } from './key-watch.js';
import { type SubscriptionSlots, tooManySubscriptions } from './subscription-slots.js';

export interface StreamGuardOptions {
  keys: KeyWatch;
  slots: SubscriptionSlots;
}

/** Why a stream was ended from outside. */
const REVOKED = 'revoked';

/**
 * Every subscription, over SSE or WebSocket (both run through the envelop's `subscribe`), is
 * guarded while it is open: an authenticated client holds one of its `CLIENT_MAX_SUBSCRIPTIONS`
 * slots (the next is refused with TOO_MANY_SUBSCRIPTIONS, HTTP 429), and the key watch ends the
 * stream with one last UNAUTHENTICATED error once its key is revoked or its client disabled. The
 * slot is given back however the stream ends: completion, the client leaving, revocation, an
 * error, shutdown.
 *
 * The stream's `ctx.shutdown` is aborted too when it ends from outside, so its resolver's
 * `untilShutdown` closes the pubsub subscription behind it at once.
 */
export function useStreamGuard(options: StreamGuardOptions): Plugin<Context> {
  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn(async (args) => {
        const ctx = args.contextValue as Context & { request?: Request };
        const { caller } = ctx;
        let release: () => void = () => {};
        if (caller.authenticated) {
          const slot = await options.slots.acquire(caller.clientId);
          if (!slot) return { errors: [tooManySubscriptions(options.slots.limit)] };
          release = slot;
        }
        const ending = new AbortController();
        ctx.shutdown = AbortSignal.any([ctx.shutdown, ending.signal]);
        const authorization = caller.authenticated
          ? ctx.request?.headers.get('authorization')
          : null;
        const unwatch = authorization
          ? options.keys.watch(authorization, () => ending.abort(REVOKED))
          : () => {};
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          unwatch();
          release();
          if (!ending.signal.aborted) ending.abort();
        };
        let result: Awaited<ReturnType<typeof subscribeFn>>;
        try {
          result = await subscribeFn(args);
        } catch (err) {
          end();
          throw err;
        }
        if (!isAsyncIterable(result)) {
          end();
          return result;
        }
        return endable(result as AsyncIterable<ExecutionResult>, ending.signal, end);
      });
    },
  };
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The stream, ended from outside when `ending` aborts with REVOKED: the pending `next` answers at
 * once with the UNAUTHENTICATED error, then the stream is done, whether or not the source has
 * noticed. A plain iterator rather than an async generator, so that `return()` (the client
 * leaving) takes effect at once instead of waiting for the source's next value.
 */
function endable(
  source: AsyncIterable<ExecutionResult>,
  ending: AbortSignal,
  end: () => void,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  const ended = new Promise<'ended'>((resolve) => {
    if (ending.aborted) resolve('ended');
    else ending.addEventListener('abort', () => resolve('ended'), { once: true });
  });
  const finish = () => {
    done = true;
    end();
    // Not awaited: a source that is an async generator answers only after its pending value.
    iterator.return?.().catch(() => {});
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (done) return DONE;
      let next: IteratorResult<ExecutionResult> | 'ended';
      try {
        next = await Promise.race([iterator.next(), ended]);
      } catch (err) {
        finish();
        throw err;
      }
      if (done) return DONE;
      if (ending.reason === REVOKED) {
        finish();
        return { done: false, value: { errors: [unauthenticated()] } };
      }
      if (next === 'ended' || next.done) {
        finish();
        return DONE;
      }
      return next;
    },
    async return() {
      if (!done) finish();
      return DONE;
    },
  };
}
