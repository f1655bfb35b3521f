import type { HandlerComponents, RequestHandler } from './types.ts';

/** PING -> PONG, echoing the address we saw the ping from (lets a node learn its external address later). */
export function pingHandler(_components: HandlerComponents): RequestHandler<'ping'> {
  return (from) => ({ kind: 'pong', observedAddress: from.address });
}
