/**
 * Which syntax a scenario file is written in: by its extension (.json; .yaml or .yml), otherwise by its first
 * character (a JSON scenario is an object, so it starts with "{"; anything else is read as YAML). Each syntax
 * has its own strict parser (json-text.ts, yaml-text.ts); both yield the same value for the same scenario.
 */
import { parseScenarioJson } from './json-text.ts';
import { parseScenarioYaml } from './yaml-text.ts';

export type ScenarioFormat = 'json' | 'yaml';

export function scenarioFormatOf(source: string, text: string): ScenarioFormat {
  const name = source.toLowerCase();
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.yaml') || name.endsWith('.yml')) return 'yaml';
  return /^\s*[[{]/.test(text) ? 'json' : 'yaml';
}

/** The scenario text as a plain value, parsed in `format` (default: scenarioFormatOf). */
export function parseScenarioSyntax(text: string, source: string, format: ScenarioFormat = scenarioFormatOf(source, text)): unknown {
  return format === 'json' ? parseScenarioJson(text, source) : parseScenarioYaml(text, source);
}
