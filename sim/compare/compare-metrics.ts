/**
 * Baseline vs candidate, metric by metric: every metric with a tolerance gets a verdict. Direction-aware (an
 * improvement is never a regression) and, for multi-seed results, noise-aware: a change beyond tolerance is a
 * regression only when Welch's test (welch.ts) also says it is not seed noise.
 */
import type { SeedStat } from '../metrics/seed-stats.ts';
import { CompareError } from './compare-error.ts';
import type { CompareInput } from './compare-input.ts';
import { scenarioDifferences, type ScenarioDifference } from './scenario-diff.ts';
import { allowedChange, toleranceFor, type Tolerance, type ToleranceTable } from './tolerances.ts';
import { welchTest, type WelchResult } from './welch.ts';

export const VERDICTS = {
  unchanged: 'exactly equal',
  'within-tolerance': 'moved, but by no more than the tolerance',
  improved: 'better by more than the tolerance',
  regressed: 'worse by more than the tolerance (for "equal": different by more than it); for seeds also significant',
  'within-noise': 'beyond the tolerance, but Welch\'s test says seed noise explains it (seeds results only)',
  missing: 'the baseline has a value, the candidate none (null or absent): counted as a regression',
  new: 'the candidate has a value, the baseline none',
} as const;
export type Verdict = keyof typeof VERDICTS;

/** Verdicts that make `paratox compare` exit 1. */
export const FAILING: ReadonlySet<Verdict> = new Set(['regressed', 'missing']);

export interface MetricValue {
  /** The value (a report) or the mean over seeds. */
  value: number;
  /** Seeds results: runs, sample sd and 95 % interval. */
  n?: number;
  sd?: number;
  ci95?: [number, number] | null;
}

export interface MetricRow {
  metric: string;
  /** The tolerance-file key that matched (the path itself or a `*` pattern). */
  pattern: string;
  tolerance: Tolerance;
  baseline: MetricValue | null;
  candidate: MetricValue | null;
  /** candidate - baseline. */
  change: number | null;
  /** change / |baseline| (null when the baseline is 0). */
  relChange: number | null;
  /** The change tolerated around this baseline: max(abs, rel x |baseline|). */
  allowed: number | null;
  /** Seeds results: the test behind `within-noise` (null with fewer than two seeds on a side). */
  welch?: WelchResult | null;
  verdict: Verdict;
}

export interface Comparison {
  kind: 'report' | 'seeds';
  baseline: string;
  candidate: string;
  scenario: string;
  tolerances: string;
  /** Allowed differences (refused ones throw). */
  scenarioDifferences: ScenarioDifference[];
  rows: MetricRow[];
  /** Metrics whose verdict fails the comparison. */
  regressions: string[];
}

function valuesOf(input: CompareInput): Record<string, MetricValue> {
  if (input.kind === 'report') return Object.fromEntries(Object.entries(input.values).map(([p, v]) => [p, { value: v }]));
  return Object.fromEntries(Object.entries(input.stats).map(([p, s]: [string, SeedStat]) => [p, { value: s.mean, n: s.n, sd: s.sd, ci95: s.ci95 ?? null }]));
}

/** How much worse (positive) or better (negative) `change` is under `direction`; "equal" is never better. */
function worsening(t: Tolerance, change: number): number {
  if (t.direction === 'higher-is-better') return -change;
  if (t.direction === 'lower-is-better') return change;
  return Math.abs(change);
}

function judge(t: Tolerance, b: MetricValue | null, c: MetricValue | null, welch: WelchResult | null | undefined): Verdict {
  if (b === null) return 'new';
  if (c === null) return 'missing';
  const change = c.value - b.value;
  if (change === 0) return 'unchanged';
  // Float slack so that a tolerance of exactly the change (0.1 + 0.2 vs 0.3) is not crossed by rounding.
  const slack = 1e-9 * Math.max(1, Math.abs(b.value), Math.abs(c.value));
  const allowed = allowedChange(t, b.value) + slack;
  const worse = worsening(t, change);
  const beyond = worse > allowed || (t.direction !== 'equal' && -worse > allowed);
  if (!beyond) return 'within-tolerance';
  if (welch && !welch.significant) return 'within-noise';
  return worse > 0 ? 'regressed' : 'improved';
}

function row(metric: string, pattern: string, t: Tolerance, b: MetricValue | null, c: MetricValue | null): MetricRow {
  const change = b && c ? c.value - b.value : null;
  const welch = b?.n !== undefined && c?.n !== undefined ? welchTest({ n: b.n, mean: b.value, sd: b.sd ?? 0 }, { n: c.n, mean: c.value, sd: c.sd ?? 0 }) : undefined;
  return {
    metric,
    pattern,
    tolerance: t,
    baseline: b,
    candidate: c,
    change,
    relChange: change !== null && b && b.value !== 0 ? change / Math.abs(b.value) : null,
    allowed: b ? allowedChange(t, b.value) : null,
    ...(welch !== undefined ? { welch } : {}),
    verdict: judge(t, b, c, welch),
  };
}

function refuseDifferences(baseline: CompareInput, candidate: CompareInput, diffs: readonly ScenarioDifference[]): void {
  const refused = diffs.filter((d) => !d.allowed);
  if (refused.length === 0) return;
  const shown = refused.slice(0, 3).map((d) => `${d.path} (${d.baseline} vs ${d.candidate})`).join(', ');
  const more = refused.length > 3 ? ` and ${refused.length - 3} more` : '';
  const flag = [...new Set(refused.map((d) => d.path.split('.')[0]))].join(',');
  throw new CompareError(
    `${candidate.file}: its scenario differs from ${baseline.file}'s in ${shown}${more}; compare refuses different experiments (if intended: --allow-scenario-diff ${flag})`,
  );
}

export interface CompareOptions {
  /** Scenario fields (dot-path prefixes) that may differ. */
  allowScenarioDiff?: readonly string[];
}

/** Compares two inputs of the same kind and scenario; throws a CompareError for anything else. */
export function compareInputs(baseline: CompareInput, candidate: CompareInput, table: ToleranceTable, opts: CompareOptions = {}): Comparison {
  if (baseline.kind !== candidate.kind) {
    const what = (i: CompareInput) => (i.kind === 'report' ? 'a run report' : 'a seeds result');
    throw new CompareError(`${candidate.file}: is ${what(candidate)} but the baseline ${baseline.file} is ${what(baseline)}; compare like with like`);
  }
  const diffs = scenarioDifferences(baseline, candidate, opts.allowScenarioDiff ?? []);
  refuseDifferences(baseline, candidate, diffs);
  const b = valuesOf(baseline);
  const c = valuesOf(candidate);
  const rows: MetricRow[] = [];
  for (const metric of new Set([...Object.keys(b), ...Object.keys(c)])) {
    const found = toleranceFor(table, baseline.scenarioName, metric);
    if (found) rows.push(row(metric, found.pattern, found.tolerance, b[metric] ?? null, c[metric] ?? null));
  }
  return {
    kind: baseline.kind,
    baseline: baseline.file,
    candidate: candidate.file,
    scenario: baseline.scenarioName,
    tolerances: table.source,
    scenarioDifferences: diffs,
    rows,
    regressions: rows.filter((r) => FAILING.has(r.verdict)).map((r) => r.metric),
  };
}
