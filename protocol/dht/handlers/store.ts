import type { HandlerComponents, RequestHandler } from './types.ts';

/**
 * STORE -> STORE_ACK. The record store runs the record type's validator; a refused STORE is counted under its
 * reason (a binding signed by someone else is 'bad-signature', one stored under another node's key is
 * 'foreign-binding') and the publisher learns why from the ack status.
 */
export function storeHandler(components: HandlerComponents): RequestHandler<'store'> {
  return (_from, msg) => {
    const result = components.store.put(msg.key, msg.record);
    if (!result.ok) {
      components.stats.drop(result.reason);
      return { kind: 'store-ack', status: result.reason };
    }
    components.stats.inc('storesAccepted');
    return { kind: 'store-ack', status: 'stored' };
  };
}
