import { PayloadType } from '../packet/payload-type.ts';
import type { Address } from '../runtime/transport.ts';
import type { SessionManager } from '../session/session-manager.ts';
import type { PingChannel } from './ping-node.ts';

/**
 * Carries ping bodies inside secure sessions: fixed-size encrypted packets, ECMQV-authenticated peers.
 * `nodePubOf` maps an address to the NodeID key to handshake with (a contact list; later the DHT).
 */
export function sessionPingChannel(sessions: SessionManager, nodePubOf: (address: Address) => Uint8Array | undefined): PingChannel & { unknownPeers: number } {
  const channel = {
    unknownPeers: 0,
    send(to: Address, body: Uint8Array) {
      const nodePub = nodePubOf(to);
      if (nodePub === undefined) {
        channel.unknownPeers++;
        return;
      }
      sessions.send({ address: to, nodePub }, PayloadType.PING, body);
    },
    onReceive(handler: (from: Address, body: Uint8Array) => void) {
      sessions.onMessage(PayloadType.PING, (msg) => handler(msg.from.address, msg.body));
    },
  };
  return channel;
}
