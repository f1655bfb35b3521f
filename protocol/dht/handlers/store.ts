import { hostOf } from '../address-host.ts';
import { keyToHex } from '../keys.ts';
import { withinStoreRadius } from '../store-radius.ts';
import type { HandlerComponents, HandlerInit, RequestHandler } from './types.ts';

/**
 * STORE -> STORE_ACK. Anyone with a session can send one, and records cost the storer one signature (or
 * nothing, for a record type without one) and us memory plus an hourly re-replication each, so:
 *  1. a key outside our store radius is refused 'too-far' before any signature check (store-radius.ts);
 *  2. the record store runs the record type's validator (a binding signed by someone else is 'bad-signature',
 *     one stored under another node's key 'foreign-binding'), then charges a new record to the storer's NodeID
 *     and host ('peer-quota' / 'host-quota' beyond them) and makes room by evicting the farthest ('full' if the
 *     new key is the farthest).
 * Every refusal is counted under its reason and the publisher learns it from the ack status.
 */
export function storeHandler(components: HandlerComponents, init: Pick<HandlerInit, 'storeRadius'>): RequestHandler<'store'> {
  return (from, msg) => {
    const result = withinStoreRadius(components.table, msg.key, from.key, init.storeRadius)
      ? components.store.put(msg.key, msg.record, { peer: keyToHex(from.key), host: hostOf(from.address) })
      : ({ ok: false, reason: 'too-far' } as const);
    if (!result.ok) {
      components.stats.drop(result.reason);
      return { kind: 'store-ack', status: result.reason };
    }
    components.stats.inc('storesAccepted');
    return { kind: 'store-ack', status: 'stored' };
  };
}
