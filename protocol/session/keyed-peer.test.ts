import { describe, expect, it } from 'vitest';
import { KeyedPeer, keyOfPeer } from './keyed-peer.ts';

const pub = (seed: number) => Uint8Array.from({ length: 33 }, (_, i) => (seed * 37 + i * 101) & 255);

// Guards the peer record that keeps its nodePub only inside its map key (issue 14): every byte value must come
// back as it went in, whatever the address holds, and no reader may share (and so corrupt) another's copy.
describe('KeyedPeer', () => {
  it('gives back the nodePub it was made with, for every byte value and any address', () => {
    const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const address of ['n3', '', 'a|b', '127.0.0.1:4000', 'ü-addr']) {
      for (let at = 0; at + 33 <= 256; at += 29) {
        const nodePub = everyByte.slice(at, at + 33);
        const peer = new KeyedPeer(address, nodePub);
        expect(peer.address).toBe(address);
        expect(peer.nodePub).toEqual(nodePub);
        expect(peer.key).toBe(keyOfPeer(address, nodePub));
      }
    }
  });

  it('reads out a fresh copy each time, unaffected by changes to the input or to an earlier copy', () => {
    const nodePub = pub(1);
    const peer = new KeyedPeer('n1', nodePub);
    nodePub.fill(0);
    const first = peer.nodePub;
    first.fill(9);
    expect(peer.nodePub).toEqual(pub(1));
    expect(peer.nodePub).not.toBe(peer.nodePub);
  });

  it('keys differ when the address or the nodePub differs, and match when both are equal', () => {
    expect(keyOfPeer('n1', pub(1))).toBe(keyOfPeer('n1', pub(1).slice()));
    expect(keyOfPeer('n1', pub(1))).not.toBe(keyOfPeer('n2', pub(1)));
    expect(keyOfPeer('n1', pub(1))).not.toBe(keyOfPeer('n1', pub(2)));
  });
});
