import { createPubSub } from 'graphql-yoga';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLiveUpdates, localEventTarget } from '../../src/server/live-updates.js';

describe('live updates in one process', () => {
  it('delivers an event once to each of many subscribers of one topic, and forgets them when they leave', async () => {
    const target = localEventTarget();
    const pubsub = createPubSub<{ t: [key: string, n: number] }>({
      eventTarget: target as never,
    });
    const streams = Array.from({ length: 5_000 }, () =>
      pubsub.subscribe('t', 'k')[Symbol.asyncIterator](),
    );
    const firsts = streams.map((s) => s.next());
    // Subscriptions register when their first value is asked for.
    await Promise.resolve();
    pubsub.publish('t', 'k', 7);
    const values = await Promise.all(firsts);
    expect(values.every((v) => v.value === 7 && !v.done)).toBe(true);
    expect(target.topicCount).toBe(1);
    await Promise.all(streams.map((s) => s.return?.()));
    expect(target.topicCount).toBe(0);
  });

  it('keeps topics apart, and a subscriber that leaves while an event is delivered does not break it', async () => {
    const target = localEventTarget();
    const got: string[] = [];
    const a = (e: Event) => {
      got.push(`a:${e.type}`);
      target.removeEventListener('x', a);
    };
    target.addEventListener('x', a);
    target.addEventListener('x', { handleEvent: (e: Event) => got.push(`b:${e.type}`) });
    target.addEventListener('y', (e: Event) => got.push(`c:${e.type}`));
    target.dispatchEvent(new Event('x'));
    target.dispatchEvent(new Event('x'));
    expect(got).toEqual(['a:x', 'b:x', 'b:x']);
  });

  it('is what the gateway uses without Redis', async () => {
    const live = createLiveUpdates(null, pino({ level: 'silent' }));
    const stream = live.pubsub.subscribe('voiceCallUpdated', 'c1')[Symbol.asyncIterator]();
    const next = stream.next();
    await Promise.resolve();
    live.publishVoiceCall({ id: 'c1' } as never);
    expect((await next).value).toEqual({ id: 'c1' });
    await stream.return?.();
    live.close();
  });
});
