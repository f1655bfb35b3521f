/**
 * A hand-driven endpoint on the FakeNetwork for adversarial tests: it decodes what it receives and answers with
 * whatever `respond` returns (forged values, bogus contacts), or stays silent. Not a DhtNode: a malicious node
 * is a different program speaking the same wire format.
 */
import type { KeyPair } from '../../crypto/suite.ts';
import { DHT_PAYLOAD_TYPE } from '../constants.ts';
import { MessageCodec, type DhtMessage } from '../messages.ts';
import type { DhtMessenger, PeerRef } from '../types.ts';
import type { FakeNetwork } from './fake-network.ts';

export interface Rogue {
  readonly peer: PeerRef;
  readonly keyPair: KeyPair;
  readonly received: DhtMessage[];
  readonly messenger: DhtMessenger;
  send(to: PeerRef, msg: DhtMessage): void;
}

export function createRogue(
  network: FakeNetwork,
  keyPair: KeyPair,
  address: string,
  respond: (msg: DhtMessage, from: PeerRef) => DhtMessage | undefined,
): Rogue {
  const codec = new MessageCodec();
  const peer: PeerRef = { address, nodePub: keyPair.publicKey };
  const messenger = network.messenger(peer);
  const received: DhtMessage[] = [];
  const send = (to: PeerRef, msg: DhtMessage) => messenger.send(to, DHT_PAYLOAD_TYPE, codec.encode(msg));
  messenger.onMessage(DHT_PAYLOAD_TYPE, ({ from, body }) => {
    const r = codec.decode(body);
    if (!r.ok) return;
    received.push(r.message);
    const reply = respond(r.message, from);
    if (reply !== undefined) send(from, reply);
  });
  return { peer, keyPair, received, messenger, send };
}
