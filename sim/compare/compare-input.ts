/**
 * The two things `paratox compare` accepts, read into one shape each: a run report (`paratox run --out`: one
 * value per metric) or a multi-seed result (`paratox seeds --out`: mean, sd and n per metric). Metric paths are
 * the report's dot paths (sim/metrics/seed-stats.ts numericLeaves), so one tolerance file serves both.
 */
import { numericLeaves, type SeedStat } from '../metrics/seed-stats.ts';
import { echo } from '../scenario/echo.ts';
import { got } from '../scenario/describe-issues.ts';
import { CompareError } from './compare-error.ts';
import { readDataFile } from './read-data-file.ts';

export interface ReportInput {
  kind: 'report';
  file: string;
  scenarioName: string;
  /** The resolved scenario with `seed` set to the run's seed (a different seed is a different run). */
  scenario: Record<string, unknown>;
  values: Record<string, number>;
}

export interface SeedsInput {
  kind: 'seeds';
  file: string;
  scenarioName: string;
  /** The seeds file names its scenario and its --set overrides: what identifies the runs ... */
  overrides: Record<string, unknown>;
  /** ... and, from files written since it was added, the resolved scenario (null in older files). */
  resolvedScenario: Record<string, unknown> | null;
  seeds: number[];
  stats: Record<string, SeedStat>;
}

export type CompareInput = ReportInput | SeedsInput;

/** Report sections holding metrics; `scenario`, `reproduce` and the trace hash are not metrics. */
const METRIC_SECTIONS = ['sim', 'traffic', 'attacks', 'protocol'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function fail(file: string, field: string, problem: string): never {
  throw new CompareError(`${file}: ${field}: ${problem}`);
}

function readReport(file: string, json: Record<string, unknown>): ReportInput {
  if (typeof json.paratox !== 'number') fail(file, 'paratox', `expected the report format version (a number), got ${got(json.paratox)}`);
  if (!isRecord(json.scenario)) fail(file, 'scenario', `expected the resolved scenario (an object), got ${got(json.scenario)}`);
  if (typeof json.scenario.name !== 'string') fail(file, 'scenario.name', `expected a string, got ${got(json.scenario.name)}`);
  if (!Number.isSafeInteger(json.seed)) fail(file, 'seed', `expected an integer, got ${got(json.seed)}`);
  for (const section of ['traffic', 'attacks'] as const) {
    if (!isRecord(json[section])) fail(file, section, `expected an object, got ${got(json[section])}`);
  }
  const sections = Object.fromEntries(METRIC_SECTIONS.filter((s) => isRecord(json[s])).map((s) => [s, json[s]]));
  return {
    kind: 'report',
    file,
    scenarioName: json.scenario.name,
    scenario: { ...json.scenario, seed: json.seed },
    values: numericLeaves(sections),
  };
}

function readStat(file: string, path: string, stat: unknown): SeedStat {
  const at = `metrics[${echo(path)}]`;
  if (!isRecord(stat)) fail(file, at, `expected { n, mean, sd, ... }, got ${got(stat)}`);
  if (!Number.isSafeInteger(stat.n) || (stat.n as number) < 1) fail(file, `${at}.n`, `expected an integer >= 1, got ${got(stat.n)}`);
  if (typeof stat.mean !== 'number') fail(file, `${at}.mean`, `expected a number, got ${got(stat.mean)}`);
  if (typeof stat.sd !== 'number' || stat.sd < 0) fail(file, `${at}.sd`, `expected a number >= 0, got ${got(stat.sd)}`);
  return stat as unknown as SeedStat;
}

function readSeeds(file: string, json: Record<string, unknown>): SeedsInput {
  if (typeof json.scenario !== 'string') fail(file, 'scenario', `expected the scenario name (a string), got ${got(json.scenario)}`);
  if (!Array.isArray(json.seeds) || !json.seeds.every((s) => Number.isSafeInteger(s))) fail(file, 'seeds', `expected an array of integers, got ${got(json.seeds)}`);
  if (json.overrides !== undefined && !isRecord(json.overrides)) fail(file, 'overrides', `expected an object, got ${got(json.overrides)}`);
  if (json.resolvedScenario !== undefined && !isRecord(json.resolvedScenario)) fail(file, 'resolvedScenario', `expected the resolved scenario (an object), got ${got(json.resolvedScenario)}`);
  if (!isRecord(json.metrics)) fail(file, 'metrics', `expected an object of metric path -> statistics, got ${got(json.metrics)}`);
  const stats = Object.fromEntries(Object.entries(json.metrics).map(([p, s]) => [p, readStat(file, p, s)]));
  return { kind: 'seeds', file, scenarioName: json.scenario, overrides: (json.overrides as Record<string, unknown>) ?? {}, resolvedScenario: (json.resolvedScenario as Record<string, unknown>) ?? null, seeds: json.seeds as number[], stats };
}

/** A parsed run report or seeds result; anything else is one CompareError line naming the file and field. */
export function parseCompareInput(json: unknown, file: string): CompareInput {
  if (!isRecord(json)) throw new CompareError(`${file}: expected a run report or a seeds result (a JSON object), got ${got(json)}`);
  if ('metrics' in json && 'seeds' in json) return readSeeds(file, json);
  if ('paratox' in json && 'scenario' in json) return readReport(file, json);
  throw new CompareError(
    `${file}: neither a run report (paratox run --out: fields paratox, scenario, traffic, attacks) nor a seeds result (paratox seeds --out: fields scenario, seeds, metrics)`,
  );
}

export function readCompareInput(file: string): CompareInput {
  return parseCompareInput(readDataFile(file), file);
}
