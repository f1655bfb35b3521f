/**
 * A lying entry and its colluders for protocol-level tests (the simulator's adversary, sim/adversary/, is the
 * full model). The liar behaves honestly towards established nodes and lies to newcomers, which it recognises by
 * the join signature: a GET_ONLINE, or a FIND_NODE for the asker's own key (the self lookup of a bootstrap).
 * To them it answers GET_ONLINE and FIND_NODE with colluders, and CONFIRM with "colluders exist, nobody else".
 * Colluders only know each other, answer FIND_NODE with each other, and ignore everyone but the gang and its targets.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { keysEqual } from '../../keys.ts';
import type { Contact, PeerRef } from '../../types.ts';
import type { EntryWorld, HandlerFactory, WorldNode } from './entry-world.ts';

export interface Gang {
  liars: WorldNode[];
  colluders: WorldNode[];
  isMalicious(peer: PeerRef): boolean;
}

export function addGang(world: EntryWorld, liars: number, colluders: number, joinHonestVia: PeerRef): Gang {
  const bad = new Set<string>();
  const targets = new Set<string>();
  const colluderRefs: PeerRef[] = [];
  // Colluders answer only each other and the liars' targets, so they never become known to honest nodes (that
  // would be Sybils that integrate, which no cross-check stops).
  const answers = (from: Contact): boolean => bad.has(bytesToHex(from.nodePub)) || targets.has(bytesToHex(from.key));
  const colluderTable: HandlerFactory = (defaults) => ({
    ping: (from, m) => (answers(from) ? defaults.ping!(from, m) : undefined),
    store: (from, m) => (answers(from) ? defaults.store!(from, m) : undefined),
    // Values hidden: the colluders' bindings stay among themselves (a colluder serving its own binding to a
    // target would pass the newcomer's post-join re-check of a reported entry).
    'find-value': (from) => (answers(from) ? { kind: 'nodes', contacts: colluderRefs } : undefined),
    'find-node': (from) => (answers(from) ? { kind: 'nodes', contacts: colluderRefs } : undefined),
  });
  const liarTable: HandlerFactory = (defaults) => ({
    ...defaults,
    'get-online': (from, m) => {
      targets.add(bytesToHex(from.key));
      return { kind: 'online', contacts: colluderRefs.slice(0, m.max) };
    },
    'find-node': (from, m) => {
      if (keysEqual(m.target, from.key)) targets.add(bytesToHex(from.key));
      return targets.has(bytesToHex(from.key)) ? { kind: 'nodes', contacts: colluderRefs } : defaults['find-node']!(from, m);
    },
    confirm: (from, m) => {
      targets.add(bytesToHex(from.key));
      return { kind: 'confirmed', statuses: m.contacts.map((c) => (bad.has(bytesToHex(c.nodePub)) ? 'exists' : 'unknown')) };
    },
  });
  const gang: Gang = { liars: [], colluders: [], isMalicious: (p) => bad.has(bytesToHex(p.nodePub)) };
  for (let i = 0; i < colluders; i++) {
    const c = world.add({ handlers: () => colluderTable });
    gang.colluders.push(c);
    colluderRefs.push(c.peerRef);
    bad.add(bytesToHex(c.peerRef.nodePub));
  }
  // Colluders publish bindings among themselves only: they join through each other.
  for (const c of gang.colluders) c.join(gang.colluders.filter((o) => o !== c).map((o) => o.peerRef), () => {});
  world.settle();
  for (let i = 0; i < liars; i++) {
    const liar = world.add({ handlers: () => liarTable });
    gang.liars.push(liar);
    bad.add(bytesToHex(liar.peerRef.nodePub));
    liar.join([joinHonestVia], () => {});
    world.settle();
  }
  return gang;
}
