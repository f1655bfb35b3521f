import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { scenarioSchema, type Scenario } from './schema.ts';

/** A user-facing problem with a scenario file: one line naming the file, the field and the problem. */
export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

function fieldPath(path: PropertyKey[]): string {
  return path.length === 0 ? '(top level)' : path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

function got(input: unknown): string {
  if (input === undefined) return 'missing';
  const text = JSON.stringify(input);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Turns a zod issue into "field: problem (got value)", in words a scenario author understands. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const where = fieldPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${issue.path.length ? `${where}: ` : ''}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_type':
      return issue.input === undefined ? `${where}: required field is missing` : `${where}: expected ${issue.expected}, got ${got(issue.input)}`;
    case 'too_small':
      return `${where}: must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum} (got ${got(issue.input)})`;
    case 'too_big':
      return `${where}: must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum} (got ${got(issue.input)})`;
    case 'invalid_key':
      return `${where}: invalid key (${issue.issues.map((i) => i.message).join('; ')})`;
    case 'invalid_value':
      return `${where}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')} (got ${got(issue.input)})`;
    default:
      return `${where}: ${issue.message}`;
  }
}

/** Validates parsed JSON into a fully resolved Scenario (all defaults filled in). */
export function parseScenario(json: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(json, { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues.map(describeIssue);
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1).join('; ')})` : '';
  throw new ScenarioError(`${source}: ${issues[0]}${more}`);
}

export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ScenarioError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(`${file}: invalid JSON (${(err as Error).message})`);
  }
  return parseScenario(json, file);
}
