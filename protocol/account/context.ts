/**
 * What the account roles share: the injected collaborators (AccountComponents, the public constructor
 * argument), the resolved configuration, the counters and the timer set.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import type { DhtRecord } from '../dht/types.ts';
import type { MessengerPeer } from '../messenger/messenger.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Rng } from '../runtime/rng.ts';
import type { ChannelPipe } from './circuit-channel.ts';
import type { AccountConfig } from './config.ts';
import type { Status } from './messages.ts';
import type { AccountOnion } from './onion-api.ts';
import type { AccountCounters } from './stats.ts';
import type { Timers } from './timers.ts';

/** The part of DhtNode accounts use (DhtNode satisfies it). */
export interface AccountDht {
  findValue(key: Uint8Array, recordType: number, cb: (result: { record?: DhtRecord }) => void): void;
  /** Stores `record` at the k closest nodes and republishes it until `unpublish`. */
  publish(key: Uint8Array, record: DhtRecord, cb?: (result: unknown) => void): void;
  unpublish(key: Uint8Array, recordType: number): boolean;
}

export interface AccountComponents {
  onion: AccountOnion;
  dht: AccountDht;
  clock: Clock;
  rng: Rng;
  suite: CryptoSuite;
  /** Relays to use (intro points, rendezvous points, circuit hops), drawn from the node's DHT view; excludes given nodePubs. */
  pickRelays(count: number, exclude?: readonly Uint8Array[]): MessengerPeer[];
}

/**
 * This node's own intro and rendezvous roles, for the case where a client's intro point or rendezvous point is
 * the node itself (onion paths may not end at their origin).
 */
export interface LocalRelays {
  /** INTRODUCE1 body to a registration held here; null when none is. */
  introduce(body: Uint8Array): Status | null;
  /** Joins a cookie waiting here to a local pipe; null when none waits. */
  joinRendezvous(cookie: Uint8Array, tag: Uint8Array): ChannelPipe | null;
}

export interface AccountContext {
  readonly components: AccountComponents;
  readonly local: LocalRelays;
  readonly config: AccountConfig;
  readonly counters: AccountCounters;
  readonly timers: Timers;
}

/**
 * A circuit path of `hops` relays ending at `last`, the other hops drawn by pickRelays (never `last` or anything in
 * `exclude`); null when too few relays are known.
 */
export function circuitPath(
  ctx: AccountContext,
  last: MessengerPeer,
  exclude: readonly Uint8Array[] = [],
): MessengerPeer[] | null {
  const need = ctx.config.hopsPerCircuit - 1;
  if (need === 0) return [last];
  const hops = ctx.components.pickRelays(need, [last.nodePub, ...exclude]);
  return hops.length >= need ? [...hops.slice(0, need), last] : null;
}
