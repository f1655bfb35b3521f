import { describe, expect, it } from 'vitest';
import { welchTest } from './welch.ts';

describe('welchTest', () => {
  it('computes t and the Welch-Satterthwaite df (textbook case: equal n and sd gives df = 2n - 2)', () => {
    const w = welchTest({ n: 10, mean: 0, sd: 1 }, { n: 10, mean: 1, sd: 1 })!;
    expect(w.t).toBeCloseTo(1 / Math.sqrt(0.2), 10);
    expect(w.df).toBeCloseTo(18, 10);
    expect(w.critical).toBeCloseTo(2.101, 3);
    expect(w.significant).toBe(true);
  });

  it('unequal variances lower df toward the noisier side (n 5 sd 3 vs n 20 sd 0.5)', () => {
    const w = welchTest({ n: 5, mean: 10, sd: 3 }, { n: 20, mean: 12, sd: 0.5 })!;
    // va = 1.8, vb = 0.0125: df = 1.8125^2 / (1.8^2/4 + 0.0125^2/19) ~ 4.06 -> t(0.975, 4) = 2.776
    expect(w.df).toBeCloseTo(1.8125 ** 2 / (1.8 ** 2 / 4 + 0.0125 ** 2 / 19), 10);
    expect(w.critical).toBeCloseTo(2.776, 3);
    expect(Math.abs(w.t)).toBeCloseTo(2 / Math.sqrt(1.8125), 10);
    expect(w.significant).toBe(false); // |t| 1.49 < 2.776: within noise
  });

  it('constant sides: significant exactly when the means differ; no test with fewer than two runs', () => {
    expect(welchTest({ n: 3, mean: 1, sd: 0 }, { n: 3, mean: 1, sd: 0 })!.significant).toBe(false);
    expect(welchTest({ n: 3, mean: 1, sd: 0 }, { n: 3, mean: 1.5, sd: 0 })).toMatchObject({ t: Infinity, significant: true });
    expect(welchTest({ n: 1, mean: 1, sd: 0 }, { n: 5, mean: 9, sd: 1 })).toBeNull();
  });
});
