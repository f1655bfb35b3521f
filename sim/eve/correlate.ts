/**
 * Lagged correlation of per-user time series (users x bins, row-major): for every target and candidate, the
 * best cosine similarity and the best Pearson correlation over lags -L..L bins. The classical baseline of
 * DeepCorr (CCS 2018) and DeepCoFFEA (S&P 2022).
 *
 * Pearson uses each series' full mean and standard deviation (not the overlap's), which differs from the exact
 * windowed value only in the L edge bins. Targets are processed in blocks so a candidate's row stays in cache.
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
  const L = Math.min(maxLag, bins - 1);
  for (let t0 = 0; t0 < T; t0 += BLOCK) {
    const t1 = Math.min(T, t0 + BLOCK);
    for (let c = 0; c < U; c++) {
      const co = c * bins;
      for (let i = t0; i < t1; i++) {
        const t = targets[i];
        if (t === c) continue;
        const to = t * bins;
        let bestDot = -Infinity;
        for (let lag = -L; lag <= L; lag++) {
          const b0 = lag < 0 ? -lag : 0;
          const b1 = lag > 0 ? bins - lag : bins;
          let dot = 0;
          for (let b = b0; b < b1; b++) dot += series[to + b] * series[co + b + lag];
          if (dot > bestDot) bestDot = dot;
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
