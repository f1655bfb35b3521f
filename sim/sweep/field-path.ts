/**
 * Scenario field paths ("noise.ratePerS"), the syntax `paratox seeds --set path=value` takes (cli/seeds-command.ts
 * applySet): dot-separated field names, objects created on the way. Here for grid keys, which arrive already
 * parsed (a value, not JSON text); field-path.test.ts checks both agree.
 */

/** Path segments that would reach Object.prototype instead of a scenario field (prototype pollution). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Why `path` is not a usable field path, or null when it is. */
export function fieldPathProblem(path: string): string | null {
  const keys = path.split('.');
  if (keys.some((k) => k === '')) return 'empty field name in the path';
  const bad = keys.find((k) => FORBIDDEN_KEYS.has(k));
  if (bad !== undefined) return `"${bad}" is not a scenario field`;
  if (path === 'seed') return 'the seed is not a grid parameter; list seeds under "seeds"';
  return null;
}

/** Sets raw.a.b.c = value for path "a.b.c", creating (or replacing non-object) intermediate fields. */
export function setFieldPath(raw: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let obj = raw;
  for (const key of keys.slice(0, -1)) {
    if (!Object.hasOwn(obj, key) || obj[key] === null || typeof obj[key] !== 'object') obj[key] = {};
    obj = obj[key] as Record<string, unknown>;
  }
  obj[keys[keys.length - 1]] = value;
}
