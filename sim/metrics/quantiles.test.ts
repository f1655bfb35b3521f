import { describe, expect, it } from 'vitest';
import { quantile, Sample } from './quantiles.ts';

describe('quantile / Sample', () => {
  it('uses the nearest-rank definition', () => {
    const s = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantile(s, 0.5)).toBe(5);
    expect(quantile(s, 0.95)).toBe(10);
    expect(quantile(s, 0)).toBe(1);
    expect(quantile([], 0.5)).toBeNull();
  });

  it('Sample grows past its initial capacity and sorts numerically', () => {
    const s = new Sample();
    for (let i = 3000; i >= 1; i--) s.add(i);
    expect(s.count).toBe(3000);
    expect(s.percentiles()).toEqual({ p50: 1500, p95: 2850, p99: 2970 });
    expect(new Sample().percentiles()).toEqual({ p50: null, p95: null, p99: null });
  });
});
