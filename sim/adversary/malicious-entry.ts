/**
 * A malicious entry node: a ParatoxNode whose handler table (`dhtPolicy.handlers`) lies to newcomers, not a
 * branch in honest code. It is a full member of the honest DHT (honest nodes know it as an entry) and behaves
 * honestly towards established nodes, so nothing but newcomers' experience gives it away. Towards targets
 * (attacker.ts: newcomers, recognised by GET_ONLINE or a self lookup) it
 *  - answers GET_ONLINE with colluders, mixed with `honestMix` of honest contacts from its own table (a list
 *    that is >= 50 % honest passes any "share confirmed" threshold),
 *  - answers FIND_NODE / FIND_VALUE with the colluders closest to the target (hiding every value),
 *  - answers CONFIRM, with confirm 'team', "exists" for the attacker's nodes and "unknown" for everyone else
 *    (the liars vote together, so honest entries look flawed whenever the liars are the majority); with
 *    'truthful' it keeps the honest CONFIRM handler underneath (nothing to catch in its votes).
 */
import type { HandlerComponents, HandlerTable } from '../../protocol/dht/handlers/types.ts';
import type { Rng } from '../../protocol/runtime/rng.ts';
import { MAX_ONLINE_ANSWER } from '../../protocol/dht/entry/constants.ts';
import { sample } from '../../protocol/dht/entry/get-online-handler.ts';
import type { PeerRef } from '../../protocol/dht/types.ts';
import type { Attacker } from './attacker.ts';

export interface MaliciousEntryInit {
  /** Contacts per NODES answer (the DHT's k). */
  k: number;
  rng: Rng;
  /** Share of a GET_ONLINE answer taken from honest contacts in its own table (default 0). */
  honestMix?: number;
  /** 'team' (default): lie in CONFIRM; 'truthful': keep the CONFIRM handler of `defaults`. */
  confirm?: 'team' | 'truthful';
}

export function maliciousEntryHandlers(attacker: Attacker, init: MaliciousEntryInit): (defaults: HandlerTable, hc: HandlerComponents) => HandlerTable {
  return (defaults, hc) => ({
    ...defaults,
    'get-online': (from, msg) => {
      attacker.markTarget(from);
      attacker.stats.onlineLies++;
      const n = Math.min(msg.max, MAX_ONLINE_ANSWER);
      const honestWanted = Math.round(n * (init.honestMix ?? 0));
      const honest: PeerRef[] =
        honestWanted === 0
          ? []
          : sample(
              hc.table.contacts().filter((c) => !attacker.isMalicious(c.nodePub) && c.address !== from.address),
              honestWanted,
              init.rng,
            ).map((c) => ({ address: c.address, nodePub: c.nodePub }));
      const colluders = sample(attacker.colludersClosestTo(from.key, attacker.colluders.length), n - honest.length, init.rng);
      return { kind: 'online', contacts: honest.length === 0 ? colluders : sample([...colluders, ...honest], n, init.rng) };
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
      if (init.confirm === 'truthful' && defaults.confirm !== undefined) return defaults.confirm(from, msg);
      attacker.stats.confirmLies++;
      return { kind: 'confirmed', statuses: msg.contacts.map((c) => (attacker.isMalicious(c.nodePub) ? 'exists' : 'unknown')) };
    },
  });
}
