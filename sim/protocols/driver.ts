import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { Simulator } from '../engine/simulator.ts';
import type { SimNetwork } from '../network/sim-network.ts';
import type { SimTransport } from '../network/sim-transport.ts';
import type { Sample } from '../metrics/quantiles.ts';
import type { MessageOutcomes, Report } from '../report/report.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Conversation } from '../tap/tap-writer.ts';
import type { MessageTimeline } from '../observers/traffic-series.ts';
import type { NetworkFacts } from './network-facts.ts';

/** Everything a protocol driver needs to build its nodes inside a simulated run. */
export interface DriverContext {
  sim: Simulator;
  network: SimNetwork;
  scenario: Scenario;
  /** transports[i] belongs to node i, whose name/address is names[i]. */
  transports: SimTransport[];
  names: string[];
  suite: CryptoSuite;
  /** Where the driver tells when each message it counts was sent and delivered (traffic.series); absent in tests. */
  timeline?: MessageTimeline;
}

export interface DriverResult {
  messagesSent: number;
  messagesDelivered: number;
  /** One-way application-message latency, ms. */
  latencyMs: Sample;
  /** Application payload bytes handed to the stack, for bandwidth overhead. */
  payloadBytes: number;
  /** Protocol-specific figures for the report's `protocol` section. */
  figures: Record<string, unknown>;
  /** Ground truth for `--tap`: who talked to whom, when. */
  conversations: Conversation[];
  /** Attack figures the driver's adversary hooks measured (report.attacks); absent sections stay null. */
  attacks?: Partial<Report['attacks']>;
  /** Addresses of malicious nodes (ground truth for `--tap`); none when absent. */
  malicious?: string[];
  /** Dummy datagrams sent (noise); 0 when absent. */
  noisePackets?: number;
  /** Wire bytes of datagrams that carried real payload (session data, not noise or handshakes); absent: all. */
  realWireBytes?: number;
  /** Per-message outcomes, summing to messagesSent (checked by the runner at the end of every run). */
  outcomes: MessageOutcomes;
  /** What one "message" is for this protocol and what each outcome means (report: traffic.messageUnit). */
  messageUnit: string;
}

/** A protocol under test, as the scenario runner sees it: start/stop nodes (churn) and summarise at the end. */
export interface ProtocolDriver {
  start(index: number): void;
  /** Stops node i's protocol objects: they close sessions, fail what is pending with a counted reason, cancel timers. */
  stop(index: number): void;
  finish(): DriverResult;
  /** Whether churn may take node i down (e.g. entry nodes and conversation users may not); default: every node. */
  mayChurn?(index: number): boolean;
  /** The network at the end, for the report's `network` view (called after finish()); absent: no view. */
  networkFacts?(): NetworkFacts;
  /** true: a node still holding timers after stop(), or an exception out of a receive path, fails the run (InvariantError); false: only counted. */
  readonly strictStop?: boolean;
}

export type DriverFactory = (ctx: DriverContext) => ProtocolDriver;
