/**
 * Session defaults. `SessionManager` takes `Partial<SessionConfig>`; `resolveSessionConfig` fills the rest
 * from here and rejects impossible values, so a misconfiguration fails at construction, not mid-run.
 */
import { MAX_SEQ } from '../packet/bytes.ts';
import { isPayloadType, isSessionControlType, PayloadType } from '../packet/payload-type.ts';
import { assertWireSize, DEFAULT_PADDING_MODE, DEFAULT_WIRE_SIZE, type PaddingMode } from '../packet/constants.ts';

export interface SessionConfig {
  /** Every datagram has this size in 'fixed' mode (1232 = IPv6 minimum MTU - IPv6 - UDP headers). */
  readonly wireSize: number;
  readonly paddingMode: PaddingMode;
  /** Wait this long for a handshake reply before resending the same bytes. */
  readonly handshakeTimeoutMs: number;
  /** Resends after the first attempt; then the handshake fails and its queued messages are dropped. */
  readonly handshakeRetries: number;
  /** Anti-replay window per receive direction, in packets (multiple of 32). */
  readonly replayWindow: number;
  /** A session with no authenticated traffic for this long is erased (with its keys: forward secrecy). */
  readonly idleSessionMs: number;
  /**
   * A handshake init is accepted only if its timestamp is within this many ms of the responder's clock;
   * inside that window the responder remembers the init's ephemeral key, so a replay is recognised.
   */
  readonly handshakeMaxSkewMs: number;
  /** Messages queued per peer while its handshake runs; more are dropped and counted. */
  readonly maxQueuedMessages: number;
  /**
   * Ephemeral keys of accepted inits remembered for replay detection (each for 2 x handshakeMaxSkewMs); when
   * full, new inits are refused. Cheap (a key per entry), so large: above handshakeLoadInitsPerS x 2 x
   * handshakeMaxSkewMs, so a flood below the load threshold cannot fill it and one above it meets cookies.
   */
  readonly maxRecentHandshakes: number;
  /**
   * Responder sessions waiting for msg3 (each holds keys and a timer until it confirms or gives up); at the
   * limit new inits are refused ('handshake-overload') until one confirms or expires.
   */
  readonly maxHalfOpenHandshakes: number;
  /**
   * Under load (WireGuard §5.3) a responder answers inits without a valid mac2 with a cookie reply, before
   * any ECDH. It is under load when more than this many init-like datagrams arrived in about a second ...
   */
  readonly handshakeLoadInitsPerS: number;
  /** ... or when this many responder handshakes are half-open. */
  readonly handshakeLoadHalfOpen: number;
  /** The cookie secret rotates this often; a cookie stays valid for at least this long (WireGuard: 120 s). */
  readonly cookieSecretLifetimeMs: number;
  /**
   * Under load, per source address: inits with a valid mac2 admitted, and cookie replies sent, each a token
   * bucket of this rate and burst (two separate tables, so spoofed inits cannot use up a real source's
   * allowance for mac2 inits).
   */
  readonly handshakeRatePerSourcePerS: number;
  readonly handshakeBurstPerSource: number;
  /** Source addresses tracked per rate-limit table; beyond it the least recently seen is forgotten. */
  readonly maxRateLimitedSources: number;
  /**
   * Handshakes this node gave up on, remembered (by connId, for the responder's patience) so a late msg2 is
   * counted as 'late-handshake-reply' rather than as an attack; the oldest is forgotten beyond this many.
   */
  readonly maxRetiredHandshakes: number;
  /** A send key is retired (and a new handshake started) once this many packets were sealed under it. */
  readonly maxPacketsPerKey: number;
  /**
   * Time-based rekeying (WireGuard, section 5: REKEY_AFTER_TIME = 120 s). When this node initiated the session
   * it sends on and the session is older than this, its next send (or noise packet) starts a fresh handshake;
   * it keeps sending on the old session until the new one is established, and the old one keeps receiving
   * until it idles out, so nothing in flight is lost. A responder does the same at 1.5x (WireGuard's
   * REJECT_AFTER_TIME / REKEY_AFTER_TIME = 180 / 120), so the initiator normally goes first. null: off.
   */
  readonly rekeyAfterMs: number | null;
  /** Same, once this many packets were sealed under the send key (either role; a soft limit below maxPacketsPerKey). null: off. */
  readonly rekeyAfterPackets: number | null;
  /**
   * How this node rekeys a session due by rekeyAfterMs / rekeyAfterPackets: 'in-session' (default) with one fresh
   * ephemeral ECDH inside the session (rekey.ts: PFS like a handshake, ~1/15 of its CPU, indistinguishable from
   * data on the wire), falling back to a full handshake when the peer does not answer; 'handshake', a full
   * handshake as before. A node answers a peer's in-session offer either way. A key that ran out always takes a
   * full handshake (no packet can carry the offer).
   */
  readonly rekeyMethod: 'in-session' | 'handshake';
  /**
   * A node answers an in-session rekey offer only on a session at least this old, so an authenticated peer cannot
   * chain rekeys faster than this (each costs us a key generation and an ECDH, and a session for rekeyGraceMs).
   */
  readonly minRekeyIntervalMs: number;
  /** After an in-session rekey confirms, the old session keeps receiving (packets in flight) this long, then is erased. */
  readonly rekeyGraceMs: number;
  /**
   * Whether NOISE frames (sent or received) count as activity for idleSessionMs. false (default): a session
   * with only cover traffic idles out like a silent one, so noise does not hold sessions to peers nobody talks
   * to (or that left) forever; the price is that an observer sees a link's noise start and stop with its use,
   * at idleSessionMs granularity. true: links never go quiet, and rekeyAfterMs bounds key lifetime.
   */
  readonly noiseKeepsAlive: boolean;
  /**
   * Payload types sent as one-shot queries (one-shot.ts: one datagram each way, no handshake, no forward secrecy
   * against the responder's NodeID key) to a peer this node has no session with: request/reply traffic to many
   * first contacts, i.e. the DHT's. Empty (default): every message takes a session.
   */
  readonly oneShotTypes: readonly number[];
  /**
   * One-shot queries to one peer before the next message to it opens a session instead (ski rental: a query costs
   * ~1/3 of a handshake, so after three a session would have been cheaper). Counted per peer while this node has no
   * session with it; the message over the limit starts a handshake and the count starts again from zero (counts
   * are kept for the 4 x maxPendingOneShots peers queried last). null: no limit.
   */
  readonly oneShotsPerPeer: number | null;
  /** A one-shot query waits this long for its reply, and its responder keeps the reply channel as long. */
  readonly oneShotReplyWindowMs: number;
  /** One-shot queries awaiting replies, and reply channels held for askers; beyond either, the oldest is forgotten. */
  readonly maxPendingOneShots: number;
  readonly maxReplyChannels: number;
}

/** See SessionConfig.rekeyAfterMs. */
const REKEY_DEFAULT_MS: number | null = null;

export const DEFAULT_SESSION_CONFIG: SessionConfig = Object.freeze({
  wireSize: DEFAULT_WIRE_SIZE,
  paddingMode: DEFAULT_PADDING_MODE,
  handshakeTimeoutMs: 1_000,
  handshakeRetries: 4,
  replayWindow: 2_048,
  idleSessionMs: 180_000,
  handshakeMaxSkewMs: 60_000,
  maxQueuedMessages: 64,
  maxRecentHandshakes: 65_536,
  maxHalfOpenHandshakes: 1_024,
  // ECMQV costs ~1.2 ms (bench/): 256 per second is about a third of a core before cookies are demanded.
  handshakeLoadInitsPerS: 256,
  handshakeLoadHalfOpen: 256,
  cookieSecretLifetimeMs: 120_000,
  handshakeRatePerSourcePerS: 5,
  handshakeBurstPerSource: 10,
  maxRateLimitedSources: 4_096,
  maxRetiredHandshakes: 1_024,
  // The 8-byte seq field could count to 2^64; JS numbers are exact to 2^53, far beyond any session's life.
  maxPacketsPerKey: MAX_SEQ,
  rekeyAfterMs: REKEY_DEFAULT_MS,
  rekeyAfterPackets: null,
  rekeyMethod: 'in-session',
  minRekeyIntervalMs: 1_000,
  rekeyGraceMs: 10_000,
  noiseKeepsAlive: false,
  oneShotTypes: [],
  oneShotsPerPeer: 3,
  // Longer than a DHT request's whole retry schedule, and than a CONFIRM answered after its own lookups.
  oneShotReplyWindowMs: 10_000,
  maxPendingOneShots: 1_024,
  // Above handshakeLoadInitsPerS x oneShotReplyWindowMs (2,560): below the load threshold (past it, queries meet
  // cookies) a flood of queries cannot evict honest askers' channels; an evicted one only makes the answer take
  // a session or a query of its own (rpc.ts matches it alike). ~150 B each, only while in use.
  maxReplyChannels: 4_096,
});

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`SessionConfig.${name} must be a positive integer, got ${value}`);
}

export function resolveSessionConfig(init: Partial<SessionConfig> = {}): SessionConfig {
  const config: SessionConfig = { ...DEFAULT_SESSION_CONFIG, ...init };
  assertWireSize(config.wireSize);
  if (config.paddingMode !== 'fixed' && config.paddingMode !== 'variable') {
    throw new RangeError(`SessionConfig.paddingMode must be 'fixed' or 'variable', got ${String(config.paddingMode)}`);
  }
  for (const name of [
    'handshakeTimeoutMs', 'idleSessionMs', 'handshakeMaxSkewMs', 'maxQueuedMessages', 'maxRecentHandshakes', 'maxPacketsPerKey',
    'maxHalfOpenHandshakes', 'handshakeLoadInitsPerS', 'handshakeLoadHalfOpen', 'cookieSecretLifetimeMs', 'handshakeBurstPerSource',
    'maxRateLimitedSources', 'maxRetiredHandshakes', 'minRekeyIntervalMs', 'rekeyGraceMs', 'oneShotReplyWindowMs', 'maxPendingOneShots',
    'maxReplyChannels',
  ] as const) {
    assertPositiveInteger(name, config[name]);
  }
  if (!Number.isSafeInteger(config.handshakeRetries) || config.handshakeRetries < 0) {
    throw new RangeError(`SessionConfig.handshakeRetries must be a non-negative integer, got ${config.handshakeRetries}`);
  }
  for (const name of ['rekeyAfterMs', 'rekeyAfterPackets', 'oneShotsPerPeer'] as const) {
    const value = config[name];
    if (value !== null) assertPositiveInteger(name, value);
  }
  if (!(config.handshakeRatePerSourcePerS > 0) || !Number.isFinite(config.handshakeRatePerSourcePerS)) {
    throw new RangeError(`SessionConfig.handshakeRatePerSourcePerS must be a positive number, got ${config.handshakeRatePerSourcePerS}`);
  }
  if (config.rekeyMethod !== 'in-session' && config.rekeyMethod !== 'handshake') {
    throw new RangeError(`SessionConfig.rekeyMethod must be 'in-session' or 'handshake', got ${String(config.rekeyMethod)}`);
  }
  if (!Array.isArray(config.oneShotTypes) || config.oneShotTypes.some((t) => !isPayloadType(t) || isSessionControlType(t) || t === PayloadType.NOISE)) {
    throw new RangeError(`SessionConfig.oneShotTypes must list application payload types, got ${JSON.stringify(config.oneShotTypes)}`);
  }
  if (typeof config.noiseKeepsAlive !== 'boolean') throw new RangeError(`SessionConfig.noiseKeepsAlive must be a boolean, got ${String(config.noiseKeepsAlive)}`);
  if (config.maxPacketsPerKey > MAX_SEQ + 1) throw new RangeError(`SessionConfig.maxPacketsPerKey must be <= 2^53`);
  if (!Number.isSafeInteger(config.replayWindow) || config.replayWindow <= 0 || config.replayWindow % 32 !== 0) {
    throw new RangeError(`SessionConfig.replayWindow must be a positive multiple of 32, got ${config.replayWindow}`);
  }
  return config;
}
