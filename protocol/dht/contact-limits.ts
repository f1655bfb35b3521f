/**
 * Limits on whom the DHT makes us contact. A NODES reply is the attacker's cheapest lever: any node we query
 * may list real NodeIDs at arbitrary addresses, and each listed contact we query costs the session layer a
 * handshake (up to 5 inits) aimed at that address, so one lie of ~40 bytes per contact turns us into a
 * handshake cannon against a third party. Two bounds:
 *  - capPerHost: at most `cap` contacts sharing one host (IP) are taken from one reply;
 *  - FirstContactGate: first contacts to one host are rate-limited per host, across all lookups and requests.
 *    A first contact is a peer (NodeID at an address) that is neither in our table at that address, nor heard
 *    from lately (it has a session with us), nor contacted within the last `inflightMs` (its handshake is
 *    still under way: further requests ride on it). So the budget counts handshakes started towards a host,
 *    not requests: an honest burst of requests to one new peer costs one token.
 */
import type { Clock } from '../runtime/clock.ts';
import { hostOf } from './address-host.ts';
import { byteKey } from '../runtime/hex-key.ts';
import { KeyedTokenBuckets } from '../runtime/keyed-token-buckets.ts';
import type { DhtKey } from './keys.ts';
import type { RoutingTable } from './routing-table.ts';
import type { PeerRef } from './types.ts';

/** The first `cap` contacts of each host, in reply order, and how many were dropped. */
export function capPerHost<T extends PeerRef>(contacts: readonly T[], cap: number): { kept: T[]; dropped: number } {
  const perHost = new Map<string, number>();
  const kept: T[] = [];
  for (const c of contacts) {
    const host = hostOf(c.address);
    const n = perHost.get(host) ?? 0;
    if (n >= cap) continue;
    perHost.set(host, n + 1);
    kept.push(c);
  }
  return { kept, dropped: contacts.length - kept.length };
}

export interface FirstContactGateInit {
  burst: number;
  refillMs: number;
  maxHosts: number;
  /** A peer we contacted passes free for this long (its handshake and retries are under way). */
  inflightMs: number;
  /** A peer we heard from passes free for this long. */
  heardTtlMs: number;
  /** Peers remembered as contacted or heard (least recently used forgotten). */
  maxPeers: number;
}

export class FirstContactGate {
  private readonly limit: KeyedTokenBuckets;
  /** Peer id (address + key) -> until when it passes free. Map order: least recently used first. */
  private readonly free = new Map<string, number>();

  constructor(
    private readonly components: { clock: Pick<Clock, 'now'>; table: Pick<RoutingTable, 'get'> },
    private readonly init: FirstContactGateInit,
  ) {
    this.limit = new KeyedTokenBuckets({ burst: init.burst, refillMs: init.refillMs, maxKeys: init.maxHosts });
  }

  /** Whether we may contact `peer` (key = SHA-256 of its nodePub) now; a first contact spends its host's token. */
  allow(peer: PeerRef & { readonly key: DhtKey }): boolean {
    if (this.components.table.get(peer.key)?.address === peer.address) return true;
    const id = peerId(peer);
    const now = this.components.clock.now();
    if ((this.free.get(id) ?? -1) > now) return true;
    if (!this.limit.take(hostOf(peer.address), now)) return false;
    this.passFree(id, now + this.init.inflightMs);
    return true;
  }

  /** `peer` sent us an authenticated message: it exists at that address and has a session with us. */
  heard(peer: PeerRef & { readonly key: DhtKey }): void {
    this.passFree(peerId(peer), this.components.clock.now() + this.init.heardTtlMs);
  }

  private passFree(id: string, untilMs: number): void {
    const held = this.free.get(id);
    this.free.delete(id);
    if (held === undefined && this.free.size >= this.init.maxPeers) this.free.delete(this.free.keys().next().value!);
    this.free.set(id, Math.max(untilMs, held ?? -1));
  }
}

/** address#key, the key one char per byte (byteKey: half a hex key's heap; ids are only compared, never shown). */
function peerId(peer: PeerRef & { readonly key: DhtKey }): string {
  return byteKey(peer.key, `${peer.address}#`);
}
