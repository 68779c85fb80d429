import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { takeEventId } from '../schema/streams.js';

type Result = ExecutionResult & { stringify?: (result: ExecutionResult) => string };

/**
 * Event ids on streams (README "Subscriptions"): each payload of a record's subscription carries
 * the id its resolver noted (`noteEventId`, src/schema/streams.ts) as `extensions.eventId`, over
 * SSE and WebSocket alike; over SSE it is also the event's `id:` field, which a reconnecting
 * EventSource sends back as `Last-Event-ID`.
 */
export function useStreamEventIds(): Plugin {
  return {
    onSubscribe() {
      return {
        onSubscribeResult() {
          return {
            onNext({ args, result, setResult }) {
              const id = takeEventId(args.contextValue as object);
              if (id === undefined) return;
              setResult({ ...result, extensions: { ...result.extensions, eventId: id } });
            },
          };
        },
      };
    },
    // Yoga's SSE processor writes `event: next` and `data: <stringify(result)>`: a result that
    // stringifies to its JSON followed by an `id:` line becomes an event with that id. JSON has
    // no raw newline, so the data line stays one line. Not for multipart, which frames JSON.
    onResultProcess({ result, setResult, acceptableMediaTypes }) {
      if (!isAsyncIterable(result)) return;
      if (!acceptableMediaTypes.includes('text/event-stream')) return;
      if (acceptableMediaTypes.includes('multipart/mixed')) return;
      setResult(withSseIds(result as AsyncIterable<Result>));
    },
  };
}

/**
 * Not an async generator: a generator waiting on the next result takes `return()` only after
 * that result arrives, so a client leaving a quiet stream would not end it (nor free its slot).
 * This iterator hands `return()` straight to the stream's.
 */
function withSseIds(results: AsyncIterable<Result>): AsyncIterableIterator<Result> {
  const inner = results[Symbol.asyncIterator]();
  const withId = (result: Result): Result => {
    const id = result.extensions?.eventId;
    if (typeof id !== 'string' || !/^\d+$/.test(id)) return result;
    return { ...result, stringify: (r) => `${JSON.stringify(r)}\nid: ${id}` };
  };
  return {
    async next() {
      const step = await inner.next();
      return step.done ? step : { done: false, value: withId(step.value) };
    },
    async return(value?: unknown) {
      return (await inner.return?.(value)) ?? { done: true, value: undefined };
    },
    async throw(err?: unknown) {
      if (inner.throw) return inner.throw(err);
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
