/**
 * How an entry decides whether a contact it is asked to CONFIRM exists. Two oracles, one trade-off:
 *
 *  - 'table': the contact is in our routing table (or is us). Free and instant, but an entry's table holds only
 *    O(k log N) of the N nodes (about a third of a 300-node network at k = 20, far less in a large one), so two
 *    honest entries confirm only a small share of each other's answers and honest entries risk being called
 *    flawed. Recency ("heard from within a minute") would be fresher still and cover even less.
 *  - 'resolve': the table first, then a DHT resolve of the contact's signed NodeID -> address binding
 *    (binding.ts): every honest node publishes one when it joins, so an honest entry confirms nearly every honest
 *    contact. Costs one lookup per contact not in the table (cached, coalesced, bounded), and proves only that the
 *    key's owner published a binding recently, not that it is online or routes honestly.
 *
 * Neither oracle compares addresses: sessions authenticate the static key (ECMQV), so a contact listed with a
 * real key but a forged address is merely unreachable, never an impersonation.
 *
 * What no oracle can tell: Sybils that integrate (publish bindings, answer honest nodes, get into honest tables)
 * exist by every test an honest entry can run; the cross-check only catches colluders kept apart from the
 * honest network.
 */
import type { Clock } from '../../runtime/clock.ts';
import type { DhtNode } from '../dht-node.ts';
import { keysEqual, keyToHex } from '../keys.ts';
import type { ConfirmStatus } from '../messages.ts';
import type { PeerRef } from '../types.ts';
import {
  MAX_PENDING_RESOLVES,
  RESOLVE_CACHE_SIZE,
  RESOLVE_NEGATIVE_TTL_MS,
  RESOLVE_POSITIVE_TTL_MS,
} from './constants.ts';

export type ConfirmBy = 'table' | 'resolve';

export interface ExistenceOracle {
  readonly name: ConfirmBy;
  /** Whether `peer` exists; `cb` runs once, possibly synchronously. */
  exists(peer: PeerRef, cb: (exists: boolean) => void): void;
}

/** One status per contact, in order, once every answer is in (`cb` may run synchronously). */
export function checkAll(oracle: ExistenceOracle, contacts: readonly PeerRef[], cb: (statuses: ConfirmStatus[]) => void): void {
  const statuses: ConfirmStatus[] = new Array(contacts.length).fill('unknown');
  let waiting = contacts.length;
  if (waiting === 0) return cb(statuses);
  contacts.forEach((peer, i) =>
    oracle.exists(peer, (yes) => {
      statuses[i] = yes ? 'exists' : 'unknown';
      if (--waiting === 0) cb(statuses);
    }),
  );
}

/** The part of a DhtNode the oracles read. */
export type OracleDht = Pick<DhtNode, 'key' | 'table' | 'contactOf' | 'resolve'>;

export interface OracleComponents {
  /** The entry's own DHT node (an accessor: handlers are built while the node is being constructed). */
  dht: () => OracleDht;
  clock: Pick<Clock, 'now'>;
}

export interface ResolveOracleInit {
  maxPendingResolves?: number;
  cacheSize?: number;
  positiveTtlMs?: number;
  negativeTtlMs?: number;
}

function knownLocally(dht: OracleDht, peer: PeerRef): boolean {
  const key = dht.contactOf(peer).key;
  return keysEqual(key, dht.key) || dht.table.has(key);
}

export function tableOracle(components: Pick<OracleComponents, 'dht'>): ExistenceOracle {
  return { name: 'table', exists: (peer, cb) => cb(knownLocally(components.dht(), peer)) };
}

export function resolveOracle(components: OracleComponents, init: ResolveOracleInit = {}): ExistenceOracle {
  const maxPending = init.maxPendingResolves ?? MAX_PENDING_RESOLVES;
  const cacheSize = init.cacheSize ?? RESOLVE_CACHE_SIZE;
  const positiveTtlMs = init.positiveTtlMs ?? RESOLVE_POSITIVE_TTL_MS;
  const negativeTtlMs = init.negativeTtlMs ?? RESOLVE_NEGATIVE_TTL_MS;
  const cache = new Map<string, { exists: boolean; untilMs: number }>();
  // Resolves in flight by key, with everyone waiting for the answer (coalesced).
  const inflight = new Map<string, Array<(exists: boolean) => void>>();

  const remember = (id: string, exists: boolean): void => {
    cache.delete(id);
    cache.set(id, { exists, untilMs: components.clock.now() + (exists ? positiveTtlMs : negativeTtlMs) });
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
  };

  const exists = (peer: PeerRef, cb: (exists: boolean) => void): void => {
    const dht = components.dht();
    if (knownLocally(dht, peer)) return cb(true);
    const key = dht.contactOf(peer).key;
    const id = keyToHex(key);
    const hit = cache.get(id);
    if (hit !== undefined && hit.untilMs > components.clock.now()) return cb(hit.exists);
    const waiting = inflight.get(id);
    if (waiting !== undefined) return void waiting.push(cb);
    // Over the bound we answer 'unknown': under load an honest entry under-confirms, it never over-confirms.
    if (inflight.size >= maxPending) return cb(false);
    inflight.set(id, [cb]);
    dht.resolve(key, (r) => {
      remember(id, r.ok);
      const callbacks = inflight.get(id) ?? [];
      inflight.delete(id);
      for (const fn of callbacks) fn(r.ok);
    });
  };

  return { name: 'resolve', exists };
}

export function createOracle(confirmBy: ConfirmBy, components: OracleComponents, init: ResolveOracleInit = {}): ExistenceOracle {
  return confirmBy === 'table' ? tableOracle(components) : resolveOracle(components, init);
}
