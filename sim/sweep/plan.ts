/**
 * A sweep file -> its cells: every grid point (the cartesian product of the grid, first parameter slowest) x every
 * seed (fastest), in one deterministic order, so `--shard i/n` (cell index mod n) splits it the same way on every
 * machine. Every grid point's scenario is built and validated here, before any cell runs; all invalid points are
 * reported together, grouped by problem.
 */
import { dirname, isAbsolute, join } from 'node:path';
import { consistencyProblems } from '../scenario/consistency.ts';
import { describeIssues } from '../scenario/describe-issues.ts';
import { loadScenario } from '../scenario/load-scenario.ts';
import { ScenarioError } from '../scenario/scenario-error.ts';
import { scenarioSchema, type Scenario } from '../scenario/schema.ts';
import { canonicalJson, sha256Hex } from './canonical-json.ts';
import { setFieldPath } from '../scenario/field-path.ts';
import { SweepError } from './sweep-error.ts';
import { loadSweepFile, type SweepSpec } from './sweep-file.ts';

export const SWEEP_FORMAT_VERSION = 1;

export interface GridPoint {
  /** Grid parameter -> value, in grid order. */
  params: Record<string, unknown>;
  scenario: Scenario;
}

export interface Cell {
  /** Position in the sweep's cell order (shards split on it). */
  index: number;
  /** Stable: a hash of (params, seed) only, so a rerun finds the cells it already finished. */
  cellId: string;
  point: number;
  seed: number;
}

export interface SweepPlan {
  spec: SweepSpec;
  sweepFile: string;
  scenarioFile: string;
  /** Hash of the parsed sweep file and the resolved base scenario: parts to merge must share it. */
  sweepHash: string;
  points: GridPoint[];
  cells: Cell[];
}

export function cellIdOf(params: Record<string, unknown>, seed: number): string {
  return sha256Hex(canonicalJson({ params, seed })).slice(0, 16);
}

/** Cartesian product of the grid, first parameter slowest; one empty point for an empty grid. */
function gridPoints(grid: SweepSpec['grid']): Array<Record<string, unknown>> {
  let points: Array<Record<string, unknown>> = [{}];
  for (const [path, values] of grid) points = points.flatMap((p) => values.map((v) => ({ ...p, [path]: v })));
  return points;
}

export function describeParams(params: Record<string, unknown>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length > 0 ? parts.join(' ') : '(base scenario)';
}

/** The scenario loader's checks (schema, then consistency), every problem kept: they are grouped across points. */
function checkScenario(raw: unknown): { scenario: Scenario; problems?: undefined } | { problems: string[] } {
  const result = scenarioSchema.safeParse(raw, { reportInput: true });
  if (!result.success) return { problems: describeIssues(result.error.issues) };
  const problems = consistencyProblems(result.data);
  return problems.length > 0 ? { problems } : { scenario: result.data };
}

/** Builds and validates every grid point's scenario; throws one SweepError listing every problem. */
function buildPoints(spec: SweepSpec, base: Scenario, sweepFile: string): GridPoint[] {
  const problems = new Map<string, string[]>();
  const points: GridPoint[] = [];
  for (const params of gridPoints(spec.grid)) {
    const raw = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
    for (const [path, value] of Object.entries(params)) setFieldPath(raw, path, value);
    const checked = checkScenario(raw);
    if ('scenario' in checked) points.push({ params, scenario: checked.scenario });
    for (const problem of checked.problems ?? []) problems.set(problem, [...(problems.get(problem) ?? []), describeParams(params)]);
  }
  if (problems.size === 0) return points;
  const total = gridPoints(spec.grid).length - points.length;
  const listed = [...problems].map(([problem, ps]) => `${problem} [${ps.length} point${ps.length > 1 ? 's' : ''}, e.g. ${ps[0]}]`);
  throw new SweepError(`${sweepFile}: ${total} of ${gridPoints(spec.grid).length} grid points are invalid: ${listed.join('; ')}`);
}

export function planSweep(spec: SweepSpec, sweepFile: string): SweepPlan {
  // Relative stays relative (to the working directory), so a cell's `reproduce` line works on another machine.
  const scenarioFile = isAbsolute(spec.scenario) ? spec.scenario : join(dirname(sweepFile), spec.scenario);
  let base: Scenario;
  try {
    base = loadScenario(scenarioFile);
  } catch (err) {
    if (err instanceof ScenarioError) throw new SweepError(`${sweepFile}: scenario: ${err.message}`);
    throw err;
  }
  const points = buildPoints(spec, base, sweepFile);
  const cells = points.flatMap((p, point) => spec.seeds.map((seed) => ({ cellId: cellIdOf(p.params, seed), point, seed })));
  const sweepHash = sha256Hex(canonicalJson({ format: SWEEP_FORMAT_VERSION, spec, base }));
  return { spec, sweepFile, scenarioFile, sweepHash, points, cells: cells.map((c, index) => ({ index, ...c })) };
}

export function loadSweepPlan(sweepFile: string): SweepPlan {
  return planSweep(loadSweepFile(sweepFile), sweepFile);
}

/** Parses "--shard i/n": 0 <= i < n. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new SweepError(`--shard must be i/n with 0 <= i < n (e.g. 0/4), got ${JSON.stringify(text).slice(0, 40)}`);
  return { index, count };
}
