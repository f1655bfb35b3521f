import { describe, expect, it } from 'vitest';
import { InitLoadMeter } from './init-load-meter.ts';

describe('InitLoadMeter', () => {
  it('is under load only when more than initsPerS inits arrive within about a second', () => {
    const meter = new InitLoadMeter(10);
    const loadedAt = (times: number[]) => times.map((t) => meter.arrive(t));
    // 10 a second, evenly: never loaded.
    expect(loadedAt(Array.from({ length: 50 }, (_, i) => i * 100)).some(Boolean)).toBe(false);
    // A burst of 30 at once: the 11th on is loaded (the drain since the last arrival is tiny).
    const burst = loadedAt(Array.from({ length: 30 }, () => 5_000));
    expect(burst.indexOf(true)).toBeGreaterThanOrEqual(9);
    expect(burst.indexOf(true)).toBeLessThanOrEqual(11);
    expect(burst.slice(12).every(Boolean)).toBe(true);
  });

  it('lets load end about a second after the flood stops (the level is capped)', () => {
    const meter = new InitLoadMeter(10);
    for (let i = 0; i < 10_000; i++) meter.arrive(0);
    expect(meter.arrive(500)).toBe(true);
    expect(meter.arrive(1_600)).toBe(false);
  });
});
