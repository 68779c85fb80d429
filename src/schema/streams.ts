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
  shutdown.addEventListener('abort', end, { once: true });
  try {
    yield* first;
    for await (const update of updates) yield update;
  } finally {
    shutdown.removeEventListener('abort', end);
    await updates.return?.();
  }
}
