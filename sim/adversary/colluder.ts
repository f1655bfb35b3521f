/**
 * A colluding Sybil node: a ParatoxNode with a handler table that knows only the attacker's nodes. It answers
 * team mates and targets, and nobody else (honest traffic is dropped unanswered), so it never enters an honest
 * routing table and never publishes a binding honest nodes hold: the threat model under which the entry
 * cross-check works (protocol/dht/entry/cross-checked-join.ts). It never joins the honest DHT.
 *  - PING: answered (a target's bootstrap and lookups then admit it).
 *  - FIND_NODE / FIND_VALUE: the colluders closest to the target, never a value.
 *  - STORE: acknowledged as stored and thrown away (the victim's binding "is published").
 *  - GET_ONLINE / CONFIRM: like a malicious entry, in case a target uses a colluder as an entry.
 */
import type { HandlerComponents, HandlerTable } from '../../protocol/dht/handlers/types.ts';
import type { Contact } from '../../protocol/dht/types.ts';
import type { Attacker } from './attacker.ts';

export interface ColluderInit {
  /** Contacts per NODES answer (the DHT's k). */
  k: number;
}

export function colluderHandlers(attacker: Attacker, init: ColluderInit): (defaults: HandlerTable, hc: HandlerComponents) => HandlerTable {
  const gate = (from: Contact): boolean => {
    if (attacker.answers(from)) return true;
    attacker.stats.ignored++;
    return false;
  };
  return () => ({
    ping: (from) => (gate(from) ? { kind: 'pong', observedAddress: from.address } : undefined),
    'find-node': (from, msg) => (gate(from) ? { kind: 'nodes', contacts: attacker.colludersClosestTo(msg.target, init.k, from.key) } : undefined),
    'find-value': (from, msg) => (gate(from) ? { kind: 'nodes', contacts: attacker.colludersClosestTo(msg.key, init.k, from.key) } : undefined),
    store: (from) => (gate(from) ? { kind: 'store-ack', status: 'stored' } : undefined),
    'get-online': (from, msg) => (gate(from) ? { kind: 'online', contacts: attacker.colludersClosestTo(from.key, msg.max, from.key) } : undefined),
    confirm: (from, msg) =>
      gate(from) ? { kind: 'confirmed', statuses: msg.contacts.map((c) => (attacker.isMalicious(c.nodePub) ? 'exists' : 'unknown')) } : undefined,
  });
}
