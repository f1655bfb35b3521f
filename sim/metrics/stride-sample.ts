/**
 * A deterministic, evenly spread sample: at most `max` items at indices floor(i * n / max), in their order. Report
 * views use it instead of an Rng draw, so bounding a view never changes the run (or its traceHash).
 */
export function strideSample<T>(items: readonly T[], max: number): T[] {
  const n = items.length;
  if (n <= max) return [...items];
  if (max <= 0) return [];
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(items[Math.floor((i * n) / max)]);
  return out;
}
