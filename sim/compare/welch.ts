/**
 * Welch's two-sample t-test from summary statistics (mean, sd, n per side), two-sided at 5 %: is the difference
 * of two multi-seed means larger than seed-to-seed noise explains? Chosen over "the 95 % intervals do not
 * overlap", which is far stricter than 5 % (non-overlap of two 95 % intervals is p < ~0.006 for equal variances)
 * and would let real regressions through; Welch, unlike Student's pooled test, does not assume the two settings
 * vary equally (noise on and off do not). Critical value: t(0.975) at the Welch-Satterthwaite degrees of freedom
 * rounded down (conservative), the same table as the intervals `paratox seeds` prints (seed-stats.ts).
 */
import { tQuantile975 } from '../metrics/seed-stats.ts';

export interface SampleSummary {
  n: number;
  mean: number;
  sd: number;
}

export interface WelchResult {
  /** (candidate - baseline) / standard error; +-Infinity when both sides are constant and differ. */
  t: number;
  /** Welch-Satterthwaite degrees of freedom. */
  df: number;
  /** |t| must exceed this for significance. */
  critical: number;
  significant: boolean;
}

/** null when either side has fewer than two runs (no variance estimate, no test). */
export function welchTest(baseline: SampleSummary, candidate: SampleSummary): WelchResult | null {
  if (baseline.n < 2 || candidate.n < 2) return null;
  const va = baseline.sd ** 2 / baseline.n;
  const vb = candidate.sd ** 2 / candidate.n;
  const diff = candidate.mean - baseline.mean;
  if (va + vb === 0) {
    // Every seed gave the same value on both sides: any difference is not noise.
    const df = baseline.n + candidate.n - 2;
    return { t: diff === 0 ? 0 : Math.sign(diff) * Infinity, df, critical: tQuantile975(df), significant: diff !== 0 };
  }
  const t = diff / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (baseline.n - 1) + vb ** 2 / (candidate.n - 1));
  const critical = tQuantile975(Math.max(1, Math.floor(df)));
  return { t, df, critical, significant: Math.abs(t) > critical };
}
