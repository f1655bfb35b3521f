/**
 * portable-math (issue 11, item 8): ln and cos from exactly rounded operations, so latency and interval draws (and
 * with them event order and traceHash) do not depend on the engine's Math.log / Math.cos. Guards: the samplers
 * used to call Math.log / Math.cos, which the "no Math" test below catches.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sampleLatencyMs } from '../../sim/network/latency.ts';
import { portableCosTurns, portableLn } from './portable-math.ts';
import { SeededRng } from './seeded-rng.ts';

/** Distance in units in the last place of `b`. */
function ulps(a: number, b: number): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, Math.abs(b));
  v.setBigUint64(0, v.getBigUint64(0) + 1n);
  return Math.abs(a - b) / (v.getFloat64(0) - Math.abs(b));
}

/** Engine-approximated Math functions: none of them may be called by a sampler. */
const APPROXIMATED = ['log', 'log1p', 'log2', 'log10', 'exp', 'expm1', 'cos', 'sin', 'tan', 'acos', 'asin', 'atan', 'atan2', 'pow', 'cosh', 'sinh', 'tanh', 'cbrt', 'hypot'] as const;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('portableLn', () => {
  it('gives known values exactly', () => {
    expect(portableLn(1)).toBe(0);
    expect(portableLn(0.5)).toBe(-0.6931471805599453);
    expect(portableLn(2)).toBe(0.6931471805599453);
    expect(portableLn(2 ** -53)).toBe(-36.7368005696771);
    expect(portableLn(5e-324)).toBe(-744.4400719213812); // smallest subnormal
    expect(portableLn(Number.MAX_VALUE)).toBeCloseTo(709.782712893384, 12);
  });

  it('stays within 1 ulp of Math.log over (0, 1] and far outside it', () => {
    const r = new SeededRng('portable-ln');
    let worst = 0;
    for (let i = 0; i < 200_000; i++) {
      const u = 1 - r.uniform();
      const x = i % 3 === 0 ? u : i % 3 === 1 ? u * 1e300 : u * 1e-300;
      worst = Math.max(worst, ulps(portableLn(x), Math.log(x)));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('rejects what has no real logarithm', () => {
    for (const bad of [0, -1, Infinity, NaN]) expect(() => portableLn(bad)).toThrow(RangeError);
  });
});

describe('portableCosTurns', () => {
  it('gives cos(2 pi v) at the quadrant points and known angles', () => {
    expect(portableCosTurns(0)).toBe(1);
    expect(portableCosTurns(0.5)).toBe(-1);
    expect(Math.abs(portableCosTurns(0.25))).toBe(0);
    expect(Math.abs(portableCosTurns(0.75))).toBe(0);
    expect(portableCosTurns(0.125)).toBe(Math.SQRT1_2);
    expect(portableCosTurns(1 / 6)).toBeCloseTo(0.5, 15);
  });

  it('stays within 1e-15 of Math.cos(2 pi v) over [0, 1)', () => {
    const r = new SeededRng('portable-cos');
    let worst = 0;
    for (let i = 0; i < 200_000; i++) {
      const v = r.uniform();
      worst = Math.max(worst, Math.abs(portableCosTurns(v) - Math.cos(2 * Math.PI * v)));
    }
    expect(worst).toBeLessThan(1e-15);
  });

  it('rejects angles outside [0, 1) turns', () => {
    for (const bad of [-0.1, 1, NaN]) expect(() => portableCosTurns(bad)).toThrow(RangeError);
  });
});

describe('samplers use no engine-approximated Math function', () => {
  it('draws every latency distribution and rng.exponential with Math.log, Math.cos, ... throwing', () => {
    for (const name of APPROXIMATED) {
      vi.spyOn(Math, name).mockImplementation(() => {
        throw new Error(`Math.${name} called by a sampler`);
      });
    }
    const rng = new SeededRng('no-math');
    for (const distribution of ['normal', 'exponential', 'uniform', 'constant'] as const) {
      for (let i = 0; i < 2000; i++) sampleLatencyMs({ meanMs: 40, jitterMs: 10, distribution }, rng);
    }
    for (let i = 0; i < 2000; i++) rng.exponential(500);
  });

  it('frozen draws: the same bits on every engine (a change here changes every jittered traceHash)', () => {
    const r = new SeededRng('latency-vector');
    const normal = [0, 1, 2, 3].map(() => sampleLatencyMs({ meanMs: 40, jitterMs: 10, distribution: 'normal' }, r));
    const exponential = [0, 1, 2, 3].map(() => sampleLatencyMs({ meanMs: 40, jitterMs: 10, distribution: 'exponential' }, r));
    expect(normal).toEqual([32.99456728948198, 65.88539332836795, 32.87779577257826, 41.237726938853946]);
    expect(exponential).toEqual([31.00348258432398, 34.95251091232524, 32.54221670871779, 36.31618643706303]);
    expect([portableLn(0.1), portableLn(0.7), portableCosTurns(0.3), portableCosTurns(0.8)]).toEqual([
      -2.3025850929940455, -0.35667494393873245, -0.30901699437494734, 0.3090169943749477,
    ]);
  });
});

/** Kolmogorov-Smirnov statistic of `xs` against the CDF `F`. */
function ks(xs: number[], F: (x: number) => number): number {
  const s = [...xs].sort((a, b) => a - b);
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    const f = F(s[i]);
    d = Math.max(d, (i + 1) / s.length - f, f - i / s.length);
  }
  return d;
}

/** Standard normal CDF via erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7: far below the KS bound). */
function phi(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

describe('distributions (Kolmogorov-Smirnov, n = 20,000, 1 % critical value 1.63 / sqrt(n))', () => {
  const n = 20_000;
  const critical = 1.63 / Math.sqrt(n);

  it('normal latency is N(mean, jitter^2)', () => {
    const r = new SeededRng('ks-normal');
    const xs = Array.from({ length: n }, () => sampleLatencyMs({ meanMs: 100, jitterMs: 10, distribution: 'normal' }, r));
    expect(ks(xs, (x) => phi((x - 100) / 10))).toBeLessThan(critical);
  });

  it('rng.exponential(mean) is Exp(1 / mean)', () => {
    const r = new SeededRng('ks-exp');
    const xs = Array.from({ length: n }, () => r.exponential(7));
    expect(ks(xs, (x) => 1 - Math.exp(-x / 7))).toBeLessThan(critical);
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    expect(Math.abs(mean - 7)).toBeLessThan(0.15); // sd of the mean: 7 / sqrt(n) = 0.05
  });
});
