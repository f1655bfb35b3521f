/**
 * `paratox tune <tune.yaml> [--workers N] [--out-dir DIR]`: the cheapest setting in the tune file's space that meets
 * every target, found by successive halving over seeds (sim/tune/), with the cost-vs-benefit Pareto frontier and
 * latency beside it. Says how many runs it used against the full grid's. Exit 0 when a setting meets the targets,
 * 1 when none does (a result, like a regression in `paratox compare`), 2 on bad input, 130 on Ctrl-C (finished runs
 * are kept; a rerun reuses them).
 */
import { availableParallelism } from 'node:os';
import { describeParams } from '../sim/sweep/plan.ts';
import { prepareTune, runTune, TuneInterrupted, type CandidateSummary, type TuneResult } from '../sim/tune/run-tune.ts';
import { formatNumber } from '../sim/compare/format-comparison.ts';
import { duration, sweepProgress } from './sweep-command.ts';

export interface TuneCommandOptions {
  workers?: number;
  outDir?: string;
  quiet?: boolean;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function stat(c: CandidateSummary, metric: string, withCi = true): string {
  const s = c.metrics[metric];
  if (s === undefined) return 'n/a';
  return withCi && s.ci95 ? `${formatNumber(s.mean)} ±${formatNumber((s.ci95[1] - s.ci95[0]) / 2)}` : formatNumber(s.mean);
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}`).join('\n');
}

/** The printed result: search effort, the chosen setting with its targets, the frontier. */
export function formatTune(r: TuneResult): string {
  const lines: string[] = [];
  const how = r.search.method === 'grid' ? 'full grid' : `successive halving (eta ${r.search.eta}, from ${r.search.minSeeds} seed${r.search.minSeeds > 1 ? 's' : ''})`;
  lines.push(`${r.name}: ${r.candidates.length} settings x up to ${r.search.maxSeeds} seeds, ${how}`);
  r.rungs.forEach((g, i) => {
    const dropped = g.droppedSure + g.droppedRank > 0 ? `; dropped ${g.droppedSure} missing a target for sure, ${g.droppedRank} by rank` : '';
    lines.push(`  rung ${i + 1}: ${g.candidates} setting${g.candidates === 1 ? '' : 's'} x ${g.seeds} seed${g.seeds === 1 ? '' : 's'} (${g.newRuns} new runs)${dropped}`);
  });
  lines.push(`used ${r.runs} runs (the full grid: ${r.gridRuns})`);
  const targetText = (c: CandidateSummary) =>
    r.targets.map((t) => `${t.metric} ${stat(c, t.metric)} ${t.min !== null ? `>= ${t.min}` : `<= ${t.max}`}`).join('; ');
  if (r.best === null) {
    const closest = [...r.candidates].sort((a, b) => b.seeds - a.seeds || a.index - b.index)[0];
    lines.push(`no setting meets every target with all ${r.search.maxSeeds} seeds; most-measured: ${describeParams(closest.params)}: ${targetText(closest)}`);
  } else {
    const b = r.candidates[r.best];
    lines.push(`cheapest setting meeting every target (${b.seeds} seeds, ${b.meetsSurely ? 'every 95 % interval inside the targets' : 'on the mean; some 95 % interval crosses a target'}):`);
    lines.push(`  ${describeParams(b.params)}`);
    lines.push(`  ${r.cost} ${stat(b, r.cost)}, ${r.latency} ${stat(b, r.latency)}; ${targetText(b)}`);
  }
  lines.push(`Pareto frontier (${r.cost} against ${r.benefit}; mean over the seeds each setting got):`);
  const rows = [[r.cost, r.benefit, r.latency, 'seeds', 'meets', 'setting']];
  for (const i of r.frontier) {
    const c = r.candidates[i];
    rows.push([stat(c, r.cost, false), stat(c, r.benefit, false), stat(c, r.latency, false), String(c.seeds), c.meets ? (i === r.best ? 'best' : 'yes') : 'no', describeParams(c.params)]);
  }
  lines.push(rows.length > 1 ? table(rows) : '  (no setting reported both figures)');
  return lines.join('\n');
}

export async function tuneCommand(file: string, opts: TuneCommandOptions): Promise<number> {
  const prepared = prepareTune(file); // validates every setting before anything runs
  const { spec, plan } = prepared;
  const outDir = opts.outDir ?? `reports/tune/${spec.name}`;
  const quiet = opts.quiet ?? false;
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  let result: TuneResult;
  let progress = sweepProgress(plan, true);
  try {
    result = await runTune(file, {
      outDir,
      workers: opts.workers ?? availableParallelism(),
      signal: abort.signal,
      onRung: ({ rung, candidates, seeds }) => {
        if (!quiet) log(`rung ${rung + 1}: ${candidates} setting${candidates === 1 ? '' : 's'} x ${seeds} seed${seeds === 1 ? '' : 's'}`);
      },
      onStart: (s) => {
        progress.done();
        progress = sweepProgress(plan, quiet);
        if (!quiet) log(`  ${s.skipped} runs reused, ${s.toRun} to run on ${s.workers} worker${s.workers === 1 ? '' : 's'} -> ${outDir}`);
        progress.start(s.toRun);
      },
      onProgress: (p) => progress.update(p),
    }, prepared);
  } catch (err) {
    if (err instanceof TuneInterrupted) {
      log(`interrupted after ${duration(err.outcome.wallSeconds)}: finished runs are kept in ${outDir}; rerun the same command to resume`);
      return 130;
    }
    throw err;
  } finally {
    progress.done();
    process.removeListener('SIGINT', onSigint);
  }
  process.stdout.write(`${formatTune(result)}\nresult     ${outDir}/tune.json\n`);
  return result.best === null ? 1 : 0;
}
