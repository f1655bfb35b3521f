/**
 * The DHT's messenger, routed through NAT traversal. It forwards sends to `NatService.send` (so a punched or
 * relayed route to a contact is used transparently) and, reading the DHT replies that pass by, tells the
 * NatService two things the DHT already knows but does not keep:
 * - who introduced each contact (the sender of the NODES reply naming it): that node has a session with the
 *   contact, which makes it the natural rendezvous when a handshake to the contact stalls;
 * - how peers see our address (PONG's observedAddress), from which our NAT mapping behaviour follows.
 * Nothing in dht/ changes: this is a decorator around the DhtMessenger interface the DHT was built against.
 */
import type { MessageCodec } from '../dht/messages.ts';
import type { DhtMessenger } from '../dht/types.ts';
import type { PayloadType } from '../packet/payload-type.ts';
import type { NatService } from './nat-service.ts';

export function natDhtMessenger(nat: NatService, codec: MessageCodec, dhtPayloadType: number): DhtMessenger {
  return {
    send: (peer, type, body) => nat.send(peer, type as PayloadType, body),
    onMessage: (type, handler) =>
      nat.onMessage(type as PayloadType, (msg) => {
        if (type === dhtPayloadType) learnFrom(nat, codec, msg.from, msg.body);
        handler(msg);
      }),
  };
}

function learnFrom(nat: NatService, codec: MessageCodec, from: { address: string; nodePub: Uint8Array }, body: Uint8Array): void {
  const decoded = codec.decode(body);
  if (!decoded.ok) return; // the DHT counts it
  const m = decoded.message;
  if (m.kind === 'nodes') for (const c of m.contacts) nat.noteIntroducer(c.nodePub, from);
  else if (m.kind === 'pong') nat.noteObserved(from.nodePub, m.observedAddress);
}
