import type { Redis } from 'ioredis';
import {
  type IRateLimiterOptions,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { OtpRateLimited } from '../domain/errors.js';
import { message } from '../domain/messages/index.js';
import { MINUTE_MS } from '../domain/windows.js';

/**
 * `OTP_LIMIT_PER_CLIENT_MINUTE`: OTP requests per client per minute, counted by a shared limiter
 * (Redis across instances when `REDIS_URL` is set, in memory while it is unreachable or unset)
 * rather than by reading the client's last minute of orders inside the order's write
 * transaction, which serialised a busy client's sales. A request that did not become a vendor
 * call (refused by the gateway, an open order, a phone limit) gives its point back.
 */
export class OtpClientLimiter {
  private readonly limiter: RateLimiterMemory | RateLimiterRedis;

  constructor(
    private readonly perMinute: number,
    redis?: Redis | null,
  ) {
    const base: IRateLimiterOptions = {
      keyPrefix: 'gw:otp:client',
      points: perMinute,
      duration: 60,
    };
    this.limiter = redis
      ? new RateLimiterRedis({
          ...base,
          storeClient: redis,
          insuranceLimiter: new RateLimiterMemory(base),
        })
      : new RateLimiterMemory(base);
  }

  /** Takes one request from the client's minute; the limit error when there is none left. */
  async take(clientId: string): Promise<OtpRateLimited | null> {
    try {
      await this.limiter.consume(clientId, 1);
      return null;
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const retryAfterSeconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      return new OtpRateLimited(
        message('OtpRateLimited.CLIENT_PER_MINUTE', {
          max: this.perMinute,
          windowMs: MINUTE_MS,
          retryAfterSeconds,
        }),
        retryAfterSeconds,
        'CLIENT_PER_MINUTE',
      );
    }
  }

  /** Gives back a request that did not count. */
  async giveBack(clientId: string): Promise<void> {
    await this.limiter.reward(clientId, 1).catch(() => {});
  }
}
