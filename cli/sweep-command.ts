/**
 * `paratox sweep <sweep.yaml|json> [--workers N] [--shard i/n] [--out-dir DIR] [--max-cells K]`: a grid of
 * scenario fields x seeds on worker threads (sim/sweep/), with a progress bar on a terminal (a line per cell
 * otherwise) and an ETA. Resumable: finished cells are kept in DIR/cells and skipped by a rerun; Ctrl-C stops
 * cleanly (exit 130). The multi-seed mode of `paratox seeds` is the special case of an empty grid.
 */
import { availableParallelism } from 'node:os';
import cliProgress from 'cli-progress';
import { loadSweepPlan, parseShard, describeParams, type SweepPlan } from '../sim/sweep/plan.ts';
import { runSweep, type SweepOutcome, type SweepProgress } from '../sim/sweep/run-sweep.ts';
import type { SweepSummary } from '../sim/sweep/summary.ts';
import { UsageError } from './errors.ts';

export interface SweepCommandOptions {
  workers?: number;
  shard?: string;
  outDir?: string;
  maxCells?: number;
  quiet?: boolean;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

export function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 90) return `${s.toFixed(0)} s`;
  return s < 5400 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`;
}

/** A live bar on a terminal; one line per finished cell otherwise (CI and batch logs); nothing with --quiet. */
export function sweepProgress(plan: SweepPlan, quiet: boolean): { update: (p: SweepProgress) => void; start: (toRun: number) => void; done: () => void } {
  const label = (p: SweepProgress) => `#${p.cell.index} seed ${p.cell.seed} ${describeParams(plan.points[p.cell.point].params)}`;
  if (quiet) return { start: () => {}, update: () => {}, done: () => {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: `${plan.spec.name} [{bar}] {value}/{total} cells | {failed} failed | ETA {etaText} | {last}`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    return {
      start: (toRun) => bar.start(toRun, 0, { failed: 0, etaText: '?', last: '' }),
      update: (p) => bar.update(p.done, { failed: p.failed, etaText: duration(p.etaS), last: label(p) }),
      done: () => bar.stop(),
    };
  }
  return {
    start: () => {},
    update: (p) =>
      log(`cell ${p.done}/${p.toRun} ${p.result.ok ? `${p.result.wallSeconds.toFixed(1)} s` : `FAILED (${p.result.errorName})`} ${label(p)} | ETA ${duration(p.etaS)}`),
    done: () => {},
  };
}

function fmt(x: number | undefined): string {
  return x === undefined ? 'n/a' : Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(3);
}

/** One line per grid point: the first metrics' means +- half their 95 % interval (all of them in summary.json). */
export function formatSummary(summary: SweepSummary, maxMetrics = 8): string {
  return summary.points
    .map((p) => {
      const ms = Object.entries(p.metrics).slice(0, maxMetrics);
      const text = ms.map(([k, s]) => `${k} ${fmt(s.mean)}${s.ci95 ? ` ±${fmt((s.ci95[1] - s.ci95[0]) / 2)}` : ''}`).join('  ');
      return `  ${describeParams(p.params)} (n=${p.cells.length}): ${text}`;
    })
    .join('\n');
}

function report(outcome: SweepOutcome, outDir: string, sharded: boolean): void {
  const failed = outcome.failures.length;
  log(`${outcome.ran} cells run, ${outcome.skipped} skipped (finished earlier), ${failed} failed in ${outcome.wallSeconds.toFixed(1)} s; ${outcome.finished}/${outcome.total} cells of the sweep in ${outDir}`);
  if (outcome.summary) {
    process.stdout.write(`${outcome.summary.summary.name}: mean ±95 % CI over seeds per grid point\n${formatSummary(outcome.summary.summary)}\n`);
    process.stdout.write(`summary    ${outcome.summary.files.join(', ')}\n`);
    if (outcome.summary.summary.missingMetrics.length > 0) log(`warning: no cell report has ${outcome.summary.summary.missingMetrics.join(', ')}`);
  } else if (!outcome.interrupted && failed === 0) {
    log(sharded ? `shard finished; when every shard is done: paratox merge <their out-dirs> --out <dir>` : `not finished yet: rerun the same command to run the rest`);
  }
}

export async function sweepCommand(file: string, opts: SweepCommandOptions): Promise<void> {
  const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
  const plan = loadSweepPlan(file); // validates every grid point before anything runs
  const outDir = opts.outDir ?? `reports/sweeps/${plan.spec.name}`;
  const progress = sweepProgress(plan, opts.quiet ?? false);
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  let outcome: SweepOutcome;
  try {
    outcome = await runSweep(plan, {
      outDir,
      workers: opts.workers ?? availableParallelism(),
      shard,
      maxCells: opts.maxCells,
      signal: abort.signal,
      onStart: (s) => {
        const part = shard ? `, shard ${shard.index}/${shard.count}: ${s.inShard}` : '';
        log(`sweep ${plan.spec.name}: ${s.total} cells${part}; ${s.skipped} already finished (skipped), ${s.toRun} to run on ${s.workers} worker${s.workers === 1 ? '' : 's'} -> ${outDir}`);
        progress.start(s.toRun);
      },
      onProgress: progress.update,
    });
  } finally {
    progress.done();
    process.removeListener('SIGINT', onSigint);
  }
  report(outcome, outDir, shard !== undefined);
  if (outcome.interrupted) {
    log(`interrupted: finished cells are kept in ${outDir}; rerun the same command to resume`);
    process.exitCode = 130;
    return;
  }
  const f = outcome.failures[0];
  if (f) {
    const what = `${outcome.failures.length} cell${outcome.failures.length > 1 ? 's' : ''} failed (first: #${f.cell.index} seed ${f.cell.seed} ${describeParams(plan.points[f.cell.point].params)}: ${f.errorName}: ${f.message}); the others are kept, a rerun retries the failed ones`;
    // A run over its budget is the scenario's problem (exit 2); anything else in a cell is a bug (exit 1).
    if (f.errorName === 'ScenarioError' || f.errorName === 'RunBudgetError') throw new UsageError(what);
    throw new Error(what);
  }
}
