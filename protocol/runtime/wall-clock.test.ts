import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMEOUT_MS, WallClock } from './wall-clock.ts';

const DAY_MS = 24 * 60 * 60_000;

// Fake timers drive Node's setTimeout and Date together, so these run without sleeping.
beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

describe('WallClock', () => {
  it('setTimer fires once after the delay; cancelTimer and cancelAll prevent it', () => {
    const clock = new WallClock();
    const fired: string[] = [];
    clock.setTimer(100, () => fired.push('a'));
    const b = clock.setTimer(100, () => fired.push('b'));
    clock.cancelTimer(b);
    vi.advanceTimersByTime(99);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['a']);
    clock.setTimer(5, () => fired.push('c'));
    clock.cancelAll();
    vi.advanceTimersByTime(10);
    expect(fired).toEqual(['a']);
  });

  it('a delay beyond 2^31 - 1 ms fires at its due time, not after 1 ms (Node would), and can still be cancelled', () => {
    const clock = new WallClock();
    const fired: number[] = [];
    const start = clock.now();
    clock.setTimer(30 * DAY_MS, () => fired.push(clock.now() - start));
    const cancelled = clock.setTimer(60 * DAY_MS, () => fired.push(-1));
    vi.advanceTimersByTime(MAX_TIMEOUT_MS + 1);
    expect(fired).toEqual([]);
    clock.cancelTimer(cancelled); // cancelling works on a re-armed chunk too
    vi.advanceTimersByTime(70 * DAY_MS);
    expect(fired).toEqual([30 * DAY_MS]);
  });

  it('rejects a negative or NaN delay', () => {
    const clock = new WallClock();
    expect(() => clock.setTimer(-1, () => {})).toThrow(RangeError);
    expect(() => clock.setTimer(Number.NaN, () => {})).toThrow(RangeError);
  });
});
