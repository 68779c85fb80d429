import { describe, expect, it } from 'vitest';
import { SubscriberIds } from '../../src/domain/subscriber-id.js';

describe('SubscriberIds', () => {
  const ids = new SubscriberIds('a test secret of reasonable length');

  it('seals a number deterministically and opens it again', () => {
    const key = ids.seal('84936004420');
    expect(ids.seal('84936004420')).toBe(key);
    expect(ids.open(key)).toBe('84936004420');
    expect(ids.seal('84936004421')).not.toBe(key);
  });

  it('shows no digit run of the number in the key or its base64 decoding', () => {
    const key = ids.seal('84936004420');
    expect(key).not.toMatch(/936004420|6004420/);
    expect(Buffer.from(key, 'base64').toString('latin1')).not.toContain('936004420');
  });

  it('opens nothing it did not seal: tampered, truncated, or sealed under another secret', () => {
    const key = ids.seal('84936004420');
    const raw = Buffer.from(key, 'base64url');
    raw[14] = (raw[14] ?? 0) ^ 1;
    expect(ids.open(raw.toString('base64url'))).toBeNull();
    expect(ids.open(key.slice(0, 20))).toBeNull();
    expect(ids.open('not base64 !')).toBeNull();
    expect(new SubscriberIds('another secret entirely').open(key)).toBeNull();
  });
});
