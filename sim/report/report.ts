/**
 * The run report (design.md, "Report JSON"). Fields are a contract: extend, never rename or drop.
 * Sections a scenario does not exercise are present with null values, so consumers can rely on the shape.
 */
import type { Scenario } from '../scenario/schema.ts';
import type { EveFigures } from '../eve/run-eve.ts';
import type { RelayAdversaryFigures } from '../adversary/malicious-relays.ts';

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
  /**
   * Extension: CPU seconds (user + system) the run took, from the build to the report. Unlike wall time it does
   * not grow when other processes share the cores; absent when the run shared its process (sweep worker threads).
   */
  cpuSeconds?: number;
  /** Extension: events per wall-clock second. */
  eventsPerWallSecond: number;
  /** Extension: crypto back end the run used. */
  cryptoBackend: string;
  /** Extension: whether the event trace was recorded (scenario.trace.enabled); when false, traceHash is null. */
  traceEnabled: boolean;
}

/** Every message a workload sent ends in exactly one of these (design.md: they sum to messagesSent). */
export interface MessageOutcomes {
  delivered: number;
  /** Delivered after a stay in an offline mailbox (issue 8; 0 until mailboxes exist). */
  deliveredOffline: number;
  /** Failed, by reason. */
  failed: Record<string, number>;
  /** Neither delivered nor failed when the run ended. */
  pending: number;
}

export interface TrafficSection {
  messagesSent: number;
  messagesDelivered: number;
  deliveryRatio: number | null;
  latencyMs: Percentiles;
  wirePackets: number;
  noisePackets: number;
  wireBytes: number;
  /** See bandwidthOverheadDefinition. */
  bandwidthOverhead: number | null;
  /** Extension: what bandwidthOverhead means, written next to it. */
  bandwidthOverheadDefinition: string;
  /** Extension: application payload bytes the workload handed to the stack. */
  payloadBytes: number;
  packetSizes: number[];
  /** Extension: datagrams dropped by the network model, by reason. */
  drops: Record<string, number>;
  /**
   * Per-message outcomes, summing to messagesSent; every protocol fills them (null in reports from before the
   * accounting invariant, which ping and dht runs left untracked).
   */
  outcomes: MessageOutcomes | null;
  /** Extension: what one message is in this run's protocol and what each outcome means. */
  messageUnit: string;
  /**
   * Extension: where every datagram sent ended: sent = delivered + sum(dropped) + queuedAtEnd + inFlightAtEnd
   * (checked at the end of every run; a run that violates it fails).
   */
  datagrams: DatagramFigures;
  /** Extension (issue 13): traffic over time, for the dashboard (sim/observers/traffic-series.ts). */
  series?: TrafficSeriesView;
  /**
   * Extension (issue 13): the distribution behind latencyMs, as <= 101 points: ms[i] is the fraction[i] quantile
   * (nearest rank, i / 100, like p50/p95/p99). null when nothing was delivered.
   */
  latencyCdf?: { ms: number[]; fraction: number[] } | null;
}

/**
 * traffic.series: per bucket of `bucketMs` starting at t[i] (ms), datagrams on the wire (tap rows) split into real
 * and noise (cover traffic sealed by the session layer), and the workload's messages. Totals equal
 * traffic.wirePackets, wireBytes, messagesSent, messagesDelivered; noise = traffic.noisePackets - noiseNotOnWire.
 */
export interface TrafficSeriesView {
  bucketMs: number;
  t: number[];
  realPackets: number[];
  noisePackets: number[];
  realBytes: number[];
  noiseBytes: number[];
  messagesSent: number[];
  messagesDelivered: number[];
  /** Extension: noise datagrams counted in traffic.noisePackets that never left an uplink (dropped, queued at the end). */
  noiseNotOnWire: number;
}

/** traffic.datagrams (SimNetwork.datagramAccount, plus the dropped total). */
export interface DatagramFigures {
  sent: number;
  /** Left an uplink onto a link (= tap rows). */
  transmitted: number;
  delivered: number;
  /** Dropped in all; `droppedByReason` splits it. */
  dropped: number;
  droppedByReason: Record<string, number>;
  /** Still waiting in an uplink queue when the run ended. */
  queuedAtEnd: number;
  /** Still on a link (transmitted, not yet arrived) when the run ended. */
  inFlightAtEnd: number;
}

export interface EclipseSection {
  maliciousFraction: number;
  victims: number;
  eclipsedVictims: number;
  poisonedLookupFraction: number;
  flaggedEntries: number;
  adversarialCircuitFraction: number | null;
  victimHarm: VictimHarm;
  /** Extension (issue 13): figures per victim, <= 1000 (an even stride when there are more), in arrival order. */
  perVictim?: VictimView[];
}

/** One victim of an eclipse attack (attacks.eclipse.perVictim; definitions as victimHarm's, sim/metrics/eclipse.ts). */
export interface VictimView {
  /** Malicious share of its routing table at the end (1 when its join failed). */
  maliciousTableShare: number;
  /** Malicious entries it knew. */
  maliciousEntriesKnown: number;
  joined: boolean;
  /** Lookups that found their target / lookups planned; null when none were planned. */
  lookupSuccess: number | null;
}

/**
 * report.network (issue 13): a deterministic sample of the network at the end of the run (sim/observers/
 * network-view.ts). ids are tap addresses (hosts: `n3`, `victim0`), as in the tap and Eve's rankings.
 */
export interface NetworkView {
  totalNodes: number;
  /** <= 100 nodes. */
  nodes: Array<{ id: string; role: string; malicious: boolean }>;
  /** <= 400 session links between sampled nodes (undirected, each once). */
  links: Array<{ source: string; target: string }>;
  /** <= 10 of the most recent circuits users built (messenger runs); user and hops are all in `nodes`. */
  circuits: Array<{ id: string; user: string; hops: string[] }>;
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
  /**
   * SHA-256 of the ordered event trace. null when the run recorded no trace (`sim.traceEnabled: false`): an empty
   * trace would hash the same for every run and look like proof of reproducibility that it is not.
   */
  traceHash: string | null;
  sim: SimSection;
  traffic: TrafficSection;
  attacks: {
    /** The strongest attack (highest top1), design.md's fields plus extensions (sim/eve/run-eve.ts EveFigures). */
    eve: EveFigures | null;
    eclipse: EclipseSection | null;
    /** Extension (issue 9): every attack's figures, by method (design.md `attacks.eveByMethod`). */
    eveByMethod?: Record<string, EveFigures>;
    /** Extension (issue 9): malicious relays sharing what they see (sim/adversary/malicious-relays.ts). */
    relays?: RelayAdversaryFigures;
    /** Extension: a bounded sample of targets with Eve's top candidates per attack, the true partner marked. */
    eveTargets?: unknown[];
  };
  /** Extension (issue 13): a sample of the network for the dashboard; absent when the driver gives no view. */
  network?: NetworkView;
  /** Extension: protocol-specific figures (e.g. ping round trips, DHT hop histogram). */
  protocol: Record<string, unknown>;
  /** Extension: the command that reproduces this run. */
  reproduce: string;
  /** Extension (issue 14): why this run measured little of what it was built for (sim/report/run-health.ts); absent when none. */
  warnings?: string[];
}
