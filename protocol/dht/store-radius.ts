/**
 * The store radius (S/Kademlia §4; libp2p's "a node stores a record only if it is among the k closest"): we
 * hold a key only when fewer than `radius` of the nodes we know, the storer aside, are closer to it than we
 * are. A STORE for a key far from us is someone filling our store, not a publisher looking for the k closest:
 * an honest storer sends only to the k closest its lookup found. The storer is left out of the count because
 * it may hold the record itself (a publisher keeps a copy when it is among the closest).
 *
 * Small networks and joins need no special case: a node that knows fewer than `radius` nodes closer to the key
 * than itself accepts, so a fresh node accepts while its table fills, and every node of a network smaller than
 * `radius` accepts everything. The per-source quotas (source-quota.ts) bound what that lets in.
 */
import { compareDistance, keysEqual, type DhtKey } from './keys.ts';
import type { RoutingTable } from './routing-table.ts';

/** `radius` <= 0 turns the check off. */
export function withinStoreRadius(table: Pick<RoutingTable, 'selfKey' | 'contacts'>, key: DhtKey, storer: DhtKey, radius: number): boolean {
  if (radius <= 0) return true;
  const self = table.selfKey;
  let closer = 0;
  for (const c of table.contacts()) {
    if (keysEqual(c.key, storer)) continue;
    if (compareDistance(key, c.key, self) < 0 && ++closer >= radius) return false;
  }
  return true;
}
