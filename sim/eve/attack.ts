/**
 * One interface for Eve's attacks. An attack turns the tap into a score for every (target, candidate) pair:
 * higher means "more likely the target's partner". Scores become a posterior in `posterior.ts`, the same way for
 * every attack (per-target z-scores, softmax with a temperature fitted on the truth), so attacks differ only in
 * their score; each module documents what its score measures.
 */
import type { EveContext } from './population.ts';

/** Scores of one attack (or one variant of it): targets x candidates, row-major; the target itself is -Infinity. */
export interface Scores {
  values: Float32Array;
  /** Names the variant when an attack tries several (runEve keeps the one with the highest top-1). */
  variant?: string;
}

export interface AttackOptions {
  /** Timing bin (timing correlation, size sequences). */
  binMs: number;
  /** Lag search: +-this many bins. */
  maxLagBins: number;
  /** Packet-counting window. */
  windowMs: number;
  /** Disclosure round length. */
  roundMs: number;
}

export const DEFAULT_ATTACK_OPTIONS: AttackOptions = { binMs: 1000, maxLagBins: 1, windowMs: 10_000, roundMs: 5000 };

export interface Attack {
  name: string;
  /** One sentence: what the score measures. */
  description: string;
  /** Whether the attack correlates flows (ROC figures are what those papers report). */
  correlation: boolean;
  run(ctx: EveContext, targets: Uint32Array, opts: AttackOptions): Scores[];
}

/** Calls `score(t, c)` for every target and candidate and stores it, writing -Infinity for the target itself. */
export function pairwise(
  ctx: EveContext,
  targets: Uint32Array,
  score: (t: number, c: number) => number,
): Float32Array {
  const C = ctx.users;
  const out = new Float32Array(targets.length * C);
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i];
    const base = i * C;
    for (let c = 0; c < C; c++) out[base + c] = c === t ? -Infinity : score(t, c);
  }
  return out;
}
