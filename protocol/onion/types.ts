/** The public shapes of protocol/onion (other services code against these), and the host circuits run in. */
import type { CryptoSuite, KeyPair } from '../crypto/suite.ts';
import type { Messenger, MessengerPeer, Unsubscribe } from '../messenger/messenger.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Rng } from '../runtime/rng.ts';
import type { OnionConfig } from './constants.ts';
import type { OnionCounters, OnionDropReason } from './stats.ts';

export interface OnionComponents {
  messenger: Messenger;
  clock: Clock;
  rng: Rng;
  suite: CryptoSuite;
  /** This node's NodeID pair (B, b of the ntor handshake); read at each CREATE, so rotation is picked up. */
  identity: () => KeyPair;
  /** Every NodeID key that may still be addressed (current first; the previous one during a rotation's grace). */
  liveIdentities?: () => readonly KeyPair[];
}

/** `hop` = index into the path of the hop that failed (0 = first hop; path.length for checks of the whole path). */
export type BuildResult = { ok: true; circuit: Circuit } | { ok: false; reason: string; hop: number };

export interface Circuit {
  /** Local name, never sent. */
  readonly id: string;
  readonly path: readonly MessengerPeer[];
  /** When buildCircuit was called. */
  readonly createdAtMs: number;
  readonly isOpen: boolean;
  /**
   * A relay cell to the last hop; false when the circuit is closed or the body is over RELAY_BODY_MAX.
   * Throws RangeError on a command outside 0x10-0xff (lower commands are the circuit's own).
   */
  send(command: number, body: Uint8Array): boolean;
  /** Cells (commands >= 0x10) the last hop sent back. */
  onCell(handler: (command: number, body: Uint8Array) => void): Unsubscribe;
  /** Called once, when the circuit closes for any reason (including close()). */
  onClose(handler: (reason: string) => void): Unsubscribe;
  /** Sends DESTROY along the path. Idempotent. */
  close(reason?: string): void;
}

/** One circuit as its last hop sees it: no idea who the origin is, only a way to answer it. */
export interface RelayEndpoint {
  /** Unique within this node for its lifetime. */
  readonly key: string;
  readonly isOpen: boolean;
  /** A backward cell to the circuit's origin; false when closed. Same argument rules as Circuit.send. */
  reply(command: number, body: Uint8Array): boolean;
  onClose(handler: (reason: string) => void): Unsubscribe;
  /** Tears the circuit down, DESTROY both ways. Idempotent. */
  close(reason?: string): void;
}

export type RelayCommandHandler = (endpoint: RelayEndpoint, body: Uint8Array) => void;

/** One end of a link circuit: the neighbour and the id both sides use for it on that link. */
export interface LinkRef {
  readonly peer: MessengerPeer;
  readonly circId: number;
  readonly key: string;
}

export type LinkHandler = (cmd: number, payload: Uint8Array) => void;

/** What OnionService gives the circuits it owns (origin-circuit.ts, relay-circuit.ts). */
export interface OnionHost {
  readonly components: OnionComponents;
  readonly config: OnionConfig;
  readonly counters: OnionCounters;
  /** A fresh link circuit towards `peer`, its id picked by this node. */
  newLink(peer: MessengerPeer): LinkRef;
  bind(link: LinkRef, handler: LinkHandler): void;
  unbind(link: LinkRef): void;
  sendCell(link: LinkRef, cmd: number, ...fields: Uint8Array[]): void;
  drop(reason: OnionDropReason): void;
  serviceHandlers(command: number): readonly RelayCommandHandler[];
  /** The circuit is gone: forget it. */
  release(circuit: object): void;
}

/** Throws on a command that is not a service command; false when the body does not fit a cell. */
export function checkServiceCell(command: number, bodyLength: number, max: number): boolean {
  if (!Number.isInteger(command) || command < 0x10 || command > 0xff) throw new RangeError(`relay command ${command} is not a service command (0x10-0xff)`);
  return bodyLength <= max;
}
