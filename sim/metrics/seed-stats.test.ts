import { describe, expect, it } from 'vitest';
import { numericLeaves, seedStat, summariseSeeds, tQuantile975 } from './seed-stats.ts';

describe('seed statistics', () => {
  it('tQuantile975(df) matches the t table and tends to the normal quantile', () => {
    expect(tQuantile975(9)).toBe(2.262);
    expect(tQuantile975(40)).toBeCloseTo(2.021, 2);
    expect(tQuantile975(120)).toBeCloseTo(1.98, 2);
    expect(() => tQuantile975(0)).toThrow(RangeError);
  });

  it('seedStat(values) gives the mean and a t interval (n = 10: half width 2.262 sd / sqrt 10)', () => {
    const values = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
    const s = seedStat(values)!;
    expect(s.mean).toBe(0.5);
    expect(s.sd).toBeCloseTo(Math.sqrt(10 / 36), 10);
    const half = (2.262 * s.sd) / Math.sqrt(10);
    expect(s.ci95![0]).toBeCloseTo(0.5 - half, 10);
    expect(s.ci95![1]).toBeCloseTo(0.5 + half, 10);
    expect(seedStat([3])).toMatchObject({ n: 1, mean: 3, sd: 0, ci95: null });
    expect(seedStat([])).toBeNull();
  });

  it('summariseSeeds(runs) keys metrics by path and counts only the runs that had them', () => {
    const runs = [numericLeaves({ a: { b: 1, c: null, d: 'x' }, e: 2 }), numericLeaves({ a: { b: 3 } })];
    expect(runs[0]).toEqual({ 'a.b': 1, e: 2 });
    const s = summariseSeeds(runs);
    expect(s['a.b']).toMatchObject({ n: 2, mean: 2 });
    expect(s.e).toMatchObject({ n: 1, mean: 2, ci95: null });
  });
});
