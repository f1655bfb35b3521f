/**
 * `paratox seeds <scenario.json> --seeds N`: one scenario over N seeds, run sequentially in this process, a
 * progress line per seed on stderr, then mean and 95 % t interval per metric (every numeric leaf of the report's
 * `attacks` section, plus traffic.deliveryRatio). `--set path=value` overrides scenario fields (JSON values, e.g.
 * `--set eclipse.defence='"multi-entry"'` or `--set eclipse.victims=20`), so one file gives a comparison's rows.
 * Deliberately small: parallel sweeps over parameter grids are `paratox sweep` (a later issue).
 */
import { loadScenario, parseScenario } from '../sim/scenario/load-scenario.ts';
import { runScenario } from '../sim/scenario/run-scenario.ts';
import type { Scenario } from '../sim/scenario/schema.ts';
import { numericLeaves, summariseSeeds, type SeedStat } from '../sim/metrics/seed-stats.ts';
import { echo } from '../sim/scenario/echo.ts';
import { fieldPathProblem, setFieldPath } from '../sim/scenario/field-path.ts';
import { UsageError } from './errors.ts';
import { checkOutputs, writeOrRescue } from './output-paths.ts';

export interface SeedsCommandOptions {
  seeds: number;
  first?: number;
  out?: string;
  set?: string[];
  /** Metric paths printed (prefix match); all when empty. */
  show?: string[];
}

export interface SeedsResult {
  scenario: string;
  file: string;
  overrides: Record<string, unknown>;
  /** The scenario the runs used, every default filled in (its own `seed` is not what ran: see `seeds`). */
  resolvedScenario: Scenario;
  seeds: number[];
  metrics: Record<string, SeedStat>;
  runs: Array<{ seed: number; traceHash: string | null; wallSeconds: number; metrics: Record<string, number> }>;
}

/** "a.b.c=JSON" -> sets raw.a.b.c (objects created on the way); a bare word that is not JSON is a string. */
export function applySet(raw: Record<string, unknown>, assignment: string): [string, unknown] {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set expects path=value, got ${echo(assignment)}`);
  const path = assignment.slice(0, eq);
  const problem = fieldPathProblem(path);
  if (problem !== null) throw new UsageError(`--set ${echo(assignment)}: ${problem}`);
  const text = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new UsageError(`--set ${echo(assignment)}: number out of range`);
  setFieldPath(raw, path, value);
  return [path, value];
}

export function runSeeds(file: string, opts: SeedsCommandOptions, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): SeedsResult {
  const base = loadScenario(file);
  const raw = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  const overrides = Object.fromEntries((opts.set ?? []).map((a) => applySet(raw, a)));
  const scenario = parseScenario(raw, `${file} (with --set)`);
  const first = opts.first ?? scenario.seed;
  const seeds = Array.from({ length: opts.seeds }, (_, i) => first + i);
  const runs: SeedsResult['runs'] = [];
  seeds.forEach((seed, i) => {
    const report = runScenario(scenario, { seed, scenarioFile: file });
    const metrics = numericLeaves({ attacks: report.attacks, traffic: { deliveryRatio: report.traffic.deliveryRatio } });
    runs.push({ seed, traceHash: report.traceHash, wallSeconds: report.sim.wallSeconds, metrics });
    const e = report.attacks.eclipse as { victimHarm?: { majorityMaliciousShare: number | null } } | null;
    const headline = e?.victimHarm ? ` majorityMalicious ${fmt(e.victimHarm.majorityMaliciousShare)}` : '';
    log(`seed ${seed} (${i + 1}/${seeds.length}) ${report.sim.wallSeconds.toFixed(1)} s${headline}`);
  });
  return { scenario: scenario.name, file, overrides, resolvedScenario: scenario, seeds, metrics: summariseSeeds(runs.map((r) => r.metrics)), runs };
}

function fmt(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined ? 'n/a' : x.toFixed(digits);
}

export function formatSeeds(result: SeedsResult, show: readonly string[] = []): string {
  const rows = Object.entries(result.metrics).filter(([p]) => show.length === 0 || show.some((s) => p.startsWith(s)));
  const width = Math.max(6, ...rows.map(([p]) => p.length));
  const lines = [`${result.scenario}: ${result.seeds.length} seeds (${result.seeds[0]}..${result.seeds[result.seeds.length - 1]}), mean [95 % CI, t]`];
  for (const [p, s] of rows) lines.push(`${p.padEnd(width)}  ${fmt(s.mean)}  [${s.ci95 ? `${fmt(s.ci95[0])}, ${fmt(s.ci95[1])}` : 'n/a'}]  n=${s.n}`);
  return lines.join('\n');
}

export function seedsCommand(file: string, opts: SeedsCommandOptions): void {
  checkOutputs({ '--out': opts.out }, { 'the scenario file': file });
  const result = runSeeds(file, opts);
  const written = opts.out ? writeOrRescue(opts.out, `${JSON.stringify(result, null, 2)}\n`) : undefined;
  process.stdout.write(`${formatSeeds(result, opts.show)}\n`);
  if (written) process.stdout.write(`written    ${written.path}\n`);
  if (written?.rescued) throw new UsageError(written.rescued);
}
