/**
 * `paratox tune`: a tune file becomes a sweep (space = grid, all seeds) whose cells are run a rung at a time by the
 * sweep engine (worker threads, atomic cell reports, resume after a kill), while search.ts decides which
 * candidates get more seeds. The result, tune.json, holds every candidate's estimate, the cheapest setting that
 * meets the targets, the cost-vs-benefit Pareto frontier (pareto.ts) and the number of runs used.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planSweep, describeParams, type SweepPlan } from '../sweep/plan.ts';
import { cellFile, writeFileAtomic } from '../sweep/out-dir.ts';
import { runSweep, type RunSweepOptions, type SweepOutcome } from '../sweep/run-sweep.ts';
import { SweepError } from '../sweep/sweep-error.ts';
import type { SeedStat } from '../metrics/seed-stats.ts';
import { paretoFrontier } from './pareto.ts';
import { search, type Estimate, type Rung, type Runs } from './search.ts';
import { loadTuneFile, type TuneSpec, type TuneTarget } from './tune-file.ts';
import { tuneMetric } from './tune-metrics.ts';

export const TUNE_FORMAT_VERSION = 1;

export interface CandidateSummary {
  index: number;
  params: Record<string, unknown>;
  seeds: number;
  meets: boolean;
  meetsSurely: boolean;
  /** Per target metric, plus cost, benefit and latency: mean and 95 % interval over this candidate's seeds. */
  metrics: Record<string, SeedStat>;
}

export interface TuneResult {
  paratoxTune: number;
  name: string;
  tuneFile: string;
  scenarioFile: string;
  sweepHash: string;
  targets: TuneTarget[];
  cost: string;
  benefit: string;
  latency: string;
  search: TuneSpec['search'] & { maxSeeds: number };
  rungs: Rung[];
  runs: number;
  gridRuns: number;
  candidates: CandidateSummary[];
  /** Index into candidates; null when no setting met every target with every seed. */
  best: number | null;
  /** Indices into candidates, cost ascending: none of them is both dearer and less anonymous than another. */
  frontier: number[];
}

export interface TuneRunOptions extends Pick<RunSweepOptions, 'workers' | 'signal' | 'onStart' | 'onProgress'> {
  outDir: string;
  /** Called before each rung's cells run. */
  onRung?: (info: { rung: number; candidates: number; seeds: number }) => void;
}

/** The tune as a sweep: the space is the grid, every seed listed; `metrics` tells the summary what to keep. */
export function planTune(spec: TuneSpec, tuneFile: string): SweepPlan {
  const metrics = [...new Set([spec.cost, spec.benefit, spec.latency, ...spec.targets.map((t) => t.metric)])].map((m) =>
    m.startsWith('eveWorst.') ? 'attacks.eveByMethod' : m,
  );
  return planSweep({ name: spec.name, description: spec.description, scenario: spec.scenario, seeds: spec.seeds, grid: spec.space, metrics: [...new Set(metrics)] }, tuneFile);
}

function readMetrics(outDir: string, cellId: string, paths: readonly string[]): Record<string, number> {
  const file = cellFile(outDir, cellId);
  let report: unknown;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SweepError(`${file}: unreadable cell report (${(err as Error).message.split('\n')[0]}); delete it and rerun the tune`);
  }
  const out: Record<string, number> = {};
  for (const p of paths) {
    const v = tuneMetric(report, p);
    if (v !== null) out[p] = v;
  }
  return out;
}

export class TuneInterrupted extends Error {
  constructor(readonly outcome: SweepOutcome) {
    super('interrupted');
  }
}

/** A tune file read and planned (every setting's scenario validated): what runTune runs. */
export function prepareTune(tuneFile: string): { spec: TuneSpec; plan: SweepPlan } {
  const spec = loadTuneFile(tuneFile);
  return { spec, plan: planTune(spec, tuneFile) };
}

/** `prepared`: the caller's prepareTune(tuneFile), so the file is read and every scenario validated once. */
export async function runTune(tuneFile: string, opts: TuneRunOptions, prepared = prepareTune(tuneFile)): Promise<TuneResult> {
  const { spec, plan } = prepared;
  const paths = [...new Set([...spec.targets.map((t) => t.metric), spec.cost, spec.benefit, spec.latency])];
  const cellOf = new Map(plan.cells.map((c) => [`${c.point}/${c.seed}`, c]));
  let rung = 0;
  const measure = async (candidates: readonly number[], seeds: number): Promise<Map<number, Runs>> => {
    const wanted = candidates.flatMap((p) => spec.seeds.slice(0, seeds).map((s) => cellOf.get(`${p}/${s}`)!));
    opts.onRung?.({ rung: rung++, candidates: candidates.length, seeds });
    const outcome = await runSweep(plan, { ...opts, only: new Set(wanted.map((c) => c.cellId)) });
    if (outcome.interrupted) throw new TuneInterrupted(outcome);
    const f = outcome.failures[0];
    if (f) throw new SweepError(`${outcome.failures.length} run(s) failed (first: seed ${f.cell.seed} ${describeParams(plan.points[f.cell.point].params)}: ${f.errorName}: ${f.message}); rerun to retry`);
    return new Map(candidates.map((p) => [p, spec.seeds.slice(0, seeds).map((s) => readMetrics(opts.outDir, cellOf.get(`${p}/${s}`)!.cellId, paths))]));
  };
  const found = await search({ candidates: plan.points.length, maxSeeds: spec.seeds.length, ...spec.search, targets: spec.targets, cost: spec.cost }, measure);
  const candidates = found.estimates.map((e: Estimate) => ({
    index: e.candidate,
    params: plan.points[e.candidate].params,
    seeds: e.seeds,
    meets: e.meets,
    meetsSurely: e.meetsSurely,
    metrics: e.metrics,
  }));
  const result: TuneResult = {
    paratoxTune: TUNE_FORMAT_VERSION,
    name: spec.name,
    tuneFile,
    scenarioFile: plan.scenarioFile,
    sweepHash: plan.sweepHash,
    targets: spec.targets,
    cost: spec.cost,
    benefit: spec.benefit,
    latency: spec.latency,
    search: { ...spec.search, maxSeeds: spec.seeds.length },
    rungs: found.rungs,
    runs: found.runs,
    gridRuns: found.gridRuns,
    candidates,
    best: found.best,
    frontier: paretoFrontier(candidates, (c) => c.metrics[spec.cost]?.mean ?? null, (c) => c.metrics[spec.benefit]?.mean ?? null),
  };
  writeFileAtomic(join(opts.outDir, 'tune.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
