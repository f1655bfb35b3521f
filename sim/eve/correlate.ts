/**
 * Lagged correlation of per-user time series (users x bins, row-major): for every target and candidate, the
 * best cosine similarity and the best Pearson correlation over lags -L..L bins. The classical baseline of
 * DeepCorr (CCS 2018) and DeepCoFFEA (S&P 2022).
 *
 * Pearson uses each series' full mean and standard deviation (not the overlap's), which differs from the exact
 * windowed value only in the L edge bins. Targets are sparse rows (only their nonzero bins are visited, so cost
 * follows activity rather than duration) processed in blocks, so a candidate's row stays in cache.
 */
import type { EveContext } from './population.ts';

const BLOCK = 8;

export interface LaggedCorrelation {
  cosine: Float32Array;
  pearson: Float32Array;
}

export function laggedCorrelation(
  ctx: EveContext,
  series: Float32Array,
  bins: number,
  targets: Uint32Array,
  maxLag: number,
): LaggedCorrelation {
  const U = ctx.users;
  const T = targets.length;
  const norm = new Float64Array(U);
  const mean = new Float64Array(U);
  const sd = new Float64Array(U);
  for (let u = 0; u < U; u++) {
    let s = 0;
    let s2 = 0;
    for (let b = 0, o = u * bins; b < bins; b++) {
      const x = series[o + b];
      s += x;
      s2 += x * x;
    }
    norm[u] = Math.sqrt(s2);
    mean[u] = s / bins;
    sd[u] = Math.sqrt(Math.max(0, s2 / bins - mean[u] * mean[u]));
  }
  const cosine = new Float32Array(T * U).fill(-Infinity);
  const pearson = new Float32Array(T * U).fill(-Infinity);
  const L = Math.max(0, Math.min(maxLag, bins - 1));
  // Candidate rows padded with L zeros on each side, so every lag reads in range without a test.
  const S = bins + 2 * L;
  const padded = new Float32Array(U * S);
  for (let u = 0; u < U; u++) padded.set(series.subarray(u * bins, (u + 1) * bins), u * S + L);
  // Targets as sparse rows (their nonzero bins): a user idle most of the time costs only its active bins.
  const nzStart = new Int32Array(T + 1);
  for (let i = 0; i < T; i++) {
    let n = 0;
    for (let b = 0, o = targets[i] * bins; b < bins; b++) if (series[o + b] !== 0) n++;
    nzStart[i + 1] = nzStart[i] + n;
  }
  const nzBin = new Int32Array(nzStart[T]);
  const nzVal = new Float32Array(nzStart[T]);
  for (let i = 0, k = 0; i < T; i++) {
    for (let b = 0, o = targets[i] * bins; b < bins; b++) {
      if (series[o + b] !== 0) {
        nzBin[k] = b;
        nzVal[k++] = series[o + b];
      }
    }
  }
  const acc = new Float64Array(2 * L + 1);
  for (let t0 = 0; t0 < T; t0 += BLOCK) {
    const t1 = Math.min(T, t0 + BLOCK);
    for (let c = 0; c < U; c++) {
      const co = c * S; // padded[co + L + b + lag] = series[c][b + lag]
      for (let i = t0; i < t1; i++) {
        const t = targets[i];
        if (t === c) continue;
        let bestDot = -Infinity;
        if (L === 1) {
          // The default lag search, unrolled: three accumulators in registers.
          let d0 = 0;
          let d1 = 0;
          let d2 = 0;
          for (let k = nzStart[i]; k < nzStart[i + 1]; k++) {
            const v = nzVal[k];
            const base = co + nzBin[k];
            d0 += v * padded[base];
            d1 += v * padded[base + 1];
            d2 += v * padded[base + 2];
          }
          bestDot = Math.max(d0, d1, d2);
        } else {
          acc.fill(0);
          for (let k = nzStart[i]; k < nzStart[i + 1]; k++) {
            const v = nzVal[k];
            const base = co + nzBin[k]; // + L + lag, lag = -L..L  ->  base + j, j = 0..2L
            for (let j = 0; j <= 2 * L; j++) acc[j] += v * padded[base + j];
          }
          for (let j = 0; j <= 2 * L; j++) if (acc[j] > bestDot) bestDot = acc[j];
        }
        // Both measures are increasing in the dot product, so the best lag is the same for both.
        const k = i * U + c;
        cosine[k] = norm[t] > 0 && norm[c] > 0 ? bestDot / (norm[t] * norm[c]) : 0;
        pearson[k] = sd[t] > 0 && sd[c] > 0 ? (bestDot / bins - mean[t] * mean[c]) / (sd[t] * sd[c]) : 0;
      }
    }
  }
  return { cosine, pearson };
}
