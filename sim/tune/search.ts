/**
 * Successive halving over seeds (Jamieson & Talwalkar 2016; Hyperband's inner loop) for a constrained goal: the
 * cheapest candidate whose metrics meet every target. Rung r gives each surviving candidate minSeeds x eta^r seeds
 * (capped at the full count; seeds are shared, so a rung only adds the missing ones), then keeps the best 1/eta:
 * candidates that meet every target on the mean first, cheapest first, then the others by how far they miss.
 * A candidate whose 95 % interval already lies on the wrong side of a target is dropped at once. `grid` gives every
 * candidate every seed (the reference the halving is checked against). Pure: measuring is injected.
 */
import { seedStat, type SeedStat } from '../metrics/seed-stats.ts';
import type { TuneTarget } from './tune-file.ts';

/** Per candidate: one record of metric values per seed, in seed order (a metric a run lacks is absent). */
export type Runs = Array<Record<string, number>>;

/** Measures `candidates` on their first `seeds` seeds (re-measuring what was measured before is the caller's saving). */
export type MeasureRung = (candidates: readonly number[], seeds: number) => Promise<Map<number, Runs>>;

export interface SearchOptions {
  candidates: number;
  maxSeeds: number;
  method: 'halving' | 'grid';
  minSeeds: number;
  eta: number;
  targets: readonly TuneTarget[];
  cost: string;
}

export type TargetVerdict = 'meets' | 'misses' | 'fails';

export interface Estimate {
  candidate: number;
  seeds: number;
  metrics: Record<string, SeedStat>;
  /** Per target: `meets` on the mean, `misses` on the mean, `fails` when the whole 95 % interval misses. */
  verdicts: TargetVerdict[];
  /** Every target met on the mean. */
  meets: boolean;
  /** Every target met by the whole 95 % interval (needs >= 2 seeds). */
  meetsSurely: boolean;
  /** Sum of relative shortfalls over the targets missed on the mean (0 when it meets). */
  shortfall: number;
}

export interface Rung {
  seeds: number;
  candidates: number;
  /** Runs this rung added (seeds not measured in an earlier rung). */
  newRuns: number;
  /** Dropped because an interval missed a target; then dropped by rank. */
  droppedSure: number;
  droppedRank: number;
}

export interface SearchResult {
  rungs: Rung[];
  /** Latest estimate of every candidate (the rung it reached). */
  estimates: Estimate[];
  /** Cheapest candidate with every seed that meets every target on the mean; null when none. */
  best: number | null;
  runs: number;
  /** Runs the full grid would take (candidates x maxSeeds). */
  gridRuns: number;
}

export function estimate(candidate: number, runs: Runs, targets: readonly TuneTarget[]): Estimate {
  const paths = new Set<string>(runs.flatMap((r) => Object.keys(r)));
  const metrics: Record<string, SeedStat> = {};
  for (const p of paths) {
    const s = seedStat(runs.flatMap((r) => (p in r ? [r[p]] : [])));
    if (s !== null) metrics[p] = s;
  }
  let shortfall = 0;
  const verdicts = targets.map((t): TargetVerdict => {
    const s = metrics[t.metric];
    if (s === undefined) {
      shortfall += 1;
      return 'fails'; // the runs do not report it (e.g. Eve off): no seed can change that
    }
    const bound = (t.min ?? t.max) as number;
    const good = (x: number) => (t.min !== null ? x >= t.min : x <= (t.max as number));
    if (good(s.mean)) return 'meets';
    shortfall += Math.abs(s.mean - bound) / Math.max(Math.abs(bound), 1e-9);
    const nearest = s.ci95 === null ? s.mean : t.min !== null ? s.ci95[1] : s.ci95[0];
    return s.ci95 !== null && !good(nearest) ? 'fails' : 'misses';
  });
  const meets = verdicts.every((v) => v === 'meets');
  const meetsSurely =
    meets &&
    targets.every((t) => {
      const ci = metrics[t.metric]?.ci95;
      return ci != null && (t.min !== null ? ci[0] >= t.min : ci[1] <= (t.max as number));
    });
  return { candidate, seeds: runs.length, metrics, verdicts, meets, meetsSurely, shortfall };
}

/** Rank order: meets every target (cheapest first, an unmeasured cost last), then smallest shortfall; index breaks ties. */
export function compareEstimates(a: Estimate, b: Estimate, cost: string): number {
  if (a.meets !== b.meets) return a.meets ? -1 : 1;
  if (a.meets) {
    const ca = a.metrics[cost]?.mean ?? Infinity;
    const cb = b.metrics[cost]?.mean ?? Infinity;
    if (ca !== cb) return ca < cb ? -1 : 1;
  } else if (a.shortfall !== b.shortfall) return a.shortfall - b.shortfall;
  return a.candidate - b.candidate;
}

export async function search(opts: SearchOptions, measure: MeasureRung): Promise<SearchResult> {
  const latest = new Map<number, Estimate>();
  const rungs: Rung[] = [];
  let alive = Array.from({ length: opts.candidates }, (_, i) => i);
  let seeds = opts.method === 'grid' ? opts.maxSeeds : Math.min(opts.minSeeds, opts.maxSeeds);
  let runs = 0;
  while (alive.length > 0) {
    const measured = await measure(alive, seeds);
    const newRuns = alive.reduce((n, c) => n + seeds - (latest.get(c)?.seeds ?? 0), 0);
    runs += newRuns;
    const ests = alive.map((c) => estimate(c, measured.get(c) ?? [], opts.targets));
    for (const e of ests) latest.set(e.candidate, e);
    const rung: Rung = { seeds, candidates: alive.length, newRuns, droppedSure: 0, droppedRank: 0 };
    rungs.push(rung);
    if (seeds >= opts.maxSeeds) break;
    const hopeful = ests.filter((e) => !e.verdicts.includes('fails')).sort((a, b) => compareEstimates(a, b, opts.cost));
    const keep = Math.min(hopeful.length, Math.max(1, Math.ceil(alive.length / opts.eta)));
    rung.droppedSure = ests.length - hopeful.length;
    rung.droppedRank = hopeful.length - keep;
    alive = hopeful.slice(0, keep).map((e) => e.candidate);
    seeds = Math.min(opts.maxSeeds, Math.ceil(seeds * opts.eta));
  }
  const estimates = Array.from({ length: opts.candidates }, (_, c) => latest.get(c) as Estimate);
  const finalists = estimates.filter((e) => e.seeds === opts.maxSeeds && e.meets).sort((a, b) => compareEstimates(a, b, opts.cost));
  return { rungs, estimates, best: finalists[0]?.candidate ?? null, runs, gridRuns: opts.candidates * opts.maxSeeds };
}
