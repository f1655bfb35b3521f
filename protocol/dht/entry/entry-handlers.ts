/**
 * The honest entry-node handler table: GET_ONLINE and CONFIRM on top of the default handlers. Plug it into a
 * node as `dhtPolicy.handlers` (ParatoxNode) or `components.handlers` (DhtNode):
 *
 *   const node = new ParatoxNode(c, { dhtPolicy: { handlers: entryHandlers({ clock, rng, dht: () => node.dht }) } });
 *
 * Every honest node may serve them (any node can be someone's entry); a malicious node passes another table
 * (sim/adversary/).
 */
import type { Clock } from '../../runtime/clock.ts';
import type { Rng } from '../../runtime/rng.ts';
import type { DhtNode } from '../dht-node.ts';
import type { HandlerComponents, HandlerTable } from '../handlers/types.ts';
import { confirmHandler, type ConfirmInit } from './confirm-handler.ts';
import { createOracle, tableOracle, type ConfirmBy, type ResolveOracleInit } from './existence-oracle.ts';
import { getOnlineHandler, type GetOnlineInit } from './get-online-handler.ts';

export interface EntryHandlerComponents {
  clock: Clock;
  rng: Rng;
  dht: () => Pick<DhtNode, 'key' | 'table' | 'contactOf' | 'resolve' | 'respond'>;
}

export interface EntryHandlerInit extends GetOnlineInit, ConfirmInit, ResolveOracleInit {
  /** How CONFIRM decides existence (default 'resolve'; see existence-oracle.ts for the trade-off). */
  confirmBy?: ConfirmBy;
}

export function entryHandlers(
  components: EntryHandlerComponents,
  init: EntryHandlerInit = {},
): (defaults: HandlerTable, handlerComponents: HandlerComponents) => HandlerTable {
  return (defaults, hc) => {
    const oracle = createOracle(init.confirmBy ?? 'resolve', { dht: components.dht, clock: components.clock }, init);
    return {
      ...defaults,
      'get-online': getOnlineHandler({ table: hc.table, stats: hc.stats, clock: components.clock, rng: components.rng }, init),
      confirm: confirmHandler(
        {
          stats: hc.stats,
          oracle,
          clock: components.clock,
          fallback: tableOracle({ dht: components.dht }),
          respond: (peer, requestId, reply) => components.dht().respond(peer, requestId, reply),
        },
        init,
      ),
    };
  };
}
