/**
 * Colluding Sybil nodes: ParatoxNodes with another handler table, in two models (scenario eclipse.attacker.colluders).
 *
 * 'isolated' (colluderHandlers): a table that knows only the attacker's nodes. It answers team mates and targets,
 * and nobody else (honest traffic is dropped unanswered), so it never enters an honest routing table and never
 * publishes a binding honest nodes hold: the threat model under which the entry cross-check works. It never joins
 * the honest DHT.
 *  - PING: answered (a target's bootstrap and lookups then admit it).
 *  - FIND_NODE / FIND_VALUE: the colluders closest to the target, never a value.
 *  - STORE: acknowledged as stored and thrown away (the victim's binding "is published").
 *  - GET_ONLINE / CONFIRM: like a malicious entry, in case a target uses a colluder as an entry.
 *
 * 'integrated' (integratedColluderHandlers): the node joins the honest DHT through honest entries during the
 * warm-up, publishes a valid signed binding, and serves everyone honestly (the default handlers) except targets:
 * to a newcomer (recognised by its self lookup) FIND_NODE / FIND_VALUE answer the colluders closest to the
 * target. It exists by every test an honest entry can run. With `dropReports` it also accepts and drops
 * flawed-entry reports stored under the attacker's protected report keys and never returns one: what a Sybil
 * ground next to a predictable report key does.
 */
import { RECORD_TYPE_FLAWED_ENTRY } from '../../protocol/dht/entry/constants.ts';
import type { HandlerComponents, HandlerTable } from '../../protocol/dht/handlers/types.ts';
import { keyToHex } from '../../protocol/dht/keys.ts';
import type { Contact } from '../../protocol/dht/types.ts';
import type { Attacker } from './attacker.ts';

export interface ColluderInit {
  /** Contacts per NODES answer (the DHT's k). */
  k: number;
  /** Integrated only: drop reports about the attacker's entries (report-key Sybils). */
  dropReports?: boolean;
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

export function integratedColluderHandlers(attacker: Attacker, init: ColluderInit): (defaults: HandlerTable, hc: HandlerComponents) => HandlerTable {
  const isProtectedReport = (key: Uint8Array, recordType: number): boolean =>
    init.dropReports === true && recordType === RECORD_TYPE_FLAWED_ENTRY && attacker.protectedReportKeys.has(keyToHex(key));
  return (defaults) => ({
    ...defaults,
    'find-node': (from, msg) => {
      attacker.noteFindNode(from, msg.target);
      if (!attacker.active || !attacker.isTarget(from)) return defaults['find-node']?.(from, msg);
      attacker.stats.routingLies++;
      return { kind: 'nodes', contacts: attacker.colludersClosestTo(msg.target, init.k, from.key) };
    },
    'find-value': (from, msg) => {
      if (isProtectedReport(msg.key, msg.recordType)) return { kind: 'nodes', contacts: attacker.colludersClosestTo(msg.key, init.k, from.key) };
      if (!attacker.active || !attacker.isTarget(from)) return defaults['find-value']?.(from, msg);
      attacker.stats.routingLies++;
      return { kind: 'nodes', contacts: attacker.colludersClosestTo(msg.key, init.k, from.key) };
    },
    store: (from, msg) => {
      if (!isProtectedReport(msg.key, msg.record.recordType)) return defaults.store?.(from, msg);
      attacker.stats.reportsDropped++;
      return { kind: 'store-ack', status: 'stored' };
    },
  });
}
