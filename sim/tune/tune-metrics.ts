/**
 * The figures a tune target can name: any numeric report path ("traffic.bandwidthOverhead"), plus the worst case
 * over every Eve attack, "eveWorst.<figure>": a target such as "degree of anonymity >= 0.9 against every attack"
 * holds iff it holds for the attack that does best on that figure. `top1OverChance` is top1 x candidates: 1 is
 * guessing, 2 is "twice chance".
 */
import { getFieldPath as at } from '../scenario/field-path.ts';

/** Figure -> whether a higher value is better for Eve (then the worst case is the maximum over attacks). */
const EVE_WORST: Record<string, 'max' | 'min'> = {
  top1: 'max',
  top5: 'max',
  top1OverChance: 'max',
  auc: 'max',
  meanRank: 'min',
  entropyBits: 'min',
  minEntropyBits: 'min',
  degreeOfAnonymity: 'min',
};

export const EVE_WORST_PREFIX = 'eveWorst.';
export const EVE_WORST_FIGURES = Object.keys(EVE_WORST);

/** Why `path` cannot name a tune metric, or null when it can. */
export function tuneMetricProblem(path: string): string | null {
  if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(path)) return 'must be a report path like "traffic.deliveryRatio" or "eveWorst.degreeOfAnonymity"';
  if (path.startsWith(EVE_WORST_PREFIX) && !(path.slice(EVE_WORST_PREFIX.length) in EVE_WORST)) {
    return `unknown Eve figure; eveWorst. takes one of ${EVE_WORST_FIGURES.join(', ')}`;
  }
  return null;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The value of a tune metric in one report; null when the report does not have it (e.g. no Eve in the run). */
export function tuneMetric(report: unknown, path: string): number | null {
  if (!path.startsWith(EVE_WORST_PREFIX)) {
    const v = at(report, path);
    return finite(v) ? v : null;
  }
  const figure = path.slice(EVE_WORST_PREFIX.length);
  const byMethod = at(report, 'attacks.eveByMethod');
  if (byMethod === null || typeof byMethod !== 'object') return null;
  const values: number[] = [];
  for (const attack of Object.values(byMethod as Record<string, Record<string, unknown>>)) {
    const v = figure === 'top1OverChance' ? (finite(attack.top1) && finite(attack.candidates) ? attack.top1 * attack.candidates : null) : attack[figure];
    if (finite(v)) values.push(v);
  }
  if (values.length === 0) return null;
  return EVE_WORST[figure] === 'max' ? Math.max(...values) : Math.min(...values);
}
