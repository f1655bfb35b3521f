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

  it('Sample.cdf gives 101 ascending nearest-rank points whose 0.5 point is p50, and null when empty', () => {
    const s = new Sample();
    for (let i = 1; i <= 7; i++) s.add(i * 1.0001);
    const cdf = s.cdf()!;
    expect(cdf.ms).toHaveLength(101);
    expect(cdf.fraction[0]).toBe(0);
    expect(cdf.fraction[100]).toBe(1);
    expect(cdf.fraction[50]).toBe(0.5);
    expect(cdf.ms[0]).toBe(1);
    expect(cdf.ms[100]).toBe(7.001);
    expect(cdf.ms[50]).toBe(s.percentiles().p50);
    expect(cdf.ms[95]).toBe(s.percentiles().p95);
    for (let i = 1; i < 101; i++) expect(cdf.ms[i]).toBeGreaterThanOrEqual(cdf.ms[i - 1]);
    expect(new Sample().cdf()).toBeNull();
  });
});
