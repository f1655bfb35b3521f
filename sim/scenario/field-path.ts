/**
 * Scenario field paths ("noise.ratePerS"): dot-separated field names, objects created on the way. One syntax for
 * `paratox seeds --set path=value` (cli/seeds-command.ts applySet) and sweep grid keys (sim/sweep/sweep-file.ts).
 */

/** Path segments that would reach Object.prototype instead of a scenario field (prototype pollution). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Why `path` cannot name a scenario field (an empty segment, a prototype key), or null when it can. */
export function fieldPathProblem(path: string): string | null {
  const bad = path.split('.').find((k) => k === '' || FORBIDDEN_KEYS.has(k));
  if (bad === undefined) return null;
  return bad === '' ? 'empty field name in the path' : `"${bad}" is not a scenario field`;
}

/** fieldPathProblem, plus the seed: a sweep lists its seeds under "seeds", never as a grid parameter. */
export function gridPathProblem(path: string): string | null {
  return fieldPathProblem(path) ?? (path === 'seed' ? 'the seed is not a grid parameter; list seeds under "seeds"' : null);
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

/** The value at a dot path ("traffic.latencyMs.p95") of any JSON value; undefined where the path leads nowhere (own keys only). */
export function getFieldPath(value: unknown, path: string): unknown {
  let v = value;
  for (const k of path.split('.')) v = v !== null && typeof v === 'object' && Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}
