/**
 * NAT traversal configuration. `NatService` takes `Partial<NatConfig>`; `resolveNatConfig` fills the rest from
 * here and rejects impossible values at construction. Every queue, table, timer and retry has a bound here.
 */
import { PayloadType } from '../packet/payload-type.ts';

export interface NatConfig {
  /** Session payload type carrying every NAT message. */
  payloadType: number;
  /** connect(): how long the direct path alone is tried before the rendezvous is asked (0 = ask at once). */
  directGraceMs: number;
  /** Wait for REGISTERED / PUNCH_READY this long per attempt. */
  requestTimeoutMs: number;
  /** Resends of REGISTER / PUNCH_REQUEST after the first attempt. */
  requestRetries: number;
  /** Punch datagrams each side sends (one per interval) until it hears the other side. */
  punchAttempts: number;
  punchIntervalMs: number;
  /** Punch acknowledgements one exchange may send (one per punch heard, at most this many). */
  punchAckLimit: number;
  /** After the last punch, the exchange keeps answering late punches this long, then forgets its ids. */
  punchLingerMs: number;
  /** Wait for PROBE_ACK this long once a path exists (it spans handshake retries: 1 s each by default). */
  probeTimeoutMs: number;
  /** Upper bound on one connect() from start to result. */
  connectTimeoutMs: number;
  /** Concurrent connect() calls; more fail at once with 'overloaded'. */
  maxConnects: number;
  /** Concurrent punch exchanges (either role); more are refused and counted. */
  maxPunches: number;
  /** Rendezvous side: registered nodes remembered (oldest evicted first). */
  maxRegistrations: number;
  /** Rendezvous side: a registration lapses after this long unless renewed. */
  registrationTtlMs: number;
  /** Client side: rendezvous this node keeps registrations with (oldest evicted first). */
  maxRendezvous: number;
  /** Rate-limit window for notifies (per rendezvous), punch requests and relays (per requester). */
  rateWindowMs: number;
  /** Per window: PUNCH_NOTIFY accepted from one rendezvous, PUNCH_REQUEST served for one requester. */
  maxNotifiesPerWindow: number;
  maxRequestsPerWindow: number;
  /** Per window at a rendezvous: RELAY messages forwarded for one source. */
  maxRelaysPerWindow: number;
  /** Punch nonces and relay ephemeral keys remembered to recognise replays. */
  maxRecentNonces: number;
  /** When a pair cannot be punched, fall back to relaying through the rendezvous (no forward secrecy). */
  relay: boolean;
  /** A relayed message older or newer than this (sender clock vs ours) is dropped as stale. */
  relayMaxSkewMs: number;
  /** Learned routes (peer -> punched address or relay) and their idle lifetime. */
  maxRoutes: number;
  routeTtlMs: number;
  /** Remembered introducers (who told us about a peer): a natural rendezvous for it. */
  maxIntroducers: number;
  /** Start hole punching by itself when a handshake to a peer with a known introducer times out. */
  autoPunch: boolean;
  /** Observed-address reports kept (one per reporter) to judge our own NAT mapping behaviour. */
  maxObservations: number;
}

export const DEFAULT_NAT_CONFIG: Readonly<NatConfig> = Object.freeze({
  payloadType: PayloadType.NAT,
  directGraceMs: 500,
  requestTimeoutMs: 1_000,
  requestRetries: 1,
  punchAttempts: 10,
  punchIntervalMs: 200,
  punchAckLimit: 4,
  punchLingerMs: 1_000,
  probeTimeoutMs: 3_500,
  connectTimeoutMs: 12_000,
  maxConnects: 64,
  maxPunches: 64,
  maxRegistrations: 1_024,
  registrationTtlMs: 600_000,
  maxRendezvous: 8,
  rateWindowMs: 10_000,
  maxNotifiesPerWindow: 16,
  maxRequestsPerWindow: 16,
  maxRelaysPerWindow: 64,
  maxRecentNonces: 512,
  relay: true,
  relayMaxSkewMs: 60_000,
  maxRoutes: 1_024,
  routeTtlMs: 600_000,
  maxIntroducers: 4_096,
  autoPunch: true,
  maxObservations: 16,
});

export function resolveNatConfig(init: Partial<NatConfig> = {}): NatConfig {
  const config: NatConfig = { ...DEFAULT_NAT_CONFIG, ...init };
  for (const [name, value] of Object.entries(config)) {
    if (typeof value === 'number' && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new RangeError(`NatConfig.${name} must be a non-negative integer, got ${value}`);
    }
  }
  for (const name of ['punchAttempts', 'punchIntervalMs', 'requestTimeoutMs', 'probeTimeoutMs', 'connectTimeoutMs', 'rateWindowMs'] as const) {
    if (config[name] === 0) throw new RangeError(`NatConfig.${name} must be > 0`);
  }
  return config;
}

/** Bytes of a punch nonce (chosen by the rendezvous, names one punch exchange). */
export const NONCE_BYTES = 16;
/** Bytes of a request id (REGISTER, PUNCH_REQUEST, PROBE, RELAY). */
export const REQUEST_ID_BYTES = 8;
