import { describe, expect, it } from 'vitest';
import { estimate, search, type MeasureRung, type Runs } from './search.ts';
import type { TuneTarget } from './tune-file.ts';

// Candidate c: cost c (dearer settings are more anonymous), anonymity rising with c, a small per-seed wobble.
const anonymityOf = (c: number) => 0.5 + c * 0.03;
const wobble = (c: number, seed: number) => 0.01 * Math.sin(7 * seed + 3 * c);
function synthetic(counter: { runs: number; measured: Map<number, number> }): MeasureRung {
  return async (cands, seeds) => {
    const out = new Map<number, Runs>();
    for (const c of cands) {
      counter.runs += seeds - (counter.measured.get(c) ?? 0);
      counter.measured.set(c, seeds);
      out.set(c, Array.from({ length: seeds }, (_, s) => ({ cost: c, anonymity: anonymityOf(c) + wobble(c, s) })));
    }
    return out;
  };
}
const targets: TuneTarget[] = [{ metric: 'anonymity', min: 0.9, max: null }];
const base = { candidates: 20, maxSeeds: 9, minSeeds: 1, eta: 3, targets, cost: 'cost' };

describe('search', () => {
  it('successive halving finds the grid\'s answer with fewer runs, and counts them right', async () => {
    const g = { runs: 0, measured: new Map<number, number>() };
    const h = { runs: 0, measured: new Map<number, number>() };
    const grid = await search({ ...base, method: 'grid' }, synthetic(g));
    const halving = await search({ ...base, method: 'halving' }, synthetic(h));
    // 0.5 + 0.03c >= 0.9 first at c = 14 (0.92); the wobble (0.01) cannot move it across.
    expect(grid.best).toBe(14);
    expect(halving.best).toBe(14);
    expect(grid.runs).toBe(grid.gridRuns);
    expect(grid.runs).toBe(180);
    expect(halving.runs).toBe(h.runs); // counted runs = runs actually requested beyond earlier rungs
    expect(halving.runs).toBeLessThan(grid.runs / 2);
    expect(halving.rungs.map((r) => r.seeds)).toEqual([1, 3, 9]);
  });

  it('drops a candidate whose whole interval misses a target, and keeps 1/eta of the rest', async () => {
    const h = { runs: 0, measured: new Map<number, number>() };
    const r = await search({ ...base, minSeeds: 3, method: 'halving' }, synthetic(h));
    // With 3 seeds every interval is narrow (+-0.03): candidates far below 0.9 fail surely.
    expect(r.rungs[0].droppedSure).toBeGreaterThan(5);
    expect(r.rungs[0].candidates - r.rungs[0].droppedSure - r.rungs[0].droppedRank).toBe(Math.min(Math.ceil(20 / 3), 20 - r.rungs[0].droppedSure));
    expect(r.best).toBe(14);
  });

  it('says so when no setting meets the targets', async () => {
    const r = await search({ ...base, targets: [{ metric: 'anonymity', min: 2, max: null }], method: 'halving' }, synthetic({ runs: 0, measured: new Map() }));
    expect(r.best).toBeNull();
  });

  it('a target metric the runs lack fails (no seed can supply it)', () => {
    const e = estimate(0, [{ cost: 1 }, { cost: 1 }], [{ metric: 'eveWorst.top1', min: null, max: 0.5 }]);
    expect(e.verdicts).toEqual(['fails']);
    expect(e.meets).toBe(false);
  });

  it('meetsSurely needs the whole interval inside the target', () => {
    const t: TuneTarget[] = [{ metric: 'x', min: 0.5, max: null }];
    expect(estimate(0, [{ x: 0.52 }, { x: 0.6 }], t)).toMatchObject({ meets: true, meetsSurely: false });
    expect(estimate(0, [{ x: 0.61 }, { x: 0.6 }], t)).toMatchObject({ meets: true, meetsSurely: true });
    expect(estimate(0, [{ x: 0.61 }], t)).toMatchObject({ meets: true, meetsSurely: false }); // one seed: no interval
  });
});
