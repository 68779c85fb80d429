import { randomUUID } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { message } from '../domain/messages/index.js';
import { refusal } from './edge/refusal.js';

/** Gives back a slot; calling it again does nothing. */
export type Release = () => void;

/**
 * `CLIENT_MAX_SUBSCRIPTIONS`: the open subscriptions (SSE and WebSocket) a client may hold. A slot
 * is taken when a subscription opens and given back however it ends.
 */
export interface SubscriptionSlots {
  readonly limit: number;
  /** A slot for the client, or null when it already holds `limit`. */
  acquire(clientId: string): Promise<Release | null>;
  /** Gives back every slot this instance holds (shutdown). */
  close(): Promise<void>;
}

export function tooManySubscriptions(limit: number): GraphQLError {
  return refusal(message('TOO_MANY_SUBSCRIPTIONS.limit', { limit }), 429, { limit });
}

function once(fn: () => void): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

/** Slots counted in this process: one instance, or Redis unreachable. */
export class MemorySlots implements SubscriptionSlots {
  private readonly held = new Map<string, number>();

  constructor(readonly limit: number) {}

  async acquire(clientId: string): Promise<Release | null> {
    const n = this.held.get(clientId) ?? 0;
    if (n >= this.limit) return null;
    this.held.set(clientId, n + 1);
    return once(() => {
      const left = (this.held.get(clientId) ?? 1) - 1;
      if (left > 0) this.held.set(clientId, left);
      else this.held.delete(clientId);
    });
  }

  async close(): Promise<void> {
    this.held.clear();
  }
}

/**
 * Takes a slot when fewer than `limit` unexpired leases are held, in one step (Redis's clock, so
 * instances with skewed clocks agree). A lease is a member of the client's sorted set scored by
 * its expiry.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** Pushes the expiry of this instance's leases of one client (only those still present). */
const REFRESH = `
local t = redis.call('TIME')
local until_ = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', until_, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

export interface RedisSlotsOptions {
  redis: Redis;
  limit: number;
  logger: Logger;
  /** How long a lease outlives its instance's last refresh (a crashed instance's slots free). */
  leaseMs?: number;
}

/**
 * Slots shared by every instance through Redis: each open subscription is a lease that its
 * instance refreshes every third of `leaseMs`, so the slots of an instance that crashed free
 * themselves. While Redis is unreachable, slots are counted in memory, per instance.
 */
export class RedisSlots implements SubscriptionSlots {
  readonly limit: number;
  private readonly redis: Redis;
  private readonly logger: Logger;
  private readonly leaseMs: number;
  private readonly fallback: MemorySlots;
  private readonly instance = randomUUID();
  private sequence = 0;
  /** This instance's leases: member → Redis key. */
  private readonly held = new Map<string, string>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly refresher: NodeJS.Timeout;

  constructor(options: RedisSlotsOptions) {
    this.redis = options.redis;
    this.limit = options.limit;
    this.logger = options.logger;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.fallback = new MemorySlots(options.limit);
    this.refresher = setInterval(() => void this.refresh(), Math.ceil(this.leaseMs / 3));
    this.refresher.unref();
  }

  async acquire(clientId: string): Promise<Release | null> {
    const key = `gw:subscriptions:${clientId}`;
    const member = `${this.instance}:${++this.sequence}`;
    let taken: unknown;
    try {
      taken = await this.redis.eval(ACQUIRE, 1, key, this.limit, this.leaseMs, member);
    } catch (err) {
      this.logger.warn({ err }, 'subscription slots counted in memory: Redis unreachable');
      return this.fallback.acquire(clientId);
    }
    if (taken !== 1) return null;
    this.held.set(member, key);
    return once(() => {
      this.held.delete(member);
      this.track(this.redis.zrem(key, member));
    });
  }

  async close(): Promise<void> {
    clearInterval(this.refresher);
    for (const [member, key] of this.held) this.track(this.redis.zrem(key, member));
    this.held.clear();
    await Promise.all(this.pending);
    await this.fallback.close();
  }

  private track(command: Promise<unknown>): void {
    const done = command.catch((err) => {
      // Not given back now: the lease expires within leaseMs.
      this.logger.warn({ err }, 'subscription slot not released in Redis');
    });
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  private async refresh(): Promise<void> {
    const byKey = new Map<string, string[]>();
    for (const [member, key] of this.held) byKey.set(key, [...(byKey.get(key) ?? []), member]);
    await Promise.all(
      [...byKey].map(([key, members]) =>
        this.redis.eval(REFRESH, 1, key, this.leaseMs, ...members).catch((err) => {
          this.logger.warn({ err }, 'subscription leases not refreshed: Redis unreachable');
        }),
      ),
    );
  }
}
