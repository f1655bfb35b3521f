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
 */
import type { EclipseSection } from '../report/report.ts';

/** Table share at or above which a victim counts as eclipsed. */
export const ECLIPSED_TABLE_SHARE = 0.9;
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
  };
}

function sum<T>(items: readonly T[], f: (x: T) => number): number {
  let s = 0;
  for (const x of items) s += f(x);
  return s;
}
