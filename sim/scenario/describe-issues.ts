/**
 * zod issues -> "field: problem (got value)" in words a scenario author understands, one per field: a value
 * breaking two rules of one field (a seed of 2^64 is above both the safe-integer and the 32-bit limit) gets one
 * message, the tightest. Echoed values and keys are cut short (echo.ts).
 */
import type { z } from 'zod';
import { echo } from './echo.ts';

export function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p).length > 40 ? echo(String(p), 40) : String(p)}`)).join('');
}

/** A short rendering of any input value: strings and numbers quoted and cut, containers by kind and size. */
export function got(input: unknown): string {
  if (input === undefined) return 'missing';
  if (input === null) return 'null';
  if (typeof input === 'string') return echo(input, 40);
  if (typeof input === 'number') return Number.isFinite(input) ? String(input) : `${input} (number out of range)`;
  if (typeof input === 'boolean') return String(input);
  if (Array.isArray(input)) return `an array of ${input.length}`;
  if (typeof input === 'object') return `an object with ${Object.keys(input).length} field${Object.keys(input).length === 1 ? '' : 's'}`;
  return typeof input;
}

function keysText(keys: readonly string[]): string {
  const shown = keys.slice(0, 3).map((k) => echo(k)).join(', ');
  return keys.length > 3 ? `${shown} and ${keys.length - 3} more` : shown;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = fieldPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${issue.path.length ? `${where}: ` : ''}unknown field${issue.keys.length > 1 ? 's' : ''} ${keysText(issue.keys)}`;
    case 'invalid_type':
      if (issue.input === undefined) return `${where}: required field is missing`;
      if (typeof issue.input === 'number' && !Number.isFinite(issue.input)) return `${where}: number out of range (got ${issue.input})`;
      if (issue.expected === 'int') return `${where}: must be an integer (got ${got(issue.input)})`;
      return `${where}: expected ${issue.expected}, got ${got(issue.input)}`;
    case 'too_small':
      if (issue.origin === 'string') return `${where}: must be at least ${issue.minimum} characters long (got ${got(issue.input)})`;
      return `${where}: must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum} (got ${got(issue.input)})`;
    case 'too_big':
      if (issue.origin === 'string') return `${where}: must be at most ${issue.maximum} characters long (got ${(issue.input as string).length} characters)`;
      return `${where}: must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum} (got ${got(issue.input)})`;
    case 'invalid_key':
      return `${where}: invalid key (${issue.issues.map((i) => i.message).join('; ')})`;
    case 'invalid_value':
      return `${where}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')} (got ${got(issue.input)})`;
    case 'invalid_format':
      return `${where}: ${issue.message} (got ${got(issue.input)})`;
    default:
      return `${where}: ${issue.message}`;
  }
}

/** The tighter of two issues on one field: the smaller maximum, the larger minimum, else the first. */
function tighter(a: z.core.$ZodIssue, b: z.core.$ZodIssue): z.core.$ZodIssue {
  if (a.code === 'too_big' && b.code === 'too_big') return Number(b.maximum) < Number(a.maximum) ? b : a;
  if (a.code === 'too_small' && b.code === 'too_small') return Number(b.minimum) > Number(a.minimum) ? b : a;
  return a;
}

/** One message per field, in the order zod found them. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const byField = new Map<string, z.core.$ZodIssue>();
  for (const issue of issues) {
    const key = JSON.stringify(issue.path.map(String));
    const seen = byField.get(key);
    byField.set(key, seen === undefined ? issue : tighter(seen, issue));
  }
  return [...byField.values()].map(describeIssue);
}
