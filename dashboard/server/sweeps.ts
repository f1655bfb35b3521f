/**
 * Sweep results under <reports>/sweeps/<name>/ (sim/sweep/README.md): the list, and one sweep with its
 * manifest, summary and the overhead-vs-anonymity Pareto frontier (sim/tune/pareto.ts, the one implementation).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { paretoFrontier } from '../../sim/tune/pareto.ts';
import type { SweepSummary } from '../../sim/sweep/summary.ts';
import { badRequest, notFound } from './http-error.ts';
import { readJsonFile } from './read-json-file.ts';
import { resolveUnder } from './safe-path.ts';

export const DEFAULT_COST = 'traffic.bandwidthOverhead';
export const DEFAULT_BENEFIT = 'attacks.eve.degreeOfAnonymity';

export interface SweepListEntry {
  name: string;
  cells: number | null;
  finishedCells: number;
  hasSummary: boolean;
  date: string;
  broken?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function countCells(dir: string): number {
  try {
    return readdirSync(join(dir, 'cells')).filter((f) => f.endsWith('.json') && !f.includes('.tmp-')).length;
  } catch {
    return 0;
  }
}

export function listSweeps(reportsDir: string): SweepListEntry[] {
  const root = join(reportsDir, 'sweeps');
  if (!existsSync(root)) return [];
  const out: SweepListEntry[] = [];
  for (const d of readdirSync(root, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const dir = join(root, d.name);
    const manifestPath = join(dir, 'sweep.json');
    if (!existsSync(manifestPath)) continue;
    const entry: SweepListEntry = {
      name: d.name,
      cells: null,
      finishedCells: countCells(dir),
      hasSummary: existsSync(join(dir, 'summary.json')),
      date: statSync(manifestPath).mtime.toISOString(),
    };
    try {
      const m = readJsonFile(manifestPath);
      entry.cells = isRecord(m) && Array.isArray(m.cells) ? m.cells.length : null;
      if (entry.cells === null) entry.broken = 'sweep.json: no cells list';
    } catch (err) {
      entry.broken = `sweep.json: ${(err as Error).message}`;
    }
    out.push(entry);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

const SWEEP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export interface SweepView {
  name: string;
  manifest: unknown;
  summary: SweepSummary | null;
  /** Grid parameters (x axes). */
  params: string[];
  /** Summarised metric paths present in the summary. */
  metrics: string[];
  cost: string;
  benefit: string;
  /** Indices into summary.points on the frontier of (cost, benefit) means, cost ascending. */
  frontier: number[];
}

function meanOf(point: SweepSummary['points'][number], metric: string): number | null {
  const s = point.metrics[metric];
  return s && typeof s.mean === 'number' ? s.mean : null;
}

export function loadSweep(reportsDir: string, name: string, cost = DEFAULT_COST, benefit = DEFAULT_BENEFIT): SweepView {
  if (!SWEEP_NAME.test(name) || name.includes('..')) throw badRequest('sweep name: letters, digits, ".", "_" and "-" only');
  const dir = resolveUnder(reportsDir, `sweeps/${name}`, 'dir');
  let manifest: unknown;
  try {
    manifest = readJsonFile(join(dir, 'sweep.json'));
  } catch (err) {
    throw notFound(`sweep ${name}: sweep.json: ${(err as Error).message}`);
  }
  let summary: SweepSummary | null = null;
  if (existsSync(join(dir, 'summary.json'))) {
    const json = readJsonFile(join(dir, 'summary.json'));
    if (isRecord(json) && Array.isArray(json.points)) summary = json as unknown as SweepSummary;
  }
  const points = summary?.points ?? [];
  const metrics = [...new Set(points.flatMap((p) => Object.keys(isRecord(p.metrics) ? p.metrics : {})))];
  const params = isRecord(manifest) && isRecord(manifest.grid) ? Object.keys(manifest.grid) : [];
  const frontier = paretoFrontier(points, (p) => meanOf(p, cost), (p) => meanOf(p, benefit));
  return { name, manifest, summary, params, metrics, cost, benefit, frontier };
}
