/**
 * JSON text -> value for scenario files, with one-line errors that point at a line and column and never echo the
 * file back: nesting is bounded before parsing (zod and error formatting recurse; 5,000 levels overflowed the
 * stack), and numbers that overflow to Infinity (1e999) are named as such instead of turning into "null".
 */
import { fieldPath } from './describe-issues.ts';
import { echo } from './echo.ts';
import { MAX_NESTING_DEPTH } from './limits.ts';
import { ScenarioError } from './scenario-error.ts';

/** Line and column (1-based) of character offset `pos` in `text`. */
export function lineColumn(text: string, pos: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${pos - lineStart + 1}`;
}

/** Offset of the first bracket that opens level MAX_NESTING_DEPTH + 1 (outside strings), or -1. */
function tooDeepAt(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_NESTING_DEPTH) return i;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return -1;
}

/** V8's JSON.parse message without the copy of the input it may carry, and its position as line and column. */
function describeSyntaxError(text: string, message: string): string {
  const at = / in JSON at position (\d+)/.exec(message);
  let reason = message.replace(/ in JSON at position \d+[\s\S]*$/, '');
  // "Unexpected token 'x', "<copy of the input>"... is not valid JSON": keep the token, drop the copy. The token
  // may be any character (a control byte, a lone surrogate), so it is echoed escaped.
  const token = /^Unexpected token '([\s\S]{1,2})', [\s\S]* is not valid JSON$/.exec(reason);
  if (token) reason = `unexpected character ${echo(token[1], 8)}`;
  else if (reason.includes(' is not valid JSON')) reason = 'not valid JSON';
  reason = reason.charAt(0).toLowerCase() + reason.slice(1);
  return at ? `${reason} at ${lineColumn(text, Number(at[1]))}` : reason;
}

/** The first number that is not finite (1e999 parses to Infinity), as "field.path", or undefined. */
export function nonFinitePath(value: unknown, path: Array<string | number>): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : fieldPath(path);
  if (value === null || typeof value !== 'object') return undefined;
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [k, v] of entries) {
    const found = nonFinitePath(v, [...path, k]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Parses a scenario's JSON text; throws a one-line ScenarioError led by `source`. */
export function parseScenarioJson(text: string, source: string): unknown {
  const deep = tooDeepAt(text);
  if (deep >= 0) throw new ScenarioError(`${source}: nested more than ${MAX_NESTING_DEPTH} levels deep (at ${lineColumn(text, deep)}); a scenario needs 4`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(`${source}: invalid JSON: ${describeSyntaxError(text, (err as Error).message)}`);
  }
  const inf = nonFinitePath(json, []);
  if (inf !== undefined) throw new ScenarioError(`${source}: ${inf}: number out of range (larger than 1.8e308, it reads as Infinity)`);
  return json;
}
