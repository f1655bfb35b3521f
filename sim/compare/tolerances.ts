/**
 * The tolerance table: per report metric path, which way is better and how much change is tolerated. Kept in a
 * committed file (reports/tolerances.json) so a tolerance is reviewed like code. Format (README.md here):
 *   { "description"?: string,
 *     "metrics":    { "<path>": { "direction": "higher-is-better" | "lower-is-better" | "equal", "abs"?: x, "rel"?: y, "why"?: string } },
 *     "scenarios"?: { "<scenario name>": { "<path>": same } } }   // replaces the default spec for that scenario
 * A path is a report path with dots ("traffic.latencyMs.p95"); a `*` segment matches any one segment
 * ("attacks.eveByMethod.*.top1"). The allowed change is max(abs, rel x |baseline|); both default to 0.
 */
import { echo } from '../scenario/echo.ts';
import { got } from '../scenario/describe-issues.ts';
import { CompareError } from './compare-error.ts';
import { readDataFile } from './read-data-file.ts';

export const DIRECTIONS = ['higher-is-better', 'lower-is-better', 'equal'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export interface Tolerance {
  direction: Direction;
  abs: number;
  rel: number;
}

export interface ToleranceTable {
  /** Where the table came from, for messages. */
  source: string;
  metrics: ReadonlyMap<string, Tolerance>;
  /** Per scenario name: specs that replace the defaults for that scenario's metrics. */
  scenarios: ReadonlyMap<string, ReadonlyMap<string, Tolerance>>;
}

/** Enough for every metric of every report section several times over; a bigger file is a mistake. */
const MAX_ENTRIES = 10_000;
const SPEC_FIELDS = new Set(['direction', 'abs', 'rel', 'why']);
const TOP_FIELDS = new Set(['description', 'metrics', 'scenarios']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `metrics["traffic.deliveryRatio"].abs`: keys with dots stay readable as one key. */
function where(...keys: string[]): string {
  return keys.map((k, i) => (i === 0 ? k : `[${echo(k)}]`)).join('');
}

function checkPath(path: string, at: string): void {
  if (path.length === 0 || path.split('.').some((s) => s.length === 0)) throw new Error(`${at}: a metric path needs non-empty dot-separated segments`);
  if (path.split('.').some((s) => s.includes('*') && s !== '*')) throw new Error(`${at}: "*" must be a whole segment (e.g. attacks.eveByMethod.*.top1)`);
}

function parseSpec(spec: unknown, at: string): Tolerance {
  if (!isRecord(spec)) throw new Error(`${at}: expected an object { direction, abs?, rel? }, got ${got(spec)}`);
  const unknown = Object.keys(spec).find((k) => !SPEC_FIELDS.has(k));
  if (unknown !== undefined) throw new Error(`${at}.${unknown.length > 40 ? echo(unknown, 40) : unknown}: unknown field (allowed: direction, abs, rel, why)`);
  if (!DIRECTIONS.includes(spec.direction as Direction)) {
    throw new Error(`${at}.direction: must be one of ${DIRECTIONS.map((d) => `"${d}"`).join(', ')} (got ${got(spec.direction)})`);
  }
  const bound = (name: 'abs' | 'rel'): number => {
    const v = spec[name];
    if (v === undefined) return 0;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${at}.${name}: must be a finite number >= 0 (got ${got(v)})`);
    return v;
  };
  if (spec.why !== undefined && typeof spec.why !== 'string') throw new Error(`${at}.why: expected a string, got ${got(spec.why)}`);
  return { direction: spec.direction as Direction, abs: bound('abs'), rel: bound('rel') };
}

function parseSpecs(specs: unknown, at: string, count: { n: number }): Map<string, Tolerance> {
  if (!isRecord(specs)) throw new Error(`${at}: expected an object of metric path -> tolerance, got ${got(specs)}`);
  const out = new Map<string, Tolerance>();
  for (const [path, spec] of Object.entries(specs)) {
    if (++count.n > MAX_ENTRIES) throw new Error(`${at}: more than ${MAX_ENTRIES} tolerances`);
    const here = `${at}[${echo(path)}]`;
    checkPath(path, here);
    out.set(path, parseSpec(spec, here));
  }
  return out;
}

/** Validates a parsed tolerance file; throws one CompareError line naming `source` and the field. */
export function parseTolerances(json: unknown, source: string): ToleranceTable {
  try {
    if (!isRecord(json)) throw new Error(`expected an object with "metrics", got ${got(json)}`);
    const unknown = Object.keys(json).find((k) => !TOP_FIELDS.has(k));
    if (unknown !== undefined) throw new Error(`${echo(unknown, 40)}: unknown field (allowed: description, metrics, scenarios)`);
    if (json.description !== undefined && typeof json.description !== 'string') throw new Error(`description: expected a string, got ${got(json.description)}`);
    if (json.metrics === undefined) throw new Error('metrics: required field is missing');
    const count = { n: 0 };
    const metrics = parseSpecs(json.metrics, 'metrics', count);
    const scenarios = new Map<string, Map<string, Tolerance>>();
    if (json.scenarios !== undefined) {
      if (!isRecord(json.scenarios)) throw new Error(`scenarios: expected an object of scenario name -> metrics, got ${got(json.scenarios)}`);
      for (const [name, specs] of Object.entries(json.scenarios)) scenarios.set(name, parseSpecs(specs, where('scenarios', name), count));
    }
    return { source, metrics, scenarios };
  } catch (err) {
    throw new CompareError(`${source}: ${(err as Error).message}`);
  }
}

export function loadTolerances(file: string): ToleranceTable {
  return parseTolerances(readDataFile(file, true), file);
}

/** Does `pattern` (segments, `*` = any one) match `path`? */
function matches(pattern: readonly string[], path: readonly string[]): boolean {
  return pattern.length === path.length && pattern.every((s, i) => s === '*' || s === path[i]);
}

/** The most specific spec in `specs` for `path`: the exact path, else the matching pattern with fewest `*`. */
function lookup(specs: ReadonlyMap<string, Tolerance>, path: string): { pattern: string; tolerance: Tolerance } | undefined {
  const exact = specs.get(path);
  if (exact) return { pattern: path, tolerance: exact };
  const segments = path.split('.');
  let best: { pattern: string; tolerance: Tolerance; stars: number } | undefined;
  for (const [pattern, tolerance] of specs) {
    const p = pattern.split('.');
    if (!matches(p, segments)) continue;
    const stars = p.filter((s) => s === '*').length;
    if (best === undefined || stars < best.stars) best = { pattern, tolerance, stars };
  }
  return best && { pattern: best.pattern, tolerance: best.tolerance };
}

/** The tolerance of `path` for scenario `scenario`: its per-scenario spec first, else the default; undefined = not checked. */
export function toleranceFor(table: ToleranceTable, scenario: string, path: string): { pattern: string; tolerance: Tolerance } | undefined {
  const own = table.scenarios.get(scenario);
  return (own && lookup(own, path)) ?? lookup(table.metrics, path);
}

/** The change tolerated around `baseline`: the larger of the absolute and the relative bound. */
export function allowedChange(t: Tolerance, baseline: number): number {
  return Math.max(t.abs, t.rel * Math.abs(baseline));
}

export function describeTolerance(t: Tolerance): string {
  const parts = [t.abs > 0 ? `±${t.abs}` : '', t.rel > 0 ? `±${+(t.rel * 100).toFixed(4)} %` : ''].filter(Boolean);
  const arrow = { 'higher-is-better': '↑', 'lower-is-better': '↓', equal: '=' }[t.direction];
  return `${arrow} ${parts.length ? parts.join(' or ') : 'exact'}`;
}
