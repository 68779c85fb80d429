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
    if (!(await lease.acquire(callId))) return;
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
