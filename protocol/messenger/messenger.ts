/**
 * The one way services inside a node talk to peers: sessions, NAT traversal, the DHT, onion circuits, and later
 * mailboxes and noise all send and receive through this shape. Handlers are multi-subscriber: registering one
 * never replaces another layer's handler, and each registration returns its own `Unsubscribe`.
 */
import type { MessageProtection } from '../crypto/message-security.ts';
import type { Address } from '../runtime/transport.ts';

/** A peer as the session layer names it: where to send, and the static NodeID key that authenticates it. */
export interface MessengerPeer {
  readonly address: Address;
  readonly nodePub: Uint8Array;
}

/** An authenticated inbound message: `from.nodePub` is the key the session handshake proved. */
export interface InboundMessage {
  readonly from: MessengerPeer;
  readonly body: Uint8Array;
  /** How the message was protected (absent from in-test fakes). */
  readonly protection?: MessageProtection;
}

export type InboundHandler = (msg: InboundMessage) => void;
export type Unsubscribe = () => void;

export interface Messenger {
  /** Sends `body` under payload `type`; delivery is not guaranteed (every loss is counted by the layer below). */
  send(peer: MessengerPeer, type: number, body: Uint8Array): void;
  /** Adds a handler for one payload type; handlers run in registration order. */
  onMessage(type: number, handler: InboundHandler): Unsubscribe;
}
