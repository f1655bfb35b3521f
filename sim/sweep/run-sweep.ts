/**
 * Runs a planned sweep's cells on a pool of worker threads (piscina), `workers` at a time, skipping cells whose
 * report is already in the output directory (a rerun resumes), only this shard's cells (index mod n == i), at
 * most `maxCells` new ones. An abort (Ctrl-C) stops handing out cells and cancels the running ones (their
 * worker threads are terminated); finished cells stay, so the same command later resumes. When every cell of the
 * sweep is in the directory, writes summary.json and summary.csv.
 */
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { cellFile, finishedCells, manifestOf, prepareOutDir } from './out-dir.ts';
import type { Cell, SweepPlan } from './plan.ts';
import type { CellResult, CellTask } from './run-cell.ts';
import { writeSummary, type SweepSummary } from './summary.ts';

const WORKER_URL = new URL('./cell-worker.mjs', import.meta.url).href;

export interface SweepProgress {
  /** Cells finished (or failed) in this invocation, of `toRun`. */
  done: number;
  toRun: number;
  /** This shard's cells already finished by an earlier run. */
  skipped: number;
  failed: number;
  cell: Cell;
  result: CellResult;
  elapsedS: number;
  /** Estimated seconds left (mean wall time per finished cell so far x cells left / workers in use). */
  etaS: number;
}

export interface RunSweepOptions {
  outDir: string;
  workers?: number;
  shard?: { index: number; count: number };
  /** Run at most this many new cells, then stop (the rest on a later run). */
  maxCells?: number;
  /** Run only these cells (by cellId; `paratox tune` runs a sweep's cells a rung at a time). Default: all. */
  only?: ReadonlySet<string>;
  signal?: AbortSignal;
  onStart?: (info: { toRun: number; skipped: number; inShard: number; total: number; workers: number }) => void;
  onProgress?: (p: SweepProgress) => void;
}

export interface SweepOutcome {
  total: number;
  inShard: number;
  skipped: number;
  ran: number;
  failures: Array<{ cell: Cell; errorName: string; message: string }>;
  interrupted: boolean;
  /** Cells of the whole sweep (all shards) now in the directory. */
  finished: number;
  wallSeconds: number;
  /** Written when every cell of the sweep is finished. */
  summary: { summary: SweepSummary; files: string[] } | null;
}

function taskOf(plan: SweepPlan, cell: Cell, outDir: string): CellTask {
  const point = plan.points[cell.point];
  return {
    scenario: point.scenario,
    seed: cell.seed,
    reportFile: cellFile(outDir, cell.cellId),
    scenarioFile: plan.scenarioFile,
    sweepHash: plan.sweepHash,
    cellId: cell.cellId,
    index: cell.index,
    params: point.params,
  };
}

export async function runSweep(plan: SweepPlan, opts: RunSweepOptions): Promise<SweepOutcome> {
  const start = performance.now();
  const manifest = manifestOf(plan);
  prepareOutDir(opts.outDir, manifest);
  const shard = opts.shard ?? { index: 0, count: 1 };
  const inShard = plan.cells.filter((c) => c.index % shard.count === shard.index && (opts.only?.has(c.cellId) ?? true));
  const already = finishedCells(opts.outDir);
  const pending = inShard.filter((c) => !already.has(c.cellId));
  const todo = opts.maxCells === undefined ? pending : pending.slice(0, opts.maxCells);
  const skipped = inShard.length - pending.length;
  const workers = Math.max(1, Math.min(opts.workers ?? 1, todo.length));
  opts.onStart?.({ toRun: todo.length, skipped, inShard: inShard.length, total: plan.cells.length, workers });

  const failures: SweepOutcome['failures'] = [];
  let done = 0;
  let cellSeconds = 0;
  const signal = opts.signal;
  if (todo.length > 0 && !signal?.aborted) {
    const pool = new Piscina<CellTask, CellResult>({ filename: WORKER_URL, minThreads: workers, maxThreads: workers, idleTimeout: 60_000 });
    let next = 0;
    // `workers` lanes, each taking the next cell in order when its last one ends: no queue to drain on abort.
    const lane = async (): Promise<void> => {
      while (next < todo.length && !signal?.aborted) {
        const cell = todo[next++];
        const cellStart = performance.now();
        let result: CellResult;
        try {
          result = await pool.run(taskOf(plan, cell, opts.outDir), { signal: signal ?? null });
        } catch (err) {
          if (signal?.aborted) return; // cancelled by Ctrl-C: the cell wrote nothing and reruns later
          result = { ok: false, cellId: cell.cellId, errorName: (err as Error).name ?? 'Error', message: (err as Error).message ?? String(err) };
        }
        done++;
        cellSeconds += (performance.now() - cellStart) / 1000;
        if (!result.ok) failures.push({ cell, errorName: result.errorName, message: result.message });
        const elapsedS = (performance.now() - start) / 1000;
        const etaS = ((cellSeconds / done) * (todo.length - done)) / workers;
        opts.onProgress?.({ done, toRun: todo.length, skipped, failed: failures.length, cell, result, elapsedS, etaS });
      }
    };
    try {
      await Promise.all(Array.from({ length: workers }, lane));
    } finally {
      await pool.destroy();
    }
  }
  const finished = finishedCells(opts.outDir);
  const complete = plan.cells.every((c) => finished.has(c.cellId));
  return {
    total: plan.cells.length,
    inShard: inShard.length,
    skipped,
    ran: done - failures.length,
    failures,
    interrupted: signal?.aborted ?? false,
    finished: plan.cells.filter((c) => finished.has(c.cellId)).length,
    wallSeconds: (performance.now() - start) / 1000,
    summary: complete ? writeSummary(opts.outDir, manifest) : null,
  };
}
