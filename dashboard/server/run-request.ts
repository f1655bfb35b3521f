/**
 * A "start a run" request -> a validated scenario, or a 400 with one line. The body names a scenario (id or
 * name, scenarios.ts) and optional `--set`-style overrides { "noise.ratePerS": 2 } applied with the one
 * field-path implementation (sim/scenario/field-path.ts) and checked by the scenario loader (schema, then
 * consistency), whose one-line message is the answer's.
 */
import { fieldPathProblem, setFieldPath } from '../../sim/scenario/field-path.ts';
import { parseScenario, ScenarioError } from '../../sim/scenario/load-scenario.ts';
import type { Scenario } from '../../sim/scenario/schema.ts';
import { badRequest } from './http-error.ts';
import { findScenario } from './scenarios.ts';

export const MAX_OVERRIDES = 20;
const BODY_FIELDS = new Set(['scenario', 'seed', 'set']);

export interface RunRequest {
  scenario: Scenario;
  /** The scenario's file, for the report's `reproduce` line. */
  scenarioFile: string;
  seed: number;
  overrides: Record<string, unknown>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function parseRunRequest(body: unknown, scenariosDir: string): RunRequest {
  if (!isRecord(body)) throw badRequest('expected a JSON object { scenario, seed?, set? }');
  const unknown = Object.keys(body).find((k) => !BODY_FIELDS.has(k));
  if (unknown !== undefined) throw badRequest(`unknown field "${unknown.slice(0, 40)}" (allowed: scenario, seed, set)`);
  if (typeof body.scenario !== 'string' || body.scenario.length === 0 || body.scenario.length > 200) throw badRequest('scenario: expected a scenario id or name (a string)');
  const found = findScenario(scenariosDir, body.scenario);
  if (found === undefined) throw badRequest(`scenario: no scenario "${body.scenario.slice(0, 80)}" (GET /api/scenarios lists them)`);
  const set = body.set ?? {};
  if (!isRecord(set)) throw badRequest('set: expected an object of field path -> value, e.g. { "noise.ratePerS": 2 }');
  const entries = Object.entries(set);
  if (entries.length > MAX_OVERRIDES) throw badRequest(`set: at most ${MAX_OVERRIDES} overrides`);
  const raw = JSON.parse(JSON.stringify(found.scenario)) as Record<string, unknown>;
  for (const [path, value] of entries) {
    const problem = fieldPathProblem(path);
    if (problem !== null) throw badRequest(`set: ${path.slice(0, 80)}: ${problem}`);
    setFieldPath(raw, path, value);
  }
  if (body.seed !== undefined) {
    if (!Number.isSafeInteger(body.seed) || (body.seed as number) < 0 || (body.seed as number) > 2 ** 32 - 1) throw badRequest(`seed: expected an integer in [0, ${2 ** 32 - 1}]`);
    raw.seed = body.seed;
  }
  let scenario: Scenario;
  try {
    scenario = parseScenario(raw, `${found.entry.id} with overrides`);
  } catch (err) {
    if (err instanceof ScenarioError) throw badRequest(err.message);
    throw err;
  }
  return { scenario, scenarioFile: found.file, seed: scenario.seed, overrides: set };
}
