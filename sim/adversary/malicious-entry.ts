/**
 * A malicious entry node: a ParatoxNode whose handler table (`dhtPolicy.handlers`) lies to newcomers, not a
 * branch in honest code. It is a full member of the honest DHT (honest nodes know it as an entry) and behaves
 * honestly towards established nodes, so nothing but newcomers' experience gives it away. Towards targets
 * (attacker.ts: newcomers, recognised by GET_ONLINE or a self lookup) it
 *  - answers GET_ONLINE with colluders only,
 *  - answers FIND_NODE / FIND_VALUE with the colluders closest to the target (hiding every value),
 *  - answers CONFIRM with "exists" for the attacker's nodes and "unknown" for everyone else (denying honest
 *    nodes, so that honest entries look flawed whenever the liars are the majority).
 */
import type { HandlerComponents, HandlerTable } from '../../protocol/dht/handlers/types.ts';
import type { Rng } from '../../protocol/runtime/rng.ts';
import { MAX_ONLINE_ANSWER } from '../../protocol/dht/entry/constants.ts';
import { sample } from '../../protocol/dht/entry/get-online-handler.ts';
import type { Attacker } from './attacker.ts';

export interface MaliciousEntryInit {
  /** Contacts per NODES answer (the DHT's k). */
  k: number;
  rng: Rng;
}

export function maliciousEntryHandlers(attacker: Attacker, init: MaliciousEntryInit): (defaults: HandlerTable, hc: HandlerComponents) => HandlerTable {
  return (defaults) => ({
    ...defaults,
    'get-online': (from, msg) => {
      attacker.markTarget(from);
      attacker.stats.onlineLies++;
      const colluders = attacker.colludersClosestTo(from.key, attacker.colluders.length);
      return { kind: 'online', contacts: sample(colluders, Math.min(msg.max, MAX_ONLINE_ANSWER), init.rng) };
    },
    'find-node': (from, msg) => {
      attacker.noteFindNode(from, msg.target);
      if (!attacker.active || !attacker.isTarget(from)) return defaults['find-node']?.(from, msg);
      attacker.stats.routingLies++;
      return { kind: 'nodes', contacts: attacker.colludersClosestTo(msg.target, init.k, from.key) };
    },
    'find-value': (from, msg) => {
      if (!attacker.active || !attacker.isTarget(from)) return defaults['find-value']?.(from, msg);
      attacker.stats.routingLies++;
      return { kind: 'nodes', contacts: attacker.colludersClosestTo(msg.key, init.k, from.key) };
    },
    confirm: (from, msg) => {
      attacker.markTarget(from);
      attacker.stats.confirmLies++;
      return { kind: 'confirmed', statuses: msg.contacts.map((c) => (attacker.isMalicious(c.nodePub) ? 'exists' : 'unknown')) };
    },
  });
}
