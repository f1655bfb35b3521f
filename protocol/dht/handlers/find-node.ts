import { bytesEqual } from '../keys.ts';
import type { HandlerComponents, HandlerInit, RequestHandler } from './types.ts';

/** FIND_NODE -> NODES: our k closest to the target, minus the requester (it knows itself), §2.3. */
export function findNodeHandler(components: HandlerComponents, init: HandlerInit): RequestHandler<'find-node'> {
  return (from, msg) => ({ kind: 'nodes', contacts: closestExcept(components, msg.target, from.key, init.k) });
}

export function closestExcept(components: HandlerComponents, target: Uint8Array, exclude: Uint8Array, k: number) {
  return components.table.closest(target, k + 1).filter((c) => !bytesEqual(c.key, exclude)).slice(0, k);
}
