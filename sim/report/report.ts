/**
 * The run report (design.md, "Report JSON"). Fields are a contract: extend, never rename or drop.
 * Sections a scenario does not exercise are present with null values, so consumers can rely on the shape.
 */
import type { Scenario } from '../scenario/schema.ts';

export const REPORT_FORMAT_VERSION = 1;

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface SimSection {
  nodes: number;
  simulatedSeconds: number;
  events: number;
  wallSeconds: number;
  peakRssBytes: number;
  /** Extension: events per wall-clock second. */
  eventsPerWallSecond: number;
  /** Extension: crypto back end the run used. */
  cryptoBackend: string;
}

export interface TrafficSection {
  messagesSent: number;
  messagesDelivered: number;
  deliveryRatio: number | null;
  latencyMs: Percentiles;
  wirePackets: number;
  noisePackets: number;
  wireBytes: number;
  bandwidthOverhead: number | null;
  packetSizes: number[];
  /** Extension: datagrams dropped by the network model, by reason. */
  drops: Record<string, number>;
}

export interface EveSection {
  method: string;
  targets: number;
  top1: number;
  top5: number;
  meanRank: number;
  entropyBits: number;
  maxEntropyBits: number;
  degreeOfAnonymity: number;
}

export interface EclipseSection {
  maliciousFraction: number;
  victims: number;
  eclipsedVictims: number;
  poisonedLookupFraction: number;
  flaggedEntries: number;
  adversarialCircuitFraction: number | null;
  victimHarm: VictimHarm;
}

/** Per-victim harm of an eclipse attack (design.md: attacks.eclipse.victimHarm; definitions in sim/metrics/eclipse.ts). */
export interface VictimHarm {
  majorityMaliciousShare: number | null;
  meanMaliciousTableShare: number | null;
  lookupSuccessRate: number | null;
  anyPoisonedLookupShare: number | null;
  unfinishedJoins: number;
  falselyFlaggedEntries: number;
}

export interface Report {
  paratox: number;
  scenario: Scenario;
  seed: number;
  traceHash: string;
  sim: SimSection;
  traffic: TrafficSection;
  attacks: { eve: EveSection | null; eclipse: EclipseSection | null };
  /** Extension: protocol-specific figures (e.g. ping round trips, DHT hop histogram). */
  protocol: Record<string, unknown>;
  /** Extension: the command that reproduces this run. */
  reproduce: string;
}
