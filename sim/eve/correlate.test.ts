import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../protocol/runtime/seeded-rng.ts';
import { laggedCorrelation } from './correlate.ts';
import type { EveContext } from './population.ts';

/** Readable reference: best over lags of the plain dot product, then cosine and (full-series) Pearson. */
function reference(x: number[][], t: number, c: number, L: number): { cosine: number; pearson: number } {
  const B = x[0].length;
  const dot = (lag: number): number => {
    let s = 0;
    for (let b = 0; b < B; b++) if (b + lag >= 0 && b + lag < B) s += x[t][b] * x[c][b + lag];
    return s;
  };
  const best = Math.max(...Array.from({ length: 2 * L + 1 }, (_, k) => dot(k - L)));
  const stats = (v: number[]) => {
    const mean = v.reduce((a, b) => a + b, 0) / B;
    const sq = v.reduce((a, b) => a + b * b, 0);
    return { norm: Math.sqrt(sq), mean, sd: Math.sqrt(sq / B - mean * mean) };
  };
  const [st, sc] = [stats(x[t]), stats(x[c])];
  return { cosine: best / (st.norm * sc.norm), pearson: (best / B - st.mean * sc.mean) / (st.sd * sc.sd) };
}

describe('laggedCorrelation', () => {
  it('agrees with the readable reference on sparse random series', () => {
    const rng = new SeededRng('eve/correlate');
    const U = 7;
    const B = 50;
    const x = Array.from({ length: U }, () => Array.from({ length: B }, () => (rng.uniform() < 0.3 ? rng.int(5) : 0)));
    const series = Float32Array.from(x.flat());
    const ctx = { users: U } as EveContext;
    const targets = Uint32Array.from([0, 3, 6]);
    for (const L of [0, 2]) {
      const { cosine, pearson } = laggedCorrelation(ctx, series, B, targets, L);
      targets.forEach((t, i) => {
        for (let c = 0; c < U; c++) {
          if (c === t) {
            expect(cosine[i * U + c]).toBe(-Infinity);
            continue;
          }
          const ref = reference(x, t, c, L);
          expect(cosine[i * U + c]).toBeCloseTo(ref.cosine, 5);
          expect(pearson[i * U + c]).toBeCloseTo(ref.pearson, 5);
        }
      });
    }
  });

  it('finds a copy shifted by one bin only when the lag search allows it', () => {
    const a = [0, 1, 0, 0, 3, 0, 2, 0];
    const shifted = [0, 0, 1, 0, 0, 3, 0, 2];
    const ctx = { users: 2 } as EveContext;
    const series = Float32Array.from([...a, ...shifted]);
    expect(laggedCorrelation(ctx, series, 8, Uint32Array.from([0]), 1).cosine[1]).toBeCloseTo(1, 6);
    expect(laggedCorrelation(ctx, series, 8, Uint32Array.from([0]), 0).cosine[1]).toBeCloseTo(0, 6);
  });
});
