/**
 * The Pareto frontier of a cost / benefit trade-off (e.g. bandwidth overhead against degree of anonymity): the
 * points no other point beats on both, i.e. none has cost <= and benefit >= with one of them strict. One
 * implementation for `paratox tune` and the dashboard's trade-off chart.
 */

/**
 * Indices of the non-dominated items, ordered by cost ascending (then benefit descending, then index). Items
 * whose cost or benefit is null or not finite are left out: an unmeasured point is on no frontier. Equal points
 * are all kept (neither dominates the other).
 */
export function paretoFrontier<T>(items: readonly T[], cost: (item: T) => number | null, benefit: (item: T) => number | null): number[] {
  const measured: Array<{ i: number; c: number; b: number }> = [];
  items.forEach((item, i) => {
    const c = cost(item);
    const b = benefit(item);
    if (c !== null && b !== null && Number.isFinite(c) && Number.isFinite(b)) measured.push({ i, c, b });
  });
  measured.sort((p, q) => p.c - q.c || q.b - p.b || p.i - q.i);
  const frontier: number[] = [];
  let best = -Infinity; // highest benefit among cheaper-or-equal points kept so far
  let last: { c: number; b: number } | null = null;
  for (const p of measured) {
    const duplicate = last !== null && p.c === last.c && p.b === last.b;
    if (p.b > best || duplicate) {
      frontier.push(p.i);
      best = Math.max(best, p.b);
      last = p;
    }
  }
  return frontier;
}
