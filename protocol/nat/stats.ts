/**
 * Counters a NatService keeps. Every connect() ends in exactly one outcome or one failure, so
 * connects = direct + punched + relayed + sum(failures) + connectsActive at any time; every dropped NAT
 * message or punch datagram is counted under exactly one reason.
 */
import type { MappingBehaviour } from './messages.ts';

export const NAT_FAILURES = [
  /** Both sides tried (or the NATs' mapping behaviour ruled it out) and no punch got through; no relay either. */
  'unpunchable',
  /** No rendezvous was given and the direct path did not answer. */
  'unreachable',
  /** The rendezvous did not answer PUNCH_REQUEST. */
  'rendezvous-timeout',
  /** The rendezvous refused (unknown target, rate limit ...) or contradicted the request (a lying rendezvous). */
  'rendezvous-refused',
  /** A path was punched but the session over it never answered the probe. */
  'probe-timeout',
  /** Too many connects in progress. */
  'overloaded',
  /** stop() was called. */
  'stopped',
  /** The target key is not a valid P-256 point. */
  'bad-peer-key',
] as const;
export type NatFailure = (typeof NAT_FAILURES)[number];

export const NAT_DROPS = [
  /** Undecodable NAT message or invalid field (requester naming ourselves, bad key). */
  'malformed',
  'unknown-type',
  /** PUNCH_NOTIFY from a node we never registered with (and the acceptNotify policy refused). */
  'not-rendezvous',
  /** A reply or probe ack matching no request of ours, or from the wrong peer. */
  'unsolicited',
  /** A reply that contradicts our request (PUNCH_READY for another target, a probe answered by another key). */
  'mismatch',
  /** A datagram with a live punch id whose tag fails: someone knows the nonce but not the peers' static key. */
  'bad-punch-auth',
  /** A PUNCH_NOTIFY nonce seen before (replay). */
  'duplicate',
  'rate-limited',
  /** Too many punch exchanges in progress. */
  'overloaded',
  /** A relayed payload that did not open or authenticate for us. */
  'relay-auth-failed',
  /** A relayed payload outside the clock-skew window. */
  'stale',
  /** A relayed payload seen before. */
  'replay',
  /** A request this node does not serve in its current role (a probe ack for a relayed target we never asked). */
  'unsupported',
] as const;
export type NatDropReason = (typeof NAT_DROPS)[number];

export interface NatStats {
  connects: number;
  connectsActive: number;
  outcomes: { direct: number; punched: number; relayed: number };
  failures: Partial<Record<NatFailure, number>>;
  /** connect() calls started by a stalled handshake (autoPunch). */
  autoPunches: number;
  /** Client role. */
  registrations: number;
  punchRequestsSent: number;
  /** Rendezvous role. */
  registrationsServed: number;
  punchRequestsServed: number;
  notifiesSent: number;
  refusalsSent: number;
  relaysForwarded: number;
  /** Target role. */
  notifiesAccepted: number;
  /** Exchanges not started because both NATs map per destination (nothing could get through). */
  punchesSkipped: number;
  /** Punch datagrams. */
  punchesSent: number;
  punchAcksSent: number;
  /** Authentic punch or ack datagrams received. */
  punchesHeard: number;
  probesSent: number;
  probesAnswered: number;
  /** Probe acks after their connect finished (slow paths): not drops. */
  lateProbeAcks: number;
  relayedSent: number;
  relayedDelivered: number;
  /** RELAY messages the rendezvous refused (relay off, rate limit, unknown target). */
  relayRefused: number;
  /** Replies to requests already answered or timed out (duplicates after a resend): not drops. */
  lateReplies: number;
  dropped: Partial<Record<NatDropReason, number>>;
  mapping: MappingBehaviour;
  observedAddress: string | null;
  routes: number;
}

export type NatCounters = Omit<NatStats, 'connectsActive' | 'mapping' | 'observedAddress' | 'routes'>;

export function emptyNatCounters(): NatCounters {
  return {
    connects: 0,
    outcomes: { direct: 0, punched: 0, relayed: 0 },
    failures: {},
    autoPunches: 0,
    registrations: 0,
    punchRequestsSent: 0,
    registrationsServed: 0,
    punchRequestsServed: 0,
    notifiesSent: 0,
    refusalsSent: 0,
    relaysForwarded: 0,
    notifiesAccepted: 0,
    punchesSkipped: 0,
    punchesSent: 0,
    punchAcksSent: 0,
    punchesHeard: 0,
    probesSent: 0,
    probesAnswered: 0,
    lateProbeAcks: 0,
    relayedSent: 0,
    relayedDelivered: 0,
    relayRefused: 0,
    lateReplies: 0,
    dropped: {},
  };
}

export function countNatDrop(counters: NatCounters, reason: NatDropReason): void {
  counters.dropped[reason] = (counters.dropped[reason] ?? 0) + 1;
}
