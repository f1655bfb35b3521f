/**
 * Runs every attack on a tap and measures how well each identifies the targets' partners; shaped like the
 * report's `attacks.eve` / `attacks.eveByMethod` (design.md). `eve` is the strongest attack: highest top-1, then
 * lowest mean rank, then report order (without truth: lowest entropy). An attack with several variants reports
 * its best one by the same rule, named in `variant`.
 */
import type { GroundTruth } from '../tap/tap-writer.ts';
import { DEFAULT_ATTACK_OPTIONS, type Attack, type AttackOptions, type Scores } from './attack.ts';
import { ATTACKS } from './attacks/index.ts';
import { degreeOfAnonymity, FPR_POINTS, minEntropyBits, partnerRank, roc, shannonEntropyBits } from './metrics.ts';
import { buildContext, buildPopulation, type EvePopulation } from './population.ts';
import { fitTemperature, softmax, standardize } from './posterior.ts';
import type { TapColumns } from './tap-reader.ts';

export interface EveOptions extends Partial<AttackOptions> {
  /** Run only these attacks (names as in ATTACKS). */
  attacks?: string[];
  /** Attack at most this many targets (the first by address). */
  maxTargets?: number;
  /** Targets kept with their top candidates for the dashboard (bounded). */
  keepTargets?: number;
  /** Candidates kept per kept target. */
  keepCandidates?: number;
  /** ROC points kept. */
  rocPoints?: number;
  /** Called after each attack with its wall time (scoring + evaluation); for benchmarks. */
  onAttackTimed?: (attack: string, seconds: number) => void;
}

export interface EveFigures {
  method: string;
  /** The attack's variant these figures are for (null for single-variant attacks). */
  variant: string | null;
  targets: number;
  /** Candidates per target (users minus the target itself). */
  candidates: number;
  /** Accuracy figures are null without ground truth. */
  top1: number | null;
  top5: number | null;
  meanRank: number | null;
  entropyBits: number;
  maxEntropyBits: number;
  degreeOfAnonymity: number;
  minEntropyBits: number;
  tprAtFpr: Record<(typeof FPR_POINTS)[number], number | null>;
  auc: number | null;
  /** Downsampled ROC over all (target, candidate) pairs, thresholding per-target z-scores. */
  roc: { fpr: number[]; tpr: number[] } | null;
  /** Softmax temperature of the posterior (posterior.ts). */
  temperature: number;
  /** Whether the attack correlates flows (the setting where TPR at fixed FPR is the figure to quote). */
  correlation: boolean;
}

export interface EveCandidateView {
  candidate: string;
  score: number;
  posterior: number;
  isPartner: boolean;
}

export interface EveTargetView {
  target: string;
  partners: string[];
  byMethod: Record<string, { rank: number | null; top: EveCandidateView[] }>;
}

export interface EveResult {
  eve: EveFigures | null;
  eveByMethod: Record<string, EveFigures>;
  targets: EveTargetView[];
}

interface Evaluation {
  figures: EveFigures;
  views: Array<{ rank: number | null; top: EveCandidateView[] }>;
}

function evaluate(attack: Attack, scores: Scores, pop: EvePopulation, opts: Required<EveOptions>): Evaluation {
  const T = pop.targets.length;
  const C = pop.users.length;
  const { values } = scores;
  const tau = pop.hasTruth ? fitTemperature(values, T, C, pop.partners) : 1;
  const z = new Float64Array(C);
  const p = new Float64Array(C);
  const positives = new Float32Array(pop.partners.reduce((n, ps) => n + ps.length, 0));
  const negatives = new Float32Array(T * C);
  let nPos = 0;
  let nNeg = 0;
  let top1 = 0;
  let top5 = 0;
  let rankSum = 0;
  let entropy = 0;
  let maxEntropy = 0;
  let minEntropy = 0;
  let candidateSum = 0;
  const views: Evaluation['views'] = [];
  for (let i = 0; i < T; i++) {
    const off = i * C;
    standardize(values, off, C, z);
    softmax(z, tau, p);
    let n = 0;
    for (let c = 0; c < C; c++) if (z[c] !== -Infinity) n++;
    candidateSum += n;
    entropy += shannonEntropyBits(p);
    maxEntropy += n > 1 ? Math.log2(n) : 0;
    minEntropy += minEntropyBits(p);
    const partners = pop.partners[i];
    let rank: number | null = null;
    if (partners.length) {
      const r = partnerRank(values, off, C, partners);
      top1 += r.top1;
      top5 += r.top5;
      rankSum += r.rank;
      rank = r.rank;
      const isPartner = new Set(partners);
      for (let c = 0; c < C; c++) {
        if (z[c] === -Infinity) continue;
        if (isPartner.has(c)) {
          positives[nPos++] = z[c];
        } else negatives[nNeg++] = z[c];
      }
    }
    if (i < opts.keepTargets) views.push({ rank, top: topCandidates(values, off, C, p, pop, partners, opts.keepCandidates) });
  }
  const withTruth = pop.hasTruth && T > 0;
  const curve = withTruth ? roc(positives.subarray(0, nPos), negatives.subarray(0, nNeg), opts.rocPoints) : null;
  const meanEntropy = T ? entropy / T : 0;
  const meanMax = T ? maxEntropy / T : 0;
  const figures: EveFigures = {
    method: attack.name,
    variant: scores.variant ?? null,
    targets: T,
    candidates: T ? candidateSum / T : 0,
    top1: withTruth ? top1 / T : null,
    top5: withTruth ? top5 / T : null,
    meanRank: withTruth ? rankSum / T : null,
    entropyBits: meanEntropy,
    maxEntropyBits: meanMax,
    degreeOfAnonymity: meanMax > 0 ? meanEntropy / meanMax : 0,
    minEntropyBits: T ? minEntropy / T : 0,
    tprAtFpr: { '0.01': curve?.tprAtFpr['0.01'] ?? null, '0.001': curve?.tprAtFpr['0.001'] ?? null },
    auc: curve && Number.isFinite(curve.auc) ? curve.auc : null,
    roc: curve ? { fpr: curve.fpr, tpr: curve.tpr } : null,
    temperature: tau,
    correlation: attack.correlation,
  };
  return { figures, views };
}

function topCandidates(
  values: Float32Array,
  off: number,
  C: number,
  p: Float64Array,
  pop: EvePopulation,
  partners: number[],
  k: number,
): EveCandidateView[] {
  const order: number[] = [];
  for (let c = 0; c < C; c++) if (values[off + c] !== -Infinity) order.push(c);
  order.sort((a, b) => values[off + b] - values[off + a] || a - b);
  return order.slice(0, k).map((c) => ({
    candidate: pop.users[c],
    score: values[off + c],
    posterior: p[c],
    isPartner: partners.includes(c),
  }));
}

/**
 * The variant with the highest top-1 (then lowest mean rank, then first), found with a cheap rank pass so only
 * the winner is evaluated in full. Without truth: the first variant.
 */
function pickVariant(variants: Scores[], pop: EvePopulation): number {
  if (!pop.hasTruth || variants.length === 1) return 0;
  const C = pop.users.length;
  let best = 0;
  let bestTop1 = -1;
  let bestRank = Infinity;
  variants.forEach((scores, v) => {
    let top1 = 0;
    let rank = 0;
    for (let i = 0; i < pop.targets.length; i++) {
      const r = partnerRank(scores.values, i * C, C, pop.partners[i]);
      top1 += r.top1;
      rank += r.rank;
    }
    if (top1 > bestTop1 || (top1 === bestTop1 && rank < bestRank)) [best, bestTop1, bestRank] = [v, top1, rank];
  });
  return best;
}

/** Strongest first: highest top-1, then lowest mean rank (without truth: lowest entropy). */
function stronger(a: EveFigures, b: EveFigures): boolean {
  if (a.top1 !== null && b.top1 !== null) {
    if (a.top1 !== b.top1) return a.top1 > b.top1;
    return a.meanRank! < b.meanRank!;
  }
  return a.entropyBits < b.entropyBits;
}

export function runEve(tap: TapColumns, truth: GroundTruth | null, options: EveOptions = {}): EveResult {
  const opts: Required<EveOptions> = {
    ...DEFAULT_ATTACK_OPTIONS,
    attacks: ATTACKS.map((a) => a.name),
    maxTargets: Infinity,
    keepTargets: 50,
    keepCandidates: 5,
    rocPoints: 100,
    onAttackTimed: () => {},
    ...options,
  };
  const unknown = opts.attacks.filter((name) => !ATTACKS.some((a) => a.name === name));
  if (unknown.length) throw new Error(`eve: unknown attack ${unknown.join(', ')} (have: ${ATTACKS.map((a) => a.name).join(', ')})`);
  const population = buildPopulation(tap, truth, opts.maxTargets);
  if (population.targets.length === 0) return { eve: null, eveByMethod: {}, targets: [] };
  const ctx = buildContext(tap, population);
  const eveByMethod: Record<string, EveFigures> = {};
  const targets: EveTargetView[] = Array.from({ length: Math.min(opts.keepTargets, population.targets.length) }, (_, i) => ({
    target: population.users[population.targets[i]],
    partners: population.partners[i].map((u) => population.users[u]),
    byMethod: {},
  }));
  let eve: EveFigures | null = null;
  for (const attack of ATTACKS) {
    if (!opts.attacks.includes(attack.name)) continue;
    const started = process.hrtime.bigint();
    const variants = attack.run(ctx, population.targets, opts);
    const best = variants.length ? evaluate(attack, variants[pickVariant(variants, population)], population, opts) : null;
    opts.onAttackTimed(attack.name, Number(process.hrtime.bigint() - started) / 1e9);
    if (!best) continue;
    eveByMethod[attack.name] = best.figures;
    best.views.forEach((view, i) => (targets[i].byMethod[attack.name] = view));
    if (!eve || stronger(best.figures, eve)) eve = best.figures;
  }
  return { eve, eveByMethod, targets };
}
