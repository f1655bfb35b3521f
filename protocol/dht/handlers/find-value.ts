import { closestExcept } from './find-node.ts';
import type { HandlerComponents, HandlerInit, RequestHandler } from './types.ts';

/** FIND_VALUE -> VALUE if we hold an unexpired record of that type under the key, else NODES (§2.3). */
export function findValueHandler(components: HandlerComponents, init: HandlerInit): RequestHandler<'find-value'> {
  return (from, msg) => {
    const held = components.store.get(msg.key, msg.recordType);
    if (held !== undefined) return { kind: 'value', record: { recordType: held.recordType, value: held.value } };
    return { kind: 'nodes', contacts: closestExcept(components, msg.key, from.key, init.k) };
  };
}
