/**
 * Scores -> posterior, the same mapping for every attack:
 *   1. standardise each target's scores over its candidates: z = (s - mean) / sd (all-equal scores give z = 0);
 *   2. posterior p_c = exp(z_c / tau) / sum exp(z / tau), the target itself excluded (p = 0);
 *   3. tau is fitted per attack by maximum likelihood of the true partners (mean log sum of the partners' p) over
 *      a fixed grid of 25 log-spaced values 0.05 .. 20, larger tau winning ties; without truth tau = 1.
 * Fitting tau on the truth models an Eve who calibrated her attack on a training run of the same network (as
 * learned correlators do): the posterior is as confident as the scores justify and no more, so scores that
 * carry no information fit a large tau and a near-uniform posterior (degree of anonymity near 1).
 */

export const TEMPERATURES: readonly number[] = Array.from({ length: 25 }, (_, k) => 0.05 * Math.pow(400, k / 24));
const FIT_TARGETS = 400;

/** z-scores of `values[offset .. offset+count)` into `out`, -Infinity (not a candidate) kept. */
export function standardize(values: ArrayLike<number>, offset: number, count: number, out: Float64Array): void {
  let n = 0;
  let s = 0;
  let s2 = 0;
  for (let c = 0; c < count; c++) {
    const v = values[offset + c];
    if (v === -Infinity) continue;
    n++;
    s += v;
    s2 += v * v;
  }
  const mean = n ? s / n : 0;
  const variance = n ? Math.max(0, s2 / n - mean * mean) : 0;
  // Relative guard: float32 scores that are equal up to rounding must not blow up into large z-scores.
  const sd = variance > 1e-12 * Math.max(1, mean * mean) ? Math.sqrt(variance) : 0;
  for (let c = 0; c < count; c++) {
    const v = values[offset + c];
    out[c] = v === -Infinity ? -Infinity : sd > 0 ? (v - mean) / sd : 0;
  }
}

/** Softmax of z / tau into `out` (same length); -Infinity entries get 0. */
export function softmax(z: Float64Array, tau: number, out: Float64Array): void {
  let max = -Infinity;
  for (let c = 0; c < z.length; c++) if (z[c] > max) max = z[c];
  if (max === -Infinity) {
    out.fill(0);
    return;
  }
  let sum = 0;
  for (let c = 0; c < z.length; c++) {
    const e = z[c] === -Infinity ? 0 : Math.exp((z[c] - max) / tau);
    out[c] = e;
    sum += e;
  }
  for (let c = 0; c < z.length; c++) out[c] /= sum;
}

/** Maximum-likelihood temperature over (up to FIT_TARGETS evenly spread) targets with known partners. */
export function fitTemperature(values: Float32Array, targets: number, candidates: number, partners: readonly number[][]): number {
  const step = Math.max(1, Math.ceil(targets / FIT_TARGETS));
  const rows: Float64Array[] = [];
  const rowPartners: number[][] = [];
  for (let i = 0; i < targets; i += step) {
    if (!partners[i]?.length) continue;
    const z = new Float64Array(candidates);
    standardize(values, i * candidates, candidates, z);
    rows.push(z);
    rowPartners.push(partners[i]);
  }
  if (rows.length === 0) return 1;
  const p = new Float64Array(candidates);
  let bestTau = TEMPERATURES[TEMPERATURES.length - 1];
  let bestLl = -Infinity;
  for (let k = TEMPERATURES.length - 1; k >= 0; k--) {
    const tau = TEMPERATURES[k];
    let ll = 0;
    for (let r = 0; r < rows.length; r++) {
      softmax(rows[r], tau, p);
      let q = 0;
      for (const c of rowPartners[r]) q += p[c];
      ll += Math.log(Math.max(q, 1e-300));
    }
    if (bestLl === -Infinity ? ll > bestLl : ll > bestLl + 1e-9 * Math.abs(bestLl)) {
      bestLl = ll;
      bestTau = tau;
    }
  }
  return bestTau;
}
