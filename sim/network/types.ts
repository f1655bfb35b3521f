/**
 * Types of the simulated network. The scenario schema (sim/scenario/schema.ts) maps onto NetworkConfig and
 * SimNodeOptions field for field.
 */

/**
 * NAT behaviour in front of a node (RFC 4787 terms):
 * - `none`: public address, accepts everything;
 * - `fullCone`: endpoint-independent mapping and filtering, open to anyone once the node has sent anything;
 * - `restricted`: port-restricted cone, accepts only from endpoints the node has sent to;
 * - `symmetric`: address-dependent mapping: a new external address per destination, each accepting only from
 *   the destination it was created for.
 */
export type NatType = 'none' | 'fullCone' | 'restricted' | 'symmetric';

export type LatencyDistribution = 'normal' | 'uniform' | 'exponential' | 'constant';

/**
 * One-way link latency. Per datagram: `normal` = meanMs + jitterMs * N(0,1); `uniform` = meanMs +/- jitterMs;
 * `exponential` = (meanMs - jitterMs) + Exp(mean jitterMs), a propagation floor plus queueing, mean meanMs;
 * `constant` = meanMs. Draws below 0 are clamped to 0.
 */
export interface LatencySpec {
  meanMs: number;
  jitterMs: number;
  distribution: LatencyDistribution;
}

export interface NetworkConfig {
  /** Datagrams larger than this are dropped (counted in droppedMtu). */
  mtuBytes: number;
  /** Independent per-datagram loss probability in [0, 1). */
  lossRate: number;
  /** Default one-way link latency. */
  latency: LatencySpec;
  /** Key "a|b" (symmetric: "eu|us" also serves us -> eu); overrides `latency` between regions a and b. */
  regionLatency: Record<string, LatencySpec>;
  /** Default per-node uplink bandwidth; null = unlimited (no serialisation delay). */
  uplinkBytesPerS: number | null;
  /** Uplink queue cap in bytes; a datagram that would overflow it is dropped (droppedQueue). */
  queueLimitBytes: number;
}

export interface SimNodeOptions {
  /** Region name for regionLatency; default "default". */
  region?: string;
  /** Default "none". */
  nat?: NatType;
  /** Overrides NetworkConfig.uplinkBytesPerS for this node (null = unlimited). */
  uplinkBytesPerS?: number | null;
  /** Last-mile latency added to every datagram this node sends or receives. Default 0. */
  accessLatencyMs?: number;
}

/**
 * What a link observer sees of one datagram as it leaves the sender's uplink: nothing else. `source` and `target`
 * are hosts, named by node name: a symmetric NAT's mappings (`n3:1`, `n3:2`: one port per destination) all show as
 * `n3`, as an IP-level observer sees one address per host, and as the tap's ground truth names the node.
 */
export type TapListener = (timeMs: number, source: string, target: string, bytes: number) => void;

/**
 * The same moment with ground truth the adversary's tap does not have: whether the datagram is cover traffic
 * (a NOISE frame sealed by the session layer, SimNetwork.markNoise). For the runner's measuring observers (the
 * report's traffic series); never for Eve.
 */
export type TruthTapListener = (timeMs: number, source: string, target: string, bytes: number, noise: boolean) => void;

/** Counters of the network; a plain object of numbers. Extend, never rename. */
export interface NetworkStats {
  /** send() calls. */
  sent: number;
  /** Datagrams that left a sender's uplink onto a link (= tap rows). */
  transmitted: number;
  delivered: number;
  droppedMtu: number;
  droppedLoss: number;
  droppedNat: number;
  droppedDown: number;
  droppedQueue: number;
  droppedUnknown: number;
  /** Arrived at an up node that had not registered a receive handler. */
  droppedNoHandler: number;
  /** Bytes seen on links (sum of the tap rows' sizes). */
  tappedBytes: number;
  deliveredBytes: number;
  /** Receive handlers that threw (the run survives; each is also in the trace). */
  handlerErrors: number;
}

export type DropReason = 'mtu' | 'loss' | 'nat' | 'down' | 'queue' | 'unknown' | 'noHandler';

/**
 * Where the datagrams sent so far are (SimNetwork.datagramAccount; the report's `traffic.datagrams`):
 * sent = delivered + sum(dropped) + queuedAtEnd + inFlightAtEnd, checked at the end of every run.
 */
export interface DatagramAccount {
  /** send() calls. */
  sent: number;
  /** Left an uplink onto a link (= tap rows); some of these were lost, dropped on arrival, or are still on a link. */
  transmitted: number;
  /** Handed to the receiver's handler. */
  delivered: number;
  /** Dropped, by reason (every reason present, 0 when none). */
  dropped: Record<DropReason, number>;
  /** Still waiting in a sender's uplink queue (uplinkBytesPerS) when the account was taken. */
  queuedAtEnd: number;
  /** On a link (transmitted, not yet arrived) when the account was taken. */
  inFlightAtEnd: number;
}

export const DEFAULT_REGION = 'default';

export const DEFAULT_NETWORK_CONFIG: Readonly<NetworkConfig> = Object.freeze({
  mtuBytes: 1280,
  lossRate: 0,
  latency: Object.freeze({ meanMs: 40, jitterMs: 5, distribution: 'normal' as const }),
  regionLatency: Object.freeze({}),
  uplinkBytesPerS: null,
  queueLimitBytes: 1_048_576,
});
