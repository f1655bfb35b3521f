/**
 * Scenario file -> resolved Scenario, or one ScenarioError line naming the file, the field and the problem:
 * bytes (scenario-text.ts: size, encoding) -> JSON or YAML (scenario-format.ts picks json-text.ts or
 * yaml-text.ts: depth, syntax, non-finite numbers, no YAML tags) -> schema
 * (schema.ts: types, bounds, defaults) -> consistency (consistency.ts: contradictions, protocol sections, caps).
 * No other exception escapes for any input (sim/scenario/load-scenario.fuzz.test.ts).
 */
import { consistencyProblems } from './consistency.ts';
import { describeIssues } from './describe-issues.ts';
import { ScenarioError } from './scenario-error.ts';
import { parseScenarioSyntax, type ScenarioFormat } from './scenario-format.ts';
import { decodeScenarioBytes, readScenarioBytes } from './scenario-text.ts';
import { scenarioSchema, type Scenario } from './schema.ts';

export { ScenarioError } from './scenario-error.ts';

/** "first problem" plus how many more (and the next two), all on one line. */
function oneError(source: string, problems: readonly string[]): ScenarioError {
  const rest = problems.slice(1);
  const more = rest.length === 0 ? '' : ` (and ${rest.length} more: ${rest.slice(0, 2).join('; ')}${rest.length > 2 ? '; ...' : ''})`;
  return new ScenarioError(`${source}: ${problems[0]}${more}`);
}

/** Validates parsed JSON into a fully resolved Scenario (all defaults filled in). */
export function parseScenario(json: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(json, { reportInput: true });
  if (!result.success) throw oneError(source, describeIssues(result.error.issues));
  const problems = consistencyProblems(result.data);
  if (problems.length > 0) throw oneError(source, problems);
  return result.data;
}

/**
 * Parses a scenario's text (BOM already stripped) into a resolved Scenario; JSON or YAML by `source`'s extension,
 * else by content (scenario-format.ts), unless `format` says.
 */
export function parseScenarioText(text: string, source = 'scenario', format?: ScenarioFormat): Scenario {
  return parseScenario(parseScenarioSyntax(text, source, format), source);
}

/** A scenario file's bytes -> resolved Scenario (what loadScenario does after reading; the fuzz test calls it). */
export function parseScenarioBytes(bytes: Uint8Array, source: string, format?: ScenarioFormat): Scenario {
  return parseScenarioText(decodeScenarioBytes(bytes, source), source, format);
}

export function loadScenario(file: string): Scenario {
  return parseScenarioBytes(readScenarioBytes(file), file);
}
