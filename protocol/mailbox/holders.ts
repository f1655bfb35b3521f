/**
 * The k nodes closest to a mailbox key: the DHT's findNode answer (the closest it knows) plus this node itself when
 * it runs a MailboxService, sorted by XOR distance.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import { bytesEqual, compareDistance, keyOfNodePub } from '../dht/keys.ts';
import type { MessengerPeer } from '../messenger/messenger.ts';

/** The part of DhtNode mailboxes use (DhtNode satisfies it). */
export interface MailboxDht {
  findNode(key: Uint8Array, cb: (result: { closest: readonly MessengerPeer[] }) => void): void;
}

export function closestHolders(
  suite: Pick<CryptoSuite, 'sha256'>,
  key: Uint8Array,
  found: readonly MessengerPeer[],
  self: MessengerPeer | undefined,
  count: number,
): MessengerPeer[] {
  const all: MessengerPeer[] = found.map((c) => ({ address: c.address, nodePub: c.nodePub }));
  if (self && !all.some((p) => bytesEqual(p.nodePub, self.nodePub))) all.push(self);
  const keyed = all.map((p) => ({ p, k: keyOfNodePub(suite, p.nodePub) }));
  keyed.sort((a, b) => compareDistance(key, a.k, b.k));
  return keyed.slice(0, count).map((x) => x.p);
}
