/**
 * Limits on whom the DHT makes us contact. A NODES reply is the attacker's cheapest lever: any node we query
 * may list real NodeIDs at arbitrary addresses, and each listed contact we query costs the session layer a
 * handshake (up to 5 inits) aimed at that address, so one lie of ~40 bytes per contact turns us into a
 * handshake cannon against a third party. Two bounds:
 *  - capPerHost: at most `cap` contacts sharing one host (IP) are taken from one reply;
 *  - FirstContactGate: first contacts (a peer we do not hold in our table at that address) to one host are
 *    rate-limited per host, across all lookups and requests.
 * Contacts in our table at the same address pass the gate free: we talk to them anyway.
 */
import type { Clock } from '../runtime/clock.ts';
import { hostOf } from './address-host.ts';
import { KeyedRateLimit } from './keyed-rate-limit.ts';
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
}

export class FirstContactGate {
  private readonly limit: KeyedRateLimit;

  constructor(
    private readonly components: { clock: Pick<Clock, 'now'>; table: Pick<RoutingTable, 'get'> },
    init: FirstContactGateInit,
  ) {
    this.limit = new KeyedRateLimit(components.clock, { burst: init.burst, refillMs: init.refillMs, maxKeys: init.maxHosts });
  }

  /** Whether we may contact `peer` (key = SHA-256 of its nodePub) now; a first contact spends its host's token. */
  allow(peer: PeerRef & { readonly key: DhtKey }): boolean {
    if (this.components.table.get(peer.key)?.address === peer.address) return true;
    return this.limit.take(hostOf(peer.address));
  }
}
