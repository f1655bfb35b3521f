/**
 * Sweep file (JSON or YAML) -> SweepSpec, or one SweepError line naming the file and the field:
 * `{ scenario, seeds: [1, 2, 3] | { from, count }, grid?: { "<field.path>": [values] }, metrics?: [report paths] }`.
 * Bytes go through the scenario loader's guards (size, encoding: sim/scenario/scenario-text.ts); JSON through its
 * depth-bounded parser; YAML through the `yaml` package (core schema: no dates, no custom tags).
 */
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { describeIssues } from '../scenario/describe-issues.ts';
import { parseScenarioJson } from '../scenario/json-text.ts';
import { ScenarioError } from '../scenario/scenario-error.ts';
import { decodeScenarioBytes, readScenarioBytes } from '../scenario/scenario-text.ts';
import { canonicalJson } from './canonical-json.ts';
import { gridPathProblem } from '../scenario/field-path.ts';
import { SweepError } from './sweep-error.ts';

/** A limit on everything: a sweep larger than this is a mistake (or several sweeps). */
export const MAX_SWEEP_CELLS = 100_000;

const seed = z.number().int().min(0).max(2 ** 32 - 1);
const seedList = z.array(seed).min(1).max(MAX_SWEEP_CELLS);
const seedRange = z.strictObject({ from: seed, count: z.number().int().min(1).max(MAX_SWEEP_CELLS) });

/** A report path: dot-separated field names ("traffic.latencyMs.p95", or a section: all its numbers). */
const reportPath = z.string().regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'must be a report path like "traffic.deliveryRatio"');

const sweepSchema = z.strictObject({
  /** Shown in summaries and the CSV's `sweep` column; default: the sweep file's name. */
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(4000).optional(),
  /** The base scenario, relative to the sweep file. */
  scenario: z.string().min(1).max(1000),
  /** Checked separately (seedList or seedRange), so an error names the field inside the form used. */
  seeds: z.unknown(),
  grid: z.record(z.string().max(200), z.array(z.json()).min(1).max(10_000)).default({}),
  metrics: z.array(reportPath).min(1).max(1000).optional(),
});

export interface SweepSpec {
  name: string;
  description: string;
  /** The base scenario file as written in the sweep file (relative to it). */
  scenario: string;
  seeds: number[];
  /** Grid parameters in file order (the first one varies slowest in the cell order). */
  grid: Array<[path: string, values: unknown[]]>;
  /** Report paths summarised; null: the default set (sweep-metrics.ts). */
  metrics: string[] | null;
}

function fail(source: string, problems: readonly string[]): never {
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1, 3).join('; ')}${problems.length > 3 ? '; ...' : ''})` : '';
  throw new SweepError(`${source}: ${problems[0]}${more}`);
}

export function checked<T>(schema: z.ZodType<T>, value: unknown, source: string, prefix: string): T {
  const r = schema.safeParse(value, { reportInput: true });
  if (!r.success) fail(source, describeIssues(r.error.issues.map((i) => ({ ...i, path: prefix === '' ? i.path : [prefix, ...i.path] }))));
  return r.data;
}

export function seedsOf(value: unknown, source: string): number[] {
  if (value === undefined) fail(source, ['seeds: required field is missing (a list [1, 2, 3] or { from, count })']);
  const seeds = Array.isArray(value) ? checked(seedList, value, source, 'seeds') : seedRangeList(checked(seedRange, value, source, 'seeds'), source);
  const seen = new Set<number>();
  const dup = seeds.find((s) => seen.size === seen.add(s).size);
  if (dup !== undefined) fail(source, [`seeds: seed ${dup} is listed twice`]);
  return seeds;
}

function seedRangeList(r: { from: number; count: number }, source: string): number[] {
  if (r.from + r.count - 1 > 2 ** 32 - 1) fail(source, [`seeds: from + count - 1 = ${r.from + r.count - 1} is above the largest seed (${2 ** 32 - 1})`]);
  return Array.from({ length: r.count }, (_, i) => r.from + i);
}

export function gridProblems(grid: Record<string, unknown[]>): string[] {
  const problems: string[] = [];
  for (const [path, values] of Object.entries(grid)) {
    const bad = gridPathProblem(path);
    if (bad !== null) problems.push(`grid.${path}: ${bad}`);
    const seen = new Set<string>();
    const dup = values.map(canonicalJson).find((t) => seen.size === seen.add(t).size);
    if (dup !== undefined) problems.push(`grid.${path}: value ${dup.slice(0, 40)} is listed twice`);
  }
  return problems;
}

/** Parses sweep-file text (YAML unless the name ends in .json) into a validated SweepSpec. */
export function parseSweepText(text: string, source: string): SweepSpec {
  const spec = checked(sweepSchema, parseDataText(text, source), source, '');
  const seeds = seedsOf(spec.seeds, source);
  const problems = gridProblems(spec.grid);
  if (problems.length > 0) fail(source, problems);
  const grid = Object.entries(spec.grid);
  const cells = grid.reduce((n, [, values]) => n * values.length, seeds.length);
  if (cells > MAX_SWEEP_CELLS) fail(source, [`grid: ${grid.map(([, v]) => v.length).join(' x ')} points x ${seeds.length} seeds = ${cells} cells, more than ${MAX_SWEEP_CELLS}`]);
  return {
    name: spec.name ?? source.replace(/^.*[\\/]/, '').replace(/\.(ya?ml|json)$/i, ''),
    description: spec.description ?? '',
    scenario: spec.scenario,
    seeds,
    grid,
    metrics: spec.metrics ?? null,
  };
}

/** Sweep or tune file text -> plain data: JSON when the name ends in .json (depth-bounded parser), YAML otherwise. */
export function parseDataText(text: string, source: string): unknown {
  return extname(source).toLowerCase() === '.json' ? parseScenarioJson(text, source) : parseYamlText(text, source);
}

function parseYamlText(text: string, source: string): unknown {
  try {
    // A YAML value that JSON cannot hold (.inf, .nan) is caught by the schemas: numbers must be finite.
    return parseYaml(text, { schema: 'core', maxAliasCount: 1000 });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const at = err.linePos ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '';
      throw new SweepError(`${source}: invalid YAML: ${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}${at}`);
    }
    throw new SweepError(`${source}: cannot parse YAML (${err instanceof RangeError ? 'nested too deeply' : String(err)})`);
  }
}

/** Reads a sweep or tune file through the scenario loader's byte guards and parses it with `parse`. */
export function loadDataFile<T>(file: string, parse: (text: string, source: string) => T): T {
  try {
    return parse(decodeScenarioBytes(readScenarioBytes(file), file), file);
  } catch (err) {
    // The scenario loader's byte and JSON guards throw ScenarioError; here they are about a sweep or tune file.
    if (err instanceof ScenarioError && !(err instanceof SweepError)) throw new SweepError(err.message);
    throw err;
  }
}

/** Reads and validates a sweep file. */
export function loadSweepFile(file: string): SweepSpec {
  return loadDataFile(file, parseSweepText);
}
