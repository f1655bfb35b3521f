/**
 * A comparison as text: what moved (metric, baseline, candidate, change, tolerance, verdict) and one summary
 * line. Unchanged metrics are counted, not listed. For seeds results a value is "mean ±half-width of the 95 % CI".
 */
import type { Comparison, MetricRow, MetricValue, Verdict } from './compare-metrics.ts';
import { describeTolerance } from './tolerances.ts';

/** Four significant digits, integers as they are. */
export function formatNumber(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e12) return String(x);
  return String(Number(x.toPrecision(4)));
}

function signed(x: number): string {
  return `${x > 0 ? '+' : ''}${formatNumber(x)}`;
}

function value(v: MetricValue | null): string {
  if (v === null) return '(none)';
  if (v.n === undefined) return formatNumber(v.value);
  if (!v.ci95) return `${formatNumber(v.value)} (n=${v.n})`;
  return `${formatNumber(v.value)} ±${formatNumber((v.ci95[1] - v.ci95[0]) / 2)}`;
}

function change(r: MetricRow): string {
  if (r.change === null) return '';
  return r.relChange === null ? signed(r.change) : `${signed(r.change)} (${signed(Number((r.relChange * 100).toFixed(1)))} %)`;
}

const LABEL: Record<Verdict, string> = {
  unchanged: 'unchanged',
  'within-tolerance': 'ok (within tolerance)',
  improved: 'improved',
  regressed: 'REGRESSED',
  'within-noise': 'ok (within seed noise)',
  missing: 'REGRESSED (no value)',
  new: 'new',
};

function verdict(r: MetricRow): string {
  const w = r.welch;
  const test = w && (r.verdict === 'regressed' || r.verdict === 'improved' || r.verdict === 'within-noise')
    ? ` Welch |t| ${Number.isFinite(w.t) ? Math.abs(w.t).toFixed(2) : 'inf'} ${w.significant ? '>' : '<='} ${w.critical.toFixed(2)} (df ${w.df.toFixed(1)})`
    : '';
  return `${LABEL[r.verdict]}${test}`;
}

function table(rows: readonly string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}

export function formatComparison(c: Comparison): string {
  const lines = [`compare ${c.scenario}: ${c.baseline} -> ${c.candidate} (${c.kind === 'seeds' ? 'multi-seed means, 95 % CI' : 'single runs'}; tolerances ${c.tolerances})`];
  for (const d of c.scenarioDifferences) lines.push(`scenario differs (allowed): ${d.path} ${d.baseline} -> ${d.candidate}`);
  const moved = c.rows.filter((r) => r.verdict !== 'unchanged');
  if (moved.length > 0) {
    const header = ['metric', 'baseline', 'candidate', 'change', 'tolerance', 'verdict'];
    lines.push(...table([header, ...moved.map((r) => [r.metric, value(r.baseline), value(r.candidate), change(r), describeTolerance(r.tolerance), verdict(r)])]));
  }
  const unchanged = c.rows.length - moved.length;
  const counts = `${c.rows.length} metrics with a tolerance: ${moved.length} moved, ${unchanged} unchanged`;
  lines.push(c.regressions.length > 0 ? `${counts}; REGRESSION in ${c.regressions.join(', ')}` : `${counts}; no regression`);
  return lines.join('\n');
}
