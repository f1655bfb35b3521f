/**
 * The scenario files of a directory (scenarios/ by default): JSON and YAML files, without the committed JSON
 * Schema (scenario.schema.json), which describes them and is not one of them.
 */
import { readdirSync } from 'node:fs';

export const SCENARIO_SCHEMA_FILE = 'scenario.schema.json';

export function isScenarioFileName(name: string): boolean {
  return /\.(json|ya?ml)$/i.test(name) && !name.endsWith('.schema.json');
}

/** Paths ("scenarios/x.json") of the scenario files in `dir`, sorted. */
export function scenarioFiles(dir = 'scenarios'): string[] {
  return readdirSync(dir)
    .filter(isScenarioFileName)
    .sort()
    .map((f) => `${dir}/${f}`);
}
