/**
 * A sweep's output directory: `sweep.json` (the manifest: which sweep, every cell), `cells/<cellId>.json` (one
 * report per finished cell), `summary.json` and `summary.csv` once every cell is there. Every file is written
 * atomically (temporary file, then rename), so a killed run leaves finished cells whole and nothing half-written:
 * a cell file that exists is a finished cell.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { SweepPlan } from './plan.ts';
import { SWEEP_FORMAT_VERSION } from './plan.ts';
import { SweepError } from './sweep-error.ts';

export interface SweepManifest {
  paratoxSweep: number;
  name: string;
  sweepHash: string;
  sweepFile: string;
  scenarioFile: string;
  seeds: number[];
  grid: Record<string, unknown[]>;
  metrics: string[] | null;
  cells: Array<{ index: number; cellId: string; seed: number; params: Record<string, unknown> }>;
}

const TMP_MARK = '.tmp-';

/** Writes `text` to `file` atomically: a reader (or a rerun) sees the old file or the whole new one. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}${TMP_MARK}${process.pid}-${threadId}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export const cellsDir = (dir: string): string => join(dir, 'cells');
export const cellFile = (dir: string, cellId: string): string => join(dir, 'cells', `${cellId}.json`);
export const manifestFile = (dir: string): string => join(dir, 'sweep.json');

export function manifestOf(plan: SweepPlan): SweepManifest {
  return {
    paratoxSweep: SWEEP_FORMAT_VERSION,
    name: plan.spec.name,
    sweepHash: plan.sweepHash,
    sweepFile: plan.sweepFile,
    scenarioFile: plan.spec.scenario,
    seeds: plan.spec.seeds,
    grid: Object.fromEntries(plan.spec.grid),
    metrics: plan.spec.metrics,
    cells: plan.cells.map((c) => ({ index: c.index, cellId: c.cellId, seed: c.seed, params: plan.points[c.point].params })),
  };
}

export function readManifest(dir: string): SweepManifest | null {
  const file = manifestFile(dir);
  if (!existsSync(file)) return null;
  let m: SweepManifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as SweepManifest;
  } catch (err) {
    throw new SweepError(`${file}: not a sweep manifest (${(err as Error).message.split('\n')[0]})`);
  }
  if (m?.paratoxSweep !== SWEEP_FORMAT_VERSION || typeof m.sweepHash !== 'string' || !Array.isArray(m.cells)) {
    throw new SweepError(`${file}: not a sweep manifest of format ${SWEEP_FORMAT_VERSION}`);
  }
  return m;
}

/**
 * Makes `dir` ready for `manifest`'s cells: creates it, or checks that it already holds the same sweep (a rerun
 * resumes there), and removes temporary files a killed run left behind.
 */
export function prepareOutDir(dir: string, manifest: SweepManifest): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new SweepError(`--out-dir ${dir}: is a file, not a directory`);
  const existing = readManifest(dir);
  if (existing !== null && existing.sweepHash !== manifest.sweepHash) {
    throw new SweepError(
      `${dir} holds another sweep (hash ${existing.sweepHash.slice(0, 12)}, this one ${manifest.sweepHash.slice(0, 12)}: the sweep or its scenario changed); use another --out-dir or remove it`,
    );
  }
  try {
    mkdirSync(cellsDir(dir), { recursive: true });
    if (existing === null) writeFileAtomic(manifestFile(dir), `${JSON.stringify(manifest, null, 2)}\n`);
    for (const f of readdirSync(cellsDir(dir))) if (f.includes(TMP_MARK)) unlinkSync(join(cellsDir(dir), f));
  } catch (err) {
    throw new SweepError(`--out-dir ${dir}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** cellIds with a finished report in `dir`. */
export function finishedCells(dir: string): Set<string> {
  if (!existsSync(cellsDir(dir))) return new Set();
  return new Set(readdirSync(cellsDir(dir)).filter((f) => /^[0-9a-f]{16}\.json$/.test(f)).map((f) => f.slice(0, 16)));
}
