/**
 * A newcomer's own check that a NodeID exists: resolve its signed binding through `d` disjoint lookup paths
 * (S/Kademlia, Baumgart and Mies 2007, §4.4: "d disjoint paths", each path seeded with its own set of first hops
 * and no node queried by two paths). A binding is signed by the key whose hash is the NodeID, so a single path
 * that returns a valid one proves the node published it: existence is positively checkable, absence is not (a
 * path through silent or lying nodes finds nothing). So the answer is "found by some path" or "not found".
 *
 * The paths are seeded from groups the caller chooses (the cross-check: one group per entry, that entry plus the
 * contacts it listed), so a lying entry's colluders can spoil only their own path. The lookups do not touch the
 * routing table (a check must not shape the view it checks) and use the node's RPC layer for every query.
 */
import { RECORD_TYPE_BINDING } from '../constants.ts';
import type { DhtNode } from '../dht-node.ts';
import { keyToHex, type DhtKey } from '../keys.ts';
import { Lookup, type QueryOutcome } from '../lookup.ts';
import type { Contact, PeerRef } from '../types.ts';

export type ResolvingDht = Pick<DhtNode, 'key' | 'config' | 'request' | 'contactOf' | 'validators' | 'capReply'>;

export interface DisjointResolveInit {
  /** Time for the binding's lifetime check. */
  now: () => number;
  /** Most paths run (the groups beyond it are merged round-robin into the first `paths`). */
  paths: number;
  /** Admission check: contacts it refuses are never queried (the newcomer's EntryGuard). */
  admit?: (contact: Contact) => boolean;
  /**
   * When no disjoint path finds the binding, one more lookup seeded from every path at once (default true).
   * Sound because a found binding is proof whoever led us to it; it recovers honest nodes whose closest
   * neighbours another path had claimed (strict disjointness starves paths in a small network).
   */
  mergedRetry?: boolean;
}

export interface DisjointResolveResult {
  found: boolean;
  /** Index of the first path that returned a valid binding. */
  path?: number;
  messages: number;
}

/** Splits `groups` into at most `paths` seed sets, round-robin, dropping empty ones. */
export function seedPaths(groups: readonly (readonly PeerRef[])[], paths: number): PeerRef[][] {
  const nonEmpty = groups.filter((g) => g.length > 0);
  const out: PeerRef[][] = Array.from({ length: Math.min(paths, nonEmpty.length) }, () => []);
  nonEmpty.forEach((g, i) => out[i % out.length].push(...g));
  return out;
}

/** Resolves `target`'s binding through disjoint paths seeded from `seeds` (one array per path). */
export function disjointResolve(
  dht: ResolvingDht,
  target: DhtKey,
  seeds: readonly (readonly PeerRef[])[],
  init: DisjointResolveInit,
  cb: (result: DisjointResolveResult) => void,
): void {
  strictlyDisjoint(dht, target, seeds, init, (r) => {
    if (r.found || init.mergedRetry === false || seeds.length < 2) return cb(r);
    strictlyDisjoint(dht, target, [seeds.flat()], init, (m) => cb(m.found ? { found: true, path: seeds.length, messages: r.messages + m.messages } : { found: false, messages: r.messages + m.messages }));
  });
}

function strictlyDisjoint(
  dht: ResolvingDht,
  target: DhtKey,
  seeds: readonly (readonly PeerRef[])[],
  init: DisjointResolveInit,
  cb: (result: DisjointResolveResult) => void,
): void {
  let messages = 0;
  let waiting = seeds.length;
  let result: DisjointResolveResult | undefined;
  if (waiting === 0) return cb({ found: false, messages: 0 });
  const finishOne = (found: boolean, path: number): void => {
    if (found && result === undefined) result = { found: true, path, messages: 0 };
    if (--waiting === 0) cb({ ...(result ?? { found: false }), messages });
  };
  const owner = new Map<string, number>([[keyToHex(dht.key), -1]]);
  // Disjointness (S/Kademlia): a node belongs to the first path that meets it; other paths never learn of it.
  const claim = (peer: PeerRef, path: number): boolean => {
    const contact = dht.contactOf(peer);
    const id = keyToHex(contact.key);
    const held = owner.get(id);
    if (held !== undefined) return held === path;
    if (init.admit !== undefined && !init.admit(contact)) return false;
    owner.set(id, path);
    return true;
  };
  const firstHops = seeds.map((group, path) => group.filter((p) => claim(p, path)));
  firstHops.forEach((group, path) => {
    const lookup = new Lookup(
      {
        keyOf: (pub) => dht.contactOf({ address: '', nodePub: pub }).key,
        query: (contact, done) => {
          messages++;
          dht.request(contact, { kind: 'find-value', key: target, recordType: RECORD_TYPE_BINDING }, (outcome) => {
            const o = valueOf(dht, target, outcome, init.now);
            done(o.kind === 'nodes' ? { kind: 'nodes', contacts: o.contacts.filter((p) => claim(p, path)) } : o);
          });
        },
      },
      { selfKey: dht.key, target, mode: 'value', k: dht.config.k, alpha: dht.config.alpha, maxQueries: dht.config.maxLookupQueries },
    );
    lookup.start(
      group.map((p) => dht.contactOf(p)),
      (r) => finishOne(r.value !== undefined, path),
    );
  });
}

function valueOf(dht: ResolvingDht, target: DhtKey, outcome: Parameters<Parameters<DhtNode['request']>[2]>[0], now: () => number): QueryOutcome {
  if (!outcome.ok) return { kind: 'failed' };
  const reply = outcome.reply;
  // The same per-host cap as the node's own lookups (contact-limits.ts): these queries go through dht.request.
  if (reply.kind === 'nodes') return { kind: 'nodes', contacts: dht.capReply(reply.contacts) };
  if (reply.kind !== 'value' || reply.record.recordType !== RECORD_TYPE_BINDING) return { kind: 'failed' };
  return dht.validators.validate(target, reply.record, now()).ok ? { kind: 'value', record: reply.record } : { kind: 'failed' };
}
