/**
 * Mean and 95 % confidence interval of a metric over independent runs (seeds), with Student's t: the runs are
 * few (10-30), so the normal 1.96 would understate the interval (t(0.975, 9) = 2.262). Pure, for `paratox seeds`.
 */

/** Two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom (standard table values). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t(0.975, df); beyond the table, the Cornish-Fisher expansion around the normal quantile (error < 1e-3). */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  if (df <= T975.length) return T975[df - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

export interface SeedStat {
  /** Runs that had the metric. */
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1); 0 for a single run. */
  sd: number;
  /** [low, high] 95 % interval of the mean; null for fewer than two runs. */
  ci95: [number, number] | null;
  min: number;
  max: number;
}

export function seedStat(values: readonly number[]): SeedStat | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = n < 2 ? null : (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, ci95: half === null ? null : [mean - half, mean + half], min: Math.min(...values), max: Math.max(...values) };
}

/** Numeric leaves of `value` as "a.b.c" paths (booleans and nulls skipped). */
export function numericLeaves(value: unknown, prefix = '', out: Record<string, number> = {}): Record<string, number> {
  if (typeof value === 'number' && Number.isFinite(value)) out[prefix] = value;
  else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) numericLeaves(v, prefix === '' ? k : `${prefix}.${k}`, out);
  }
  return out;
}

/** Per metric path: the statistic over every run that reported it, paths in first-seen order. */
export function summariseSeeds(runs: readonly Record<string, number>[]): Record<string, SeedStat> {
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const r of runs) for (const p of Object.keys(r)) if (!seen.has(p)) (seen.add(p), paths.push(p));
  const out: Record<string, SeedStat> = {};
  for (const p of paths) {
    const stat = seedStat(runs.flatMap((r) => (p in r ? [r[p]] : [])));
    if (stat !== null) out[p] = stat;
  }
  return out;
}
