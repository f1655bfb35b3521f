/**
 * Tune file (JSON or YAML) -> TuneSpec, or one SweepError line naming the file and the field:
 *
 *   scenario: base.json            # relative to the tune file
 *   seeds: { from: 1, count: 6 }   # the most seeds a candidate gets
 *   space: { "noise.ratePerS": [0.1, 1], "packet.paddingMode": [fixed, variable] }   # candidate settings (a grid)
 *   targets: [{ metric: eveWorst.degreeOfAnonymity, min: 0.9 }, { metric: eveWorst.top1OverChance, max: 2 }]
 *   cost: traffic.bandwidthOverhead       # minimised
 *   search: { method: halving, minSeeds: 2, eta: 3 }
 *
 * The byte, JSON and YAML guards are the sweep file's (sim/sweep/sweep-file.ts), and so is the `space` key syntax
 * (a sweep grid's): a tune runs a sweep's cells, a rung at a time.
 */
import { z } from 'zod';
import { SweepError } from '../sweep/sweep-error.ts';
import { checked, gridProblems, loadDataFile, MAX_SWEEP_CELLS, parseDataText, seedsOf } from '../sweep/sweep-file.ts';
import { tuneMetricProblem } from './tune-metrics.ts';

const metric = z.string().min(1).max(200);

const targetSchema = z.strictObject({ metric, min: z.number().optional(), max: z.number().optional() });

const tuneSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(4000).optional(),
  scenario: z.string().min(1).max(1000),
  seeds: z.unknown(),
  space: z.record(z.string().max(200), z.array(z.json()).min(1).max(10_000)),
  targets: z.array(targetSchema).min(1).max(50),
  /** Minimised among the settings that meet every target. */
  cost: metric.default('traffic.bandwidthOverhead'),
  /** The frontier's other axis (higher is better). */
  benefit: metric.default('eveWorst.degreeOfAnonymity'),
  /** Shown beside each frontier point. */
  latency: metric.default('traffic.latencyMs.p95'),
  search: z
    .strictObject({
      method: z.enum(['halving', 'grid']).default('halving'),
      /** Seeds every candidate gets in the first rung. */
      minSeeds: z.number().int().min(1).max(1000).default(2),
      /** Each rung keeps 1/eta of the candidates and gives them eta times the seeds. */
      eta: z.number().min(1.5).max(100).default(3),
    })
    .prefault({}),
});

export interface TuneTarget {
  metric: string;
  /** Exactly one of min (the metric must be >= min) and max (<= max). */
  min: number | null;
  max: number | null;
}

export interface TuneSpec {
  name: string;
  description: string;
  scenario: string;
  seeds: number[];
  space: Array<[path: string, values: unknown[]]>;
  targets: TuneTarget[];
  cost: string;
  benefit: string;
  latency: string;
  search: { method: 'halving' | 'grid'; minSeeds: number; eta: number };
}

function fail(source: string, problem: string): never {
  throw new SweepError(`${source}: ${problem}`);
}

export function parseTuneText(text: string, source: string): TuneSpec {
  const spec = checked(tuneSchema, parseDataText(text, source), source, '');
  const seeds = seedsOf(spec.seeds, source);
  const space = Object.entries(spec.space);
  if (space.length === 0) fail(source, 'space: name at least one scenario field to tune, e.g. "noise.ratePerS": [0.1, 1]');
  const problems = gridProblems(spec.space).map((p) => p.replace(/^grid\./, 'space.'));
  if (problems.length > 0) fail(source, problems[0]);
  spec.targets.forEach((t, i) => {
    const bad = tuneMetricProblem(t.metric);
    if (bad !== null) fail(source, `targets[${i}].metric: ${bad} (got "${t.metric.slice(0, 60)}")`);
    if ((t.min === undefined) === (t.max === undefined)) fail(source, `targets[${i}]: give exactly one of min and max`);
  });
  for (const field of ['cost', 'benefit', 'latency'] as const) {
    const bad = tuneMetricProblem(spec[field]);
    if (bad !== null) fail(source, `${field}: ${bad} (got "${spec[field].slice(0, 60)}")`);
  }
  if (spec.search.minSeeds > seeds.length) fail(source, `search.minSeeds: ${spec.search.minSeeds} is more than the ${seeds.length} seeds listed`);
  const cells = space.reduce((n, [, values]) => n * values.length, seeds.length);
  if (cells > MAX_SWEEP_CELLS) fail(source, `space: ${space.map(([, v]) => v.length).join(' x ')} settings x ${seeds.length} seeds = ${cells} runs at most, more than ${MAX_SWEEP_CELLS}`);
  return {
    name: spec.name ?? source.replace(/^.*[\\/]/, '').replace(/\.(ya?ml|json)$/i, ''),
    description: spec.description ?? '',
    scenario: spec.scenario,
    seeds,
    space,
    targets: spec.targets.map((t) => ({ metric: t.metric, min: t.min ?? null, max: t.max ?? null })),
    cost: spec.cost,
    benefit: spec.benefit,
    latency: spec.latency,
    search: spec.search,
  };
}

/** Reads and validates a tune file. */
export function loadTuneFile(file: string): TuneSpec {
  return loadDataFile(file, parseTuneText);
}
