/**
 * A finished sweep's results: summary.json (per grid point and metric: mean and 95 % interval over seeds, the
 * statistics of `paratox seeds`, sim/metrics/seed-stats.ts) and summary.csv (tidy: one row per cell and metric,
 * `sweep,cell,seed,<one column per grid parameter>,metric,value`, for pandas/R). Wall-clock figures (wallSeconds,
 * peakRssBytes) stay in the cell reports: the summary depends only on the cells' results, so a sharded and
 * merged sweep gives the same summary as one run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getFieldPath as at } from '../scenario/field-path.ts';
import { numericLeaves, summariseSeeds, type SeedStat } from '../metrics/seed-stats.ts';
import { canonicalJson } from './canonical-json.ts';
import { cellFile, writeFileAtomic, type SweepManifest } from './out-dir.ts';
import { SweepError } from './sweep-error.ts';

/** Summarised when the sweep file names no metrics: what `paratox seeds` shows, plus latency and overhead. */
export const DEFAULT_METRICS = ['traffic.deliveryRatio', 'traffic.latencyMs', 'traffic.bandwidthOverhead', 'attacks'];

/** The sweep's manifest head (name, hashes, files, seeds, grid), then its results. */
export interface SweepSummary extends Omit<SweepManifest, 'metrics' | 'cells'> {
  /** Report paths summarised (a section stands for every number under it). */
  metrics: string[];
  /** Metric paths the sweep file asked for that no cell's report holds (a typo, or a section this protocol leaves null). */
  missingMetrics: string[];
  cells: number;
  points: Array<{
    params: Record<string, unknown>;
    cells: Array<{ cellId: string; seed: number; traceHash: string | null }>;
    metrics: Record<string, SeedStat>;
  }>;
}

/** The numbers a report holds under each metric path, as "a.b.c" -> value. */
export function cellMetrics(report: unknown, paths: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of paths) numericLeaves(at(report, p), p, out);
  return out;
}

interface CellReport {
  traceHash: string | null;
  seed: number;
  sweepCell?: { sweepHash: string; cellId: string };
}

function readCell(dir: string, manifest: SweepManifest, cellId: string): CellReport {
  const file = cellFile(dir, cellId);
  let report: CellReport;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as CellReport;
  } catch (err) {
    throw new SweepError(`${file}: unreadable cell report (${(err as Error).message.split('\n')[0]}); delete it and rerun the sweep to redo that cell`);
  }
  if (report.sweepCell && report.sweepCell.sweepHash !== manifest.sweepHash) throw new SweepError(`${file}: belongs to another sweep (hash ${report.sweepCell.sweepHash.slice(0, 12)})`);
  return report;
}

/** Metrics in the order their paths were asked for (a metric one seed lacks must not move to the end). */
function inPathOrder<T>(metrics: Record<string, T>, paths: readonly string[]): Record<string, T> {
  const rank = (m: string): number => paths.findIndex((p) => m === p || m.startsWith(`${p}.`));
  const keys = Object.keys(metrics);
  return Object.fromEntries(keys.map((k, i) => [k, rank(k), i] as const).sort((a, b) => a[1] - b[1] || a[2] - b[2]).map(([k]) => [k, metrics[k]]));
}

function csvField(value: unknown): string {
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : canonicalJson(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function summarise(dir: string, manifest: SweepManifest): { summary: SweepSummary; csv: string } {
  const paths = manifest.metrics ?? DEFAULT_METRICS;
  const params = Object.keys(manifest.grid);
  const rows: string[] = [['sweep', 'cell', 'seed', ...params, 'metric', 'value'].map(csvField).join(',')];
  const byPoint = new Map<string, SweepSummary['points'][number] & { runs: Array<Record<string, number>> }>();
  const seen = new Set<string>();
  for (const cell of manifest.cells) {
    const report = readCell(dir, manifest, cell.cellId);
    const metrics = cellMetrics(report, paths);
    for (const [metric, value] of Object.entries(metrics)) {
      seen.add(metric);
      rows.push([manifest.name, cell.cellId, cell.seed, ...params.map((p) => cell.params[p]), metric, value].map(csvField).join(','));
    }
    const key = canonicalJson(cell.params);
    const point = byPoint.get(key) ?? { params: cell.params, cells: [], metrics: {}, runs: [] };
    point.cells.push({ cellId: cell.cellId, seed: cell.seed, traceHash: report.traceHash });
    point.runs.push(metrics);
    byPoint.set(key, point);
  }
  const points = [...byPoint.values()].map(({ runs, ...p }) => ({ ...p, metrics: inPathOrder(summariseSeeds(runs), paths) }));
  const missingMetrics = manifest.metrics === null ? [] : paths.filter((p) => ![...seen].some((m) => m === p || m.startsWith(`${p}.`)));
  const { cells: _cells, paratoxSweep, ...head } = manifest;
  const summary: SweepSummary = { paratoxSweep, ...head, metrics: paths, missingMetrics, cells: manifest.cells.length, points };
  return { summary, csv: `${rows.join('\n')}\n` };
}

/** Writes summary.json and summary.csv into `dir` (every cell must be finished). */
export function writeSummary(dir: string, manifest: SweepManifest): { summary: SweepSummary; files: string[] } {
  const { summary, csv } = summarise(dir, manifest);
  const files = [join(dir, 'summary.json'), join(dir, 'summary.csv')];
  writeFileAtomic(files[0], `${JSON.stringify(summary, null, 2)}\n`);
  writeFileAtomic(files[1], csv);
  return { summary, files };
}
