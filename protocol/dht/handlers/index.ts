/**
 * The handler table by request kind. GET_ONLINE and CONFIRM (entry cross-checks) are not in the default table:
 * a node serves them by adding protocol/dht/entry's `entryHandlers` through `components.handlers`; without it
 * the node counts them as 'unsupported'.
 */
import { findNodeHandler } from './find-node.ts';
import { findValueHandler } from './find-value.ts';
import { pingHandler } from './ping.ts';
import { storeHandler } from './store.ts';
import type { MessageOf, RequestKind } from '../messages.ts';
import type { OutgoingReply } from '../rpc.ts';
import type { Contact } from '../types.ts';
import type { HandlerComponents, HandlerInit, HandlerTable, RequestHandler } from './types.ts';

export function createHandlers(components: HandlerComponents, init: HandlerInit): HandlerTable {
  return {
    ping: pingHandler(components),
    'find-node': findNodeHandler(components, init),
    'find-value': findValueHandler(components, init),
    store: storeHandler(components, init),
  };
}

/** Runs the handler for `msg`: its reply (or undefined for none), or 'unsupported' when no handler exists. */
export function dispatch(handlers: HandlerTable, from: Contact, msg: MessageOf<RequestKind>): OutgoingReply | undefined | 'unsupported' {
  // TypeScript cannot tie the table entry's type to msg.kind; the table's mapped type guarantees it.
  const handler = handlers[msg.kind] as RequestHandler<RequestKind> | undefined;
  return handler === undefined ? 'unsupported' : handler(from, msg as never);
}

export type { HandlerComponents, HandlerInit, HandlerTable, RequestHandler, RequestKind } from './types.ts';
