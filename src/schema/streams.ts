import { InvalidInput } from '../domain/errors.js';
import { message } from '../domain/messages/index.js';

/**
 * A subscription's stream: the `first` values (the state now), then every update, until the
 * client leaves or the gateway shuts down. On shutdown the stream completes, so the server can
 * drain instead of cutting it; however it ends, the updates' subscription is closed.
 */
export async function* untilShutdown<T>(
  updates: AsyncIterableIterator<T>,
  shutdown: AbortSignal,
  first: readonly T[] = [],
): AsyncGenerator<T> {
  if (shutdown.aborted) {
    await updates.return?.();
    return;
  }
  const end = () => void updates.return?.();
  const enders = endersOf(shutdown);
  enders.add(end);
  try {
    yield* first;
    for await (const update of updates) yield update;
  } finally {
    enders.delete(end);
    await updates.return?.();
  }
}

/**
 * The streams to end when a signal aborts, behind one listener per signal. An `AbortSignal`
 * listener per stream costs more with each stream added (5,000 streams opened at once spent 1.6 s
 * in `addEventListener`, bench/RESULTS.md "Subscription burst"); a Set costs the same for every one.
 */
const endersBySignal = new WeakMap<AbortSignal, Set<() => void>>();
function endersOf(signal: AbortSignal): Set<() => void> {
  let enders = endersBySignal.get(signal);
  if (!enders) {
    const set = new Set<() => void>();
    enders = set;
    endersBySignal.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        for (const end of set) end();
        set.clear();
      },
      { once: true },
    );
  }
  return enders;
}

/** A ledger record as streamed: its `version` grows by one with each of its events. */
export interface Versioned {
  version: number;
}

/**
 * A record's stream, resumable (README "Subscriptions"): the record now, unless the client has
 * seen it (`after`: the event id it last received), then each later change once, in order, until
 * a final state, which is sent and then the stream completes. The caller subscribes to updates
 * before reading the record, so nothing between the two is missed; a change seen twice (the
 * read and the update crossing) is sent once.
 */
export async function* recordStream<T extends Versioned>(
  updates: AsyncIterableIterator<T>,
  shutdown: AbortSignal,
  current: T,
  options: { after: number | null; isFinal: (record: T) => boolean },
): AsyncGenerator<T> {
  let sent = options.after ?? 0;
  const first = current.version > sent ? [current] : [];
  if (first.length === 0 && options.isFinal(current)) {
    // Everything up to the final state was received before: nothing more will come.
    await updates.return?.();
    return;
  }
  for await (const record of untilShutdown(updates, shutdown, first)) {
    if (record.version <= sent) continue;
    sent = record.version;
    yield record;
    if (options.isFinal(record)) return;
  }
}

/** A record version as the event id clients see (SSE `id:`, `extensions.eventId`, `after:`). */
export const eventId = (record: Versioned) => String(record.version);

/**
 * The event id a client resumes after: the `after` argument, else the SSE `Last-Event-ID` header
 * a reconnecting EventSource sends. Null when neither is given; INVALID_INPUT when malformed.
 */
export function resumeAfter(after: string | null | undefined, request?: Request): number | null {
  const raw = after ?? request?.headers.get('last-event-id') ?? null;
  if (raw === null || raw.trim() === '') return null;
  if (!/^\d{1,9}$/.test(raw.trim())) {
    throw new InvalidInput(message('InvalidInput.eventId'), 'after');
  }
  return Number(raw.trim());
}

const lastEventIds = new WeakMap<object, string>();

/** Notes the event id of the payload being resolved, for the stream's result (`eventIdOf`). */
export function noteEventId(context: object, record: Versioned): void {
  lastEventIds.set(context, eventId(record));
}

/** The event id noted while resolving a subscription's latest payload, if any. */
export function takeEventId(context: object): string | undefined {
  const id = lastEventIds.get(context);
  lastEventIds.delete(context);
  return id;
}
