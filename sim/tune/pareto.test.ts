import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paretoFrontier } from './pareto.ts';

const dominates = (p: { c: number; b: number }, q: { c: number; b: number }) =>
  p.c <= q.c && p.b >= q.b && (p.c < q.c || p.b > q.b);

describe('paretoFrontier', () => {
  it('keeps the cheapest point per benefit level, ordered by cost', () => {
    const pts = [
      { c: 3, b: 0.9 },
      { c: 1, b: 0.5 },
      { c: 2, b: 0.4 }, // dominated by (1, 0.5)
      { c: 5, b: 0.9 }, // dominated by (3, 0.9)
      { c: 4, b: 0.95 },
      { c: null, b: 1 }, // unmeasured
    ];
    expect(paretoFrontier(pts, (p) => p.c, (p) => p.b)).toEqual([1, 0, 4]);
  });

  it('keeps equal points, drops NaN', () => {
    const pts = [{ c: 1, b: 1 }, { c: 1, b: 1 }, { c: Number.NaN, b: 2 }];
    expect(paretoFrontier(pts, (p) => p.c, (p) => p.b)).toEqual([0, 1]);
  });

  it('property: kept points are undominated, dropped points are dominated', () => {
    const point = fc.record({ c: fc.integer({ min: 0, max: 20 }), b: fc.integer({ min: 0, max: 20 }) });
    fc.assert(
      fc.property(fc.array(point, { maxLength: 40 }), (pts) => {
        const kept = new Set(paretoFrontier(pts, (p) => p.c, (p) => p.b));
        pts.forEach((p, i) => {
          const dominated = pts.some((q) => dominates(q, p));
          expect(kept.has(i)).toBe(!dominated);
        });
      }),
    );
  });
});
