/**
 * A peer as the session manager keeps it: its address and its key in the manager's `peers` map, which is
 * `address|` followed by the nodePub one char per byte (byteKey). The nodePub is read back from that key, a fresh
 * copy per read, so a peer holds no Uint8Array of its own (issue 14: a 33-byte Uint8Array is ~240 B of heap with
 * its ArrayBuffer and backing bytes, per peer, beside a key string that already holds the same bytes).
 */
import type { Address } from '../runtime/transport.ts';
import { byteKey } from '../runtime/hex-key.ts';
import type { Peer } from './session.ts';

export class KeyedPeer implements Peer {
  /** The `peers` key of (address, nodePub): see keyOfPeer. */
  readonly key: string;

  constructor(
    readonly address: Address,
    nodePub: Uint8Array,
  ) {
    this.key = keyOfPeer(address, nodePub);
  }

  /** The peer's nodePub, a fresh copy: a caller may keep or change it without touching this peer. */
  get nodePub(): Uint8Array {
    const key = this.key;
    const start = this.address.length + 1;
    const out = new Uint8Array(key.length - start);
    for (let i = 0; i < out.length; i++) out[i] = key.charCodeAt(start + i);
    return out;
  }
}

/**
 * The manager's key of (address, nodePub): one char per key byte after `address|` (~56 B of heap, a hex key's ~88).
 * KeyedPeer reads the nodePub back from after the address, so any length comes back whole; as a map key it is
 * unambiguous because the session manager's nodePubs are always 33 bytes (send and the handshake check it).
 * Nothing prints or sorts these keys.
 */
export function keyOfPeer(address: Address, nodePub: Uint8Array): string {
  return byteKey(nodePub, `${address}|`);
}
