/**
 * Eclipse metrics (report.attacks.eclipse, design.md). Pure functions of what was observed about each victim, so
 * the definitions are tested on their own. Definitions:
 *
 * - victim: a newcomer that joins after the DHT's warm-up (sim/adversary/eclipse-hooks.ts); every victim that
 *   arrived counts, joined or not.
 * - poisoned lookup: a victim's FIND_NODE for an existing honest NodeID that did not find the target AND whose
 *   result set (the up to k closest contacts that answered) is empty or at least half malicious ("mostly
 *   malicious"). An empty result counts because a victim surrounded by silent attackers sees nothing else.
 * - eclipsed victim: at the end of the run, at least 90 % of its routing-table contacts are malicious, or it ran
 *   at least one lookup and every one of them was poisoned. A victim with an empty table that ran no lookup is
 *   not eclipsed but counted in `victimsNotJoined`.
 * - poisonedLookupFraction: poisoned lookups / victims' measured lookups (0 when none were measured: the report
 *   contract types it as a number; `lookups` says how many there were).
 * - flaggedEntries: distinct malicious entries that at least one victim flagged; honest entries flagged by
 *   mistake are reported apart (`falselyFlaggedEntries`, `falseFlags`).
 * - maliciousFraction: malicious nodes (malicious entries + colluders) / all nodes in the run (scenario nodes +
 *   colluders + victims).
 * - adversarialCircuitFraction: null until onion circuits exist (a later issue).
 *
 * victimHarm (issue 10: the per-victim distribution; the headline `eclipsedVictims` is binary and lenient). Every
 * victim that arrived is in every denominator, and a victim whose join did not end in a bootstrapped node
 * (unfinished at the end, refused by its own defence, or a failed bootstrap) counts as fully harmed: table share 1,
 * majority malicious, all its lookups failed, "poisoned".
 * - majorityMaliciousShare: victims whose routing table is >= 50 % malicious at the end (or whose join failed).
 * - meanMaliciousTableShare: mean over victims of the malicious share of its table (1 for a failed join).
 * - lookupSuccessRate: lookups that found their honest target / lookups planned (victims x victimLookups):
 *   unfinished and never-started lookups are failures.
 * - anyPoisonedLookupShare: victims with at least one poisoned lookup (or a failed join).
 * - unfinishedJoins: victims whose join did not end in a bootstrapped node.
 * - falselyFlaggedEntries: honest entries flagged by at least one victim.
 * Extensions beside it: `maliciousTableShareQuantiles` and `harmByMaliciousEntries` (victims grouped by how many
 * of their entries were malicious: where each defence helps or hurts), and `perVictim` (each victim's table share,
 * malicious entries known, joined, lookup success; at most MAX_PER_VICTIM, an even stride beyond: the dashboard's
 * per-victim chart).
 */
import type { EclipseSection, VictimHarm, VictimView } from '../report/report.ts';
import { quantile } from './quantiles.ts';
import { strideSample } from './stride-sample.ts';

/** Table share at or above which a victim counts as eclipsed. */
export const ECLIPSED_TABLE_SHARE = 0.9;
/** Table share at or above which a victim counts as majority-malicious (victimHarm). */
export const MAJORITY_SHARE = 0.5;
/** Most victims attacks.eclipse.perVictim lists (an even stride over them beyond). */
export const MAX_PER_VICTIM = 1000;
/** Result-set share at or above which a failed lookup counts as poisoned. */
export const POISONED_RESULT_SHARE = 0.5;

export interface LookupObservation {
  found: boolean;
  resultSize: number;
  maliciousInResult: number;
}

export interface VictimObservation {
  /** The join procedure finished (false: still running at the end, or never started). */
  joinFinished: boolean;
  /** The node bootstrapped (ok) from what its join procedure accepted. */
  joined: boolean;
  tableSize: number;
  maliciousInTable: number;
  /** Finished lookups; unfinished ones at the end of the run are not measured. */
  lookups: LookupObservation[];
  lookupsUnfinished: number;
  /** Lookups the victim was to run once joined (victimLookups). */
  lookupsPlanned?: number;
  /** Entry ids (any stable string) this victim knew, by kind. */
  maliciousEntriesKnown: string[];
  honestEntriesKnown: string[];
  /** Entry ids it flagged. */
  flaggedMalicious: string[];
  flaggedHonest: string[];
}

export interface EclipsePopulation {
  totalNodes: number;
  maliciousNodes: number;
  maliciousEntries: number;
}

export interface EclipseFigures extends EclipseSection {
  /** Extension: what the headline figures are made of. */
  victimsJoined: number;
  victimsNotJoined: number;
  victimsJoinUnfinished: number;
  maliciousEntries: number;
  maliciousNodes: number;
  eclipsedShare: number | null;
  meanMaliciousTableShare: number | null;
  lookups: number;
  poisonedLookups: number;
  lookupsUnfinished: number;
  /** Victims that knew at least one malicious entry / more malicious than honest ones / only malicious ones. */
  victimsMeetingMaliciousEntry: number;
  victimsWithMaliciousMajority: number;
  victimsWithOnlyMaliciousEntries: number;
  /** (victim, malicious entry) pairs where the victim flagged the entry / knew it. */
  flagEvents: number;
  maliciousEntryEncounters: number;
  flagRecall: number | null;
  /** Honest entries flagged by at least one victim, and (victim, honest entry) flag pairs. */
  falselyFlaggedEntries: number;
  falseFlags: number;
  maliciousTableShareQuantiles: { p50: number | null; p90: number | null; max: number | null };
  /** Keyed by the number of malicious entries a victim knew. */
  harmByMaliciousEntries: Record<string, { victims: number; majorityMaliciousShare: number; meanMaliciousTableShare: number }>;
  perVictim: VictimView[];
}

/** A victim's malicious table share, 1 when its join did not end in a bootstrapped node. */
export function harmedTableShare(v: VictimObservation): number {
  if (!v.joined || v.tableSize === 0) return 1;
  return v.maliciousInTable / v.tableSize;
}

/** Lookups a victim was to run: planned, or more when it ran more (victimHarm.lookupSuccessRate's denominator). */
function lookupsPlanned(v: VictimObservation): number {
  return Math.max(v.lookupsPlanned ?? 0, v.lookups.length + v.lookupsUnfinished);
}

/** attacks.eclipse.perVictim: each victim's figures, at most `max` (a deterministic stride, no Rng). */
export function perVictim(victims: readonly VictimObservation[], max = MAX_PER_VICTIM): VictimView[] {
  return strideSample(victims, max).map((v) => {
    const planned = lookupsPlanned(v);
    return {
      maliciousTableShare: harmedTableShare(v),
      maliciousEntriesKnown: v.maliciousEntriesKnown.length,
      joined: v.joined,
      lookupSuccess: planned === 0 ? null : v.lookups.filter((l) => l.found).length / planned,
    };
  });
}

export function victimHarm(victims: readonly VictimObservation[]): VictimHarm {
  const n = victims.length;
  const shares = victims.map(harmedTableShare);
  const planned = sum(victims, lookupsPlanned);
  const found = sum(victims, (v) => v.lookups.filter((l) => l.found).length);
  const flaggedHonest = new Set(victims.flatMap((v) => v.flaggedHonest));
  return {
    majorityMaliciousShare: n === 0 ? null : shares.filter((s) => s >= MAJORITY_SHARE).length / n,
    meanMaliciousTableShare: n === 0 ? null : shares.reduce((a, b) => a + b, 0) / n,
    lookupSuccessRate: planned === 0 ? null : found / planned,
    anyPoisonedLookupShare: n === 0 ? null : victims.filter((v) => !v.joined || v.lookups.some(isPoisoned)).length / n,
    unfinishedJoins: victims.filter((v) => !v.joined).length,
    falselyFlaggedEntries: flaggedHonest.size,
  };
}

export function isPoisoned(l: LookupObservation): boolean {
  return !l.found && (l.resultSize === 0 || l.maliciousInResult / l.resultSize >= POISONED_RESULT_SHARE);
}

export function isEclipsed(v: VictimObservation): boolean {
  const tableEclipsed = v.tableSize > 0 && v.maliciousInTable / v.tableSize >= ECLIPSED_TABLE_SHARE;
  const lookupsEclipsed = v.lookups.length > 0 && v.lookups.every(isPoisoned);
  return tableEclipsed || lookupsEclipsed;
}

export function eclipseFigures(victims: readonly VictimObservation[], population: EclipsePopulation): EclipseFigures {
  const lookups = victims.flatMap((v) => v.lookups);
  const poisoned = lookups.filter(isPoisoned).length;
  const eclipsed = victims.filter(isEclipsed).length;
  const withTable = victims.filter((v) => v.tableSize > 0);
  const flaggedMalicious = new Set(victims.flatMap((v) => v.flaggedMalicious));
  const flaggedHonest = new Set(victims.flatMap((v) => v.flaggedHonest));
  const flagEvents = sum(victims, (v) => v.flaggedMalicious.length);
  const encounters = sum(victims, (v) => v.maliciousEntriesKnown.length);
  return {
    maliciousFraction: population.totalNodes === 0 ? 0 : population.maliciousNodes / population.totalNodes,
    victims: victims.length,
    eclipsedVictims: eclipsed,
    poisonedLookupFraction: lookups.length === 0 ? 0 : poisoned / lookups.length,
    flaggedEntries: flaggedMalicious.size,
    adversarialCircuitFraction: null,
    victimsJoined: victims.filter((v) => v.joined).length,
    victimsNotJoined: victims.filter((v) => v.joinFinished && !v.joined).length,
    victimsJoinUnfinished: victims.filter((v) => !v.joinFinished).length,
    maliciousEntries: population.maliciousEntries,
    maliciousNodes: population.maliciousNodes,
    eclipsedShare: victims.length === 0 ? null : eclipsed / victims.length,
    meanMaliciousTableShare: withTable.length === 0 ? null : sum(withTable, (v) => v.maliciousInTable / v.tableSize) / withTable.length,
    lookups: lookups.length,
    poisonedLookups: poisoned,
    lookupsUnfinished: sum(victims, (v) => v.lookupsUnfinished),
    victimsMeetingMaliciousEntry: victims.filter((v) => v.maliciousEntriesKnown.length > 0).length,
    victimsWithMaliciousMajority: victims.filter((v) => v.maliciousEntriesKnown.length > v.honestEntriesKnown.length).length,
    victimsWithOnlyMaliciousEntries: victims.filter((v) => v.maliciousEntriesKnown.length > 0 && v.honestEntriesKnown.length === 0).length,
    flagEvents,
    maliciousEntryEncounters: encounters,
    flagRecall: encounters === 0 ? null : flagEvents / encounters,
    falselyFlaggedEntries: flaggedHonest.size,
    falseFlags: sum(victims, (v) => v.flaggedHonest.length),
    victimHarm: victimHarm(victims),
    maliciousTableShareQuantiles: shareQuantiles(victims.map(harmedTableShare)),
    harmByMaliciousEntries: byMaliciousEntries(victims),
    perVictim: perVictim(victims),
  };
}

function sum<T>(items: readonly T[], f: (x: T) => number): number {
  let s = 0;
  for (const x of items) s += f(x);
  return s;
}

function shareQuantiles(shares: number[]): EclipseFigures['maliciousTableShareQuantiles'] {
  if (shares.length === 0) return { p50: null, p90: null, max: null };
  const sorted = [...shares].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), max: sorted[sorted.length - 1] };
}

function byMaliciousEntries(victims: readonly VictimObservation[]): EclipseFigures['harmByMaliciousEntries'] {
  const groups = new Map<number, VictimObservation[]>();
  for (const v of victims) groups.set(v.maliciousEntriesKnown.length, [...(groups.get(v.maliciousEntriesKnown.length) ?? []), v]);
  return Object.fromEntries(
    [...groups.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([m, vs]) => {
        const h = victimHarm(vs);
        return [String(m), { victims: vs.length, majorityMaliciousShare: h.majorityMaliciousShare ?? 0, meanMaliciousTableShare: h.meanMaliciousTableShare ?? 0 }];
      }),
  );
}
