import type { Redis } from 'ioredis';

/**
 * A short-lived value every instance sees (the voice balance): Redis when `REDIS_URL` is set. A
 * cache, never a source of truth: an unreachable Redis reads as a miss and a write is dropped.
 */
export interface SharedCache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
}

export class RedisSharedCache implements SharedCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'gw:cache:',
  ) {}

  async get(key: string): Promise<string | null> {
    try {
      return await this.redis.get(this.prefix + key);
    } catch {
      return null;
    }
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    await this.redis.set(this.prefix + key, value, 'PX', ttlMs).catch(() => {});
  }
}
