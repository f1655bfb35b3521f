/**
 * Anonymity metrics of one attack's posterior, and ROC figures of its pair scores.
 *
 * - Shannon entropy H = -sum p log2 p of Eve's posterior over a target's candidates; Serjantov and Danezis 2002
 *   call 2^H the effective anonymity set.
 * - Diaz et al. 2002 degree of anonymity d = H / log2 N (1 = Eve learns nothing, 0 = she is certain).
 * - Min-entropy -log2 max p: the worst case (Eve's single best guess).
 * - Rank of the true partner with ties split evenly: a partner tied with e-1 others below g better candidates has
 *   expected rank g + (e+1)/2 and is in the top k with probability clamp((k - g) / e, 0, 1) under random
 *   tie-breaking, so an attack whose scores are all equal scores exactly chance (top-1 = 1/N).
 * - ROC over all (target, candidate) pairs (DeepCorr, DeepCoFFEA report TPR at fixed FPR rather than accuracy).
 */

export function shannonEntropyBits(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) h -= p[i] * Math.log2(p[i]);
  return Math.max(0, h);
}

export function minEntropyBits(p: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > max) max = p[i];
  return max > 0 ? Math.max(0, -Math.log2(max)) : 0;
}

/** Diaz et al.: H / log2 N; 0 when there is at most one candidate (nothing to hide among). */
export function degreeOfAnonymity(entropyBits: number, candidates: number): number {
  return candidates > 1 ? entropyBits / Math.log2(candidates) : 0;
}

export interface RankFigures {
  /** Expected 1-based rank of the best-placed partner. */
  rank: number;
  /** Probability the partner is first / in the top 5. */
  top1: number;
  top5: number;
}

/**
 * Where the best-scored partner lands among `scores[offset .. offset+count)`; -Infinity entries (the target
 * itself) are not candidates.
 */
export function partnerRank(scores: ArrayLike<number>, offset: number, count: number, partners: readonly number[]): RankFigures {
  let best = -Infinity;
  for (const p of partners) best = Math.max(best, scores[offset + p]);
  let greater = 0;
  let equal = 0;
  for (let c = 0; c < count; c++) {
    const s = scores[offset + c];
    if (s === -Infinity) continue;
    if (s > best) greater++;
    else if (s === best) equal++;
  }
  equal = Math.max(1, equal);
  const topK = (k: number): number => Math.min(1, Math.max(0, (k - greater) / equal));
  return { rank: greater + (equal + 1) / 2, top1: topK(1), top5: topK(5) };
}

export interface Roc {
  /** Downsampled curve, from (0, 0) to (1, 1). */
  fpr: number[];
  tpr: number[];
  auc: number;
  /** Highest TPR reachable with FPR <= each key; null without positives or negatives. */
  tprAtFpr: Record<string, number | null>;
}

export const FPR_POINTS = ['0.01', '0.001'] as const;

/**
 * ROC of positive (true pair) and negative scores: one point per distinct threshold ("score >= threshold" is
 * flagged), ties crossing together; AUC by the trapezoid rule (= P(pos > neg) + P(pos = neg) / 2).
 */
export function roc(positives: Float32Array, negatives: Float32Array, maxPoints = 100, fprs: readonly string[] = FPR_POINTS): Roc {
  const pos = positives.slice().sort();
  const neg = negatives.slice().sort();
  const P = pos.length;
  const N = neg.length;
  const fx = new Float64Array(P + N + 1);
  const ty = new Float64Array(P + N + 1);
  const limits = fprs.map((f) => Number(f) + 1e-12);
  const at = new Float64Array(fprs.length);
  let points = 1;
  let i = P - 1;
  let j = N - 1;
  let auc = 0;
  while (i >= 0 || j >= 0) {
    const thr = Math.max(i >= 0 ? pos[i] : -Infinity, j >= 0 ? neg[j] : -Infinity);
    while (i >= 0 && pos[i] === thr) i--;
    while (j >= 0 && neg[j] === thr) j--;
    const x = N ? (N - 1 - j) / N : 0;
    const y = P ? (P - 1 - i) / P : 0;
    auc += ((x - fx[points - 1]) * (y + ty[points - 1])) / 2;
    fx[points] = x;
    ty[points] = y;
    points++;
    for (let f = 0; f < limits.length; f++) if (x <= limits[f] && y > at[f]) at[f] = y;
  }
  const keep = points <= maxPoints ? Array.from({ length: points }, (_, k) => k) : Array.from({ length: maxPoints }, (_, k) => Math.round((k * (points - 1)) / (maxPoints - 1)));
  const tprAtFpr: Record<string, number | null> = {};
  fprs.forEach((f, k) => (tprAtFpr[f] = P && N ? at[k] : null));
  return { fpr: keep.map((k) => fx[k]), tpr: keep.map((k) => ty[k]), auc: P && N ? auc : Number.NaN, tprAtFpr };
}
