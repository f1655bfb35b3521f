import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../protocol/runtime/seeded-rng.ts';
import { sampleLatencyMs, validateLatencySpec } from './latency.ts';
import type { LatencySpec } from './types.ts';

function draws(spec: LatencySpec, n = 20_000): { min: number; max: number; mean: number; sd: number } {
  const rng = new SeededRng('latency-test');
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const v = sampleLatencyMs(spec, rng);
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / n;
  return { min, max, mean, sd: Math.sqrt(sumSq / n - mean * mean) };
}

describe('sampleLatencyMs', () => {
  it('constant is exact', () => {
    expect(draws({ meanMs: 30, jitterMs: 5, distribution: 'constant' })).toMatchObject({ min: 30, max: 30 });
  });

  it('uniform stays within mean +/- jitter with the right mean and spread', () => {
    const d = draws({ meanMs: 50, jitterMs: 10, distribution: 'uniform' });
    expect(d.min).toBeGreaterThanOrEqual(40);
    expect(d.max).toBeLessThanOrEqual(60);
    expect(d.mean).toBeCloseTo(50, 0);
    expect(d.sd).toBeCloseTo(20 / Math.sqrt(12), 0); // sd of U(-j, j) = 2j / sqrt(12)
  });

  it('normal has the configured mean and standard deviation', () => {
    const d = draws({ meanMs: 100, jitterMs: 10, distribution: 'normal' });
    expect(d.mean).toBeCloseTo(100, 0);
    expect(Math.abs(d.sd - 10)).toBeLessThan(0.3);
    expect(d.min).toBeGreaterThan(50); // 5 sd
  });

  it('exponential keeps the mean and never goes below mean - jitter', () => {
    const d = draws({ meanMs: 40, jitterMs: 15, distribution: 'exponential' });
    expect(d.min).toBeGreaterThanOrEqual(25);
    expect(Math.abs(d.mean - 40)).toBeLessThan(0.5);
    expect(Math.abs(d.sd - 15)).toBeLessThan(0.5); // sd of an exponential = its mean
  });

  it('never returns a negative latency', () => {
    for (const distribution of ['normal', 'uniform', 'exponential'] as const) {
      const d = draws({ meanMs: 1, jitterMs: 10, distribution }, 5000);
      expect(d.min).toBe(0);
    }
  });

  it('draws nothing from the rng when jitter is 0', () => {
    const rng = new SeededRng(1);
    sampleLatencyMs({ meanMs: 5, jitterMs: 0, distribution: 'normal' }, rng);
    expect(rng.uniform()).toBe(new SeededRng(1).uniform());
  });

  it('validates specs', () => {
    expect(() => validateLatencySpec({ meanMs: -1, jitterMs: 0, distribution: 'constant' }, 'x')).toThrow(RangeError);
    expect(() => validateLatencySpec({ meanMs: 1, jitterMs: NaN, distribution: 'constant' }, 'x')).toThrow(RangeError);
    expect(() => validateLatencySpec({ meanMs: 1, jitterMs: 0, distribution: 'pareto' as never }, 'x')).toThrow(RangeError);
  });
});
