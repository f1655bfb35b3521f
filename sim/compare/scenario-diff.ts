/**
 * Are two inputs runs of the same experiment? Compare refuses inputs whose scenarios differ, except in fields the
 * user allows (`--allow-scenario-diff noise`): a metric that moved because the experiment changed is not a
 * regression of the code. `description` never counts (it is prose). A seed counts: single runs of different
 * seeds differ by chance (compare multi-seed results for that).
 *
 * Reports carry the resolved scenario. Both are resolved again by the current schema first, so a scenario field
 * added (with its default) after the baseline was written is not a difference; a baseline the current schema no
 * longer accepts is compared as written (its odd fields then show up as differences).
 * Seeds results carry the resolved scenario too (since `paratox seeds --out` records it): when both have it, the
 * scenarios are compared field by field, except `seed` (the seed lists may differ: that is what Welch is for).
 * Older seeds files name only the scenario and the --set overrides, so that is all that is compared for them.
 */
import { parseScenario } from '../scenario/load-scenario.ts';
import type { CompareInput } from './compare-input.ts';

export interface ScenarioDifference {
  /** Dot path of the field, e.g. "noise.policy". */
  path: string;
  /** JSON of the value on each side; "(absent)" when the field is missing there. */
  baseline: string;
  candidate: string;
  /** Listed in --allow-scenario-diff. */
  allowed: boolean;
}

const ALWAYS_ALLOWED = ['description'];
const ABSENT = '(absent)';

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Leaves as path -> JSON text; arrays and empty objects are one leaf each. */
function flatten(value: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
  if (isRecord(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else out.set(prefix, JSON.stringify(value) ?? 'undefined');
  return out;
}

/** The scenario as the current code resolves it (new fields get their defaults), or as written if it no longer parses. */
function resolvedNow(scenario: Record<string, unknown>): unknown {
  try {
    return parseScenario(scenario, 'report');
  } catch {
    return scenario;
  }
}

function identity(input: CompareInput, resolved: boolean): Map<string, string> {
  if (input.kind === 'report') return flatten(resolvedNow(input.scenario), '', new Map());
  if (resolved && input.resolvedScenario !== null) {
    const out = flatten(resolvedNow(input.resolvedScenario), '', new Map());
    out.delete('seed');
    return out;
  }
  const out = new Map<string, string>([['name', JSON.stringify(input.scenarioName)]]);
  for (const [path, value] of Object.entries(input.overrides)) flatten(value, path, out);
  return out;
}

/** "noise" allows "noise" and everything under it. */
export function isAllowed(path: string, allowed: readonly string[]): boolean {
  return [...ALWAYS_ALLOWED, ...allowed].some((p) => path === p || path.startsWith(`${p}.`));
}

/** Every field where the two scenarios differ (ignoring `description`), in baseline order then candidate-only fields. */
export function scenarioDifferences(baseline: CompareInput, candidate: CompareInput, allowed: readonly string[]): ScenarioDifference[] {
  const resolved = [baseline, candidate].every((x) => x.kind === 'report' || x.resolvedScenario !== null);
  const a = identity(baseline, resolved);
  const b = identity(candidate, resolved);
  const paths = [...new Set([...a.keys(), ...b.keys()])];
  return paths
    .filter((p) => !ALWAYS_ALLOWED.some((x) => p === x || p.startsWith(`${x}.`)) && a.get(p) !== b.get(p))
    .map((path) => ({ path, baseline: a.get(path) ?? ABSENT, candidate: b.get(path) ?? ABSENT, allowed: isAllowed(path, allowed) }));
}
