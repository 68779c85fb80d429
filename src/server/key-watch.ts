import type { Logger } from 'pino';
import { type Authenticate, isUnauthenticated } from './auth.js';

export interface KeyWatchOptions {
  authenticate: Authenticate;
  /** `API_KEY_CACHE_MS`: a revoked key's streams end within this (every second when it is 0). */
  intervalMs: number;
  logger: Logger;
}

/**
 * Open streams hold their API key for as long as they run, past the authenticator's cache. The
 * watch re-checks the key of every open stream (SSE operations, WebSocket operations and
 * connections) every `API_KEY_CACHE_MS`, reading the key store itself, so a key revoked or a
 * client disabled on any instance ends its streams on every instance within that time.
 */
export class KeyWatch {
  /** End callbacks by `Authorization` header value. */
  private readonly open = new Map<string, Set<() => void>>();
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: KeyWatchOptions) {
    this.intervalMs = options.intervalMs > 0 ? options.intervalMs : 1_000;
  }

  /**
   * Calls `end` once when `authorization`'s key is found revoked or its client disabled. Returns
   * the function that stops watching (the stream ended by another path).
   */
  watch(authorization: string, end: () => void): () => void {
    let ends = this.open.get(authorization);
    if (!ends) {
      ends = new Set();
      this.open.set(authorization, ends);
    }
    ends.add(end);
    this.schedule();
    const watched = ends;
    return () => {
      watched.delete(end);
      if (watched.size === 0 && this.open.get(authorization) === watched) {
        this.open.delete(authorization);
      }
    };
  }

  /** Re-checks every watched key now; runs every interval while any stream is open. */
  async recheck(): Promise<void> {
    await Promise.all(
      [...this.open.keys()].map(async (authorization) => {
        try {
          await this.options.authenticate(new Headers({ authorization }), { fresh: true });
        } catch (err) {
          if (!isUnauthenticated(err)) {
            // The key store is unreachable: the streams keep running until it answers again.
            this.options.logger.warn({ err }, 'open streams: API keys not re-checked');
            return;
          }
          const ends = this.open.get(authorization);
          this.open.delete(authorization);
          for (const end of ends ?? []) end();
        }
      }),
    );
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(async () => {
      await this.recheck();
      this.timer = null;
      if (this.open.size > 0) this.schedule();
    }, this.intervalMs);
    this.timer.unref();
  }
}
