import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import { toHex } from '../packet/bytes.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { buildPunch, derivePunchKeys, verifyPunch } from './punch-datagram.ts';

const rng = new SeededRng('punch-datagram');
const a = nobleSuite.generateKeyPair(rng);
const b = nobleSuite.generateKeyPair(rng);
const m = nobleSuite.generateKeyPair(rng);
const nonce = rng.bytes(16);

describe('punch datagrams', () => {
  it('both ends derive matching ids and MAC key; each side expects exactly what the other sends', () => {
    for (const suite of [nobleSuite, nodeSuite]) {
      const ka = derivePunchKeys(suite, a.privateKey, a.publicKey, b.publicKey, nonce, 'requester');
      const kb = derivePunchKeys(suite, b.privateKey, b.publicKey, a.publicKey, nonce, 'target');
      expect(toHex(ka.macKey)).toBe(toHex(kb.macKey));
      expect([toHex(ka.send.punch), toHex(ka.send.ack)]).toEqual([toHex(kb.receive.punch), toHex(kb.receive.ack)]);
      expect([toHex(kb.send.punch), toHex(kb.send.ack)]).toEqual([toHex(ka.receive.punch), toHex(ka.receive.ack)]);
      expect(new Set([ka.send.punch, ka.send.ack, kb.send.punch, kb.send.ack].map(toHex)).size).toBe(4);
    }
  });

  it('is wire-sized, shaped like a data packet, and verifies only under the pair key', () => {
    const ka = derivePunchKeys(nobleSuite, a.privateKey, a.publicKey, b.publicKey, nonce, 'requester');
    const kb = derivePunchKeys(nobleSuite, b.privateKey, b.publicKey, a.publicKey, nonce, 'target');
    const d = buildPunch(nobleSuite, rng, ka, 'punch', 3, 1232);
    expect(d.length).toBe(1232);
    expect(toHex(d.subarray(0, 8))).toBe(toHex(ka.send.punch));
    expect([...d.subarray(8, 16)]).toEqual([0, 0, 0, 0, 0, 0, 0, 3]); // seq, like a data packet's
    expect(verifyPunch(nobleSuite, kb.macKey, d)).toBe(true);
    // An accomplice of the rendezvous knows the nonce (so the ids) but derives another key.
    const km = derivePunchKeys(nobleSuite, m.privateKey, m.publicKey, a.publicKey, nonce, 'target');
    expect(toHex(km.send.punch)).toBe(toHex(kb.send.punch));
    expect(verifyPunch(nobleSuite, ka.macKey, buildPunch(nobleSuite, rng, km, 'punch', 0, 1232))).toBe(false);
    const flipped = d.slice();
    flipped[600] ^= 1;
    expect(verifyPunch(nobleSuite, kb.macKey, flipped)).toBe(false);
    expect(verifyPunch(nobleSuite, kb.macKey, d.subarray(0, 20))).toBe(false);
  });

  it('throws a CryptoError for a peer key that is not a curve point', () => {
    const bad = new Uint8Array(33).fill(0xff);
    bad[0] = 2;
    expect(() => derivePunchKeys(nobleSuite, a.privateKey, a.publicKey, bad, nonce, 'requester')).toThrow(/point|Point/);
  });
});
