import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { isFollowable, type VoiceCall } from '../domain/voice.js';

/**
 * Who may poll a call. Per process here (a set of keys); a Redis lease (issue 13) replaces it so
 * that one instance polls a call however many instances have listeners.
 */
export interface PollLease {
  /** True when the caller now holds the call's lease (nobody else polls it). */
  acquire(callId: string): Promise<boolean>;
  release(callId: string): Promise<void>;
}

export class LocalPollLease implements PollLease {
  private readonly held = new Set<string>();

  async acquire(callId: string): Promise<boolean> {
    if (this.held.has(callId)) return false;
    this.held.add(callId);
    return true;
  }

  async release(callId: string): Promise<void> {
    this.held.delete(callId);
  }
}

/**
 * One poller per call across instances: the lease is a Redis key (`SET NX PX`) that its holder
 * renews while it polls and deletes when it stops; a holder that dies loses it when the key
 * expires, and another instance with listeners takes over. While Redis is unreachable each
 * instance falls back to its own lease (it polls its own listeners' calls): updates still flow.
 */
export class RedisPollLease implements PollLease {
  private readonly owner = randomUUID();
  private readonly local = new LocalPollLease();
  private readonly renewals = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly ttlMs = 30_000,
  ) {}

  private key(callId: string) {
    return `gw:voice-call-poll:${callId}`;
  }

  async acquire(callId: string): Promise<boolean> {
    let taken: boolean;
    try {
      taken = (await this.redis.set(this.key(callId), this.owner, 'PX', this.ttlMs, 'NX')) === 'OK';
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message },
        'poll lease: Redis unreachable, polling locally',
      );
      return this.local.acquire(callId);
    }
    if (!taken) return false;
    const renew = setInterval(() => {
      // Extends the lease only while this instance still holds it.
      this.redis
        .eval(
          "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end",
          1,
          this.key(callId),
          this.owner,
          String(this.ttlMs),
        )
        .catch(() => {});
    }, this.ttlMs / 3);
    renew.unref();
    this.renewals.set(callId, renew);
    return true;
  }

  async release(callId: string): Promise<void> {
    const renew = this.renewals.get(callId);
    if (renew) clearInterval(renew);
    this.renewals.delete(callId);
    await this.local.release(callId);
    await this.redis
      .eval(
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
        1,
        this.key(callId),
        this.owner,
      )
      .catch(() => {});
  }
}

export interface VoiceCallPollerOptions {
  lease: PollLease;
  /** Asks the vendor about the call, records and publishes any change; the call now. */
  refresh: (callId: string) => Promise<VoiceCall | null>;
  /** The first wait; each later one doubles, up to `maxMs`. */
  initialMs: number;
  maxMs: number;
  logger: Logger;
}

interface Poll {
  listeners: number;
  timer: NodeJS.Timeout | null;
  wake: (() => void) | null;
}

/**
 * Polls pending calls for `voiceCallUpdated`: one poller per call however many listen, with
 * backoff, until the call settles or its last listener leaves. The changes it finds reach the
 * listeners through the pubsub (the refresh publishes them), not through the poller.
 */
export class VoiceCallPoller {
  private readonly polls = new Map<string, Poll>();
  private closed = false;
  /** How many pollers were started (tests: two listeners, one poller). */
  started = 0;

  constructor(private readonly opts: VoiceCallPollerOptions) {}

  /** Counts one listener of the call; the returned function takes it away again. */
  follow(callId: string): () => void {
    let poll = this.polls.get(callId);
    if (!poll) {
      poll = { listeners: 0, timer: null, wake: null };
      this.polls.set(callId, poll);
      void this.run(callId, poll);
    }
    poll.listeners += 1;
    let left = false;
    const current = poll;
    return () => {
      if (left) return;
      left = true;
      current.listeners -= 1;
      if (current.listeners <= 0) this.stop(callId, current);
    };
  }

  /** Stops every poller (gateway shutdown). */
  close(): void {
    this.closed = true;
    for (const [id, poll] of this.polls) this.stop(id, poll);
  }

  private stop(callId: string, poll: Poll): void {
    if (this.polls.get(callId) === poll) this.polls.delete(callId);
    if (poll.timer) clearTimeout(poll.timer);
    poll.wake?.();
  }

  private async run(callId: string, poll: Poll): Promise<void> {
    const { lease, logger } = this.opts;
    // Another holder polls the call (another instance): its changes reach this instance's
    // listeners through the pubsub. Ask again now and then, to take over if it stops.
    while (!(await lease.acquire(callId))) {
      await new Promise<void>((resolve) => {
        poll.wake = resolve;
        poll.timer = setTimeout(resolve, this.opts.maxMs);
      });
      poll.wake = null;
      poll.timer = null;
      if (this.closed || this.polls.get(callId) !== poll) return;
    }
    this.started += 1;
    try {
      let delay = this.opts.initialMs;
      while (!this.closed && this.polls.get(callId) === poll) {
        await new Promise<void>((resolve) => {
          poll.wake = resolve;
          poll.timer = setTimeout(resolve, delay);
        });
        poll.wake = null;
        poll.timer = null;
        if (this.closed || this.polls.get(callId) !== poll) break;
        try {
          const call = await this.opts.refresh(callId);
          if (!call || !isFollowable(call)) break;
        } catch (err) {
          logger.warn({ err, voiceCallId: callId }, 'voice call poll failed; trying again later');
        }
        delay = Math.min(delay * 2, this.opts.maxMs);
      }
    } finally {
      if (this.polls.get(callId) === poll) this.polls.delete(callId);
      await lease.release(callId);
    }
  }
}
