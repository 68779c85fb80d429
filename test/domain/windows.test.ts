import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS, secondsUntilRoom } from '../../src/domain/windows.js';

const now = new Date('2026-12-01T00:00:00.000Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);

describe('sliding windows', () => {
  it('waits for the max-th newest event in the window to leave it', () => {
    const times = [ago(10), ago(3_000), ago(50), ago(4_000)];
    expect(secondsUntilRoom(times, 3, HOUR_MS, now)).toBe(600);
    expect(secondsUntilRoom(times, 4, HOUR_MS, now)).toBeNull();
    expect(secondsUntilRoom(times, 2, MINUTE_MS, now)).toBe(10);
    expect(secondsUntilRoom([ago(59.9)], 1, MINUTE_MS, now)).toBe(1);
  });
});
