/**
 * Sizes, command numbers and configuration of onion circuits (README.md in this folder has the design).
 *
 * Link cell (the whole body of one PayloadType.ONION message, always CELL_BYTES):
 *   circId (4) | cmd (1) | payload (CELL_PAYLOAD_BYTES)
 * RELAY payload: nonce (16) | layered (LAYERED_BYTES); decrypted layered plaintext:
 *   mac (16) | command (1) | length (2) | body (length) | random padding
 */
import { maxBodyBytes } from '../packet/inner-codec.ts';

/** Every onion body fills the largest body a 1232-byte datagram carries (1197 bytes). */
export const CELL_BYTES = maxBodyBytes(1232);
export const CIRC_ID_BYTES = 4;
export const CELL_HEADER_BYTES = CIRC_ID_BYTES + 1;
export const CELL_PAYLOAD_BYTES = CELL_BYTES - CELL_HEADER_BYTES;
export const NONCE_BYTES = 16;
export const LAYERED_BYTES = CELL_PAYLOAD_BYTES - NONCE_BYTES;
export const MAC_BYTES = 16;
export const RELAY_HEADER_BYTES = MAC_BYTES + 1 + 2;
/** Largest body of a relay cell (1157 bytes). */
export const RELAY_BODY_MAX = LAYERED_BYTES - RELAY_HEADER_BYTES;

/** Link-level cell commands. */
export const CellCmd = {
  /** payload: X (33), the client's ntor ephemeral key. */
  CREATE: 0x01,
  /** payload: Y (33) | auth (32). */
  CREATED: 0x02,
  /** payload: nonce (16) | layered. */
  RELAY: 0x03,
  /** payload: reason code (1). */
  DESTROY: 0x04,
} as const;

/** Relay commands (inside the layered plaintext). Commands >= FIRST_SERVICE_COMMAND belong to services. */
export const RelayCmd = {
  /** forward, to the last hop: nodePub (33) | X (33) | address length (1) | address (UTF-8). */
  EXTEND: 0x01,
  /** backward: Y (33) | auth (32). */
  EXTENDED: 0x02,
  /** either way: a padding cell, discarded where it is recognised (counted as noise). */
  DROP: 0x03,
  /** backward: the hop could not extend; body = reason code (1). The circuit up to that hop stays. */
  TRUNCATED: 0x04,
  /**
   * Loop cover (Loopix): forward to the last hop, which answers with a LOOP backward; both ends count it as
   * noise. An idle circuit so carries cells both ways. Body: empty (ignored).
   */
  LOOP: 0x05,
} as const;
export const FIRST_SERVICE_COMMAND = 0x10;

/** DESTROY / TRUNCATED reason codes; unknown codes read as 'protocol'. */
export const DESTROY_REASONS = ['closed', 'protocol', 'timeout', 'refused', 'expired', 'idle', 'stopped', 'unreachable'] as const;
export type DestroyReason = (typeof DESTROY_REASONS)[number];

export function destroyReasonCode(reason: string): number {
  const i = (DESTROY_REASONS as readonly string[]).indexOf(reason);
  return i < 0 ? 0 : i;
}

export function destroyReasonName(code: number): DestroyReason {
  return DESTROY_REASONS[code] ?? 'protocol';
}

export interface OnionConfig {
  /**
   * 'fixed' (default): every cell is CELL_BYTES, padded inside the layers. 'variable': no padding, a cell is as
   * long as what it carries; exists only so the testbed can show what size correlation does (packet.paddingMode
   * 'variable'); never for real traffic. Every node of a network must use the same mode.
   */
  cellPadding: 'fixed' | 'variable';
  /** Time to wait for CREATED / EXTENDED of each hop before the build fails at that hop (no retry). */
  hopTimeoutMs: number;
  /** Age at which the origin closes a circuit with reason 'expired' (the user builds a new one). */
  circuitLifetimeMs: number;
  /** A relay tears down a circuit that carried no cell for this long. */
  relayIdleMs: number;
  /** A relay tears down any circuit this old ('expired'), so keepalives cannot hold a slot forever. */
  relayLifetimeMs: number;
  /** An open origin circuit that sent nothing for this long sends a DROP cell, so relays keep it. */
  keepaliveMs: number;
  /** Relayed circuits this node carries at once; CREATEs beyond it are refused. */
  maxRelayCircuits: number;
  /** Circuits this node originates at once (open or building). */
  maxOriginCircuits: number;
  /** CREATEs accepted per previous hop: token bucket rate and burst. */
  createRatePerS: number;
  createBurst: number;
  /** Previous hops whose token buckets are remembered (oldest forgotten first). */
  createBucketsMax: number;
  /** Relay nonces remembered per circuit and direction for replay detection (FIFO). */
  replayWindow: number;
  /** Loop cover: each open origin circuit sends LOOP cells at exponential gaps of mean 1/loopRatePerS; 0: off. */
  loopRatePerS: number;
  /**
   * Mixing delay (Loopix): a relay holds every relay cell it receives (either direction, after the replay
   * check) for an exponential time of this mean before handling it; 0: off (no rng draw, no timer).
   */
  mixDelayMeanMs: number;
  /** Cells held for mixing per relayed circuit; more are dropped ('mix-overflow'). */
  mixMaxHeldCells: number;
}

export const DEFAULT_ONION_CONFIG: Readonly<OnionConfig> = Object.freeze({
  cellPadding: 'fixed',
  hopTimeoutMs: 10_000,
  circuitLifetimeMs: 10 * 60_000,
  relayIdleMs: 3 * 60_000,
  relayLifetimeMs: 15 * 60_000,
  keepaliveMs: 60_000,
  maxRelayCircuits: 1024,
  maxOriginCircuits: 64,
  createRatePerS: 10,
  createBurst: 20,
  createBucketsMax: 4096,
  replayWindow: 2048,
  loopRatePerS: 0,
  mixDelayMeanMs: 0,
  mixMaxHeldCells: 256,
});
