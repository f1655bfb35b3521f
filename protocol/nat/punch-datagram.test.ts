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
const counts = { punch: 10, ack: 4 };
const hexes = (ids: readonly Uint8Array[]): string[] => ids.map(toHex);

describe('punch datagrams', () => {
  it('both ends derive matching ids and MAC key; each side expects exactly what the other sends', () => {
    for (const suite of [nobleSuite, nodeSuite]) {
      const ka = derivePunchKeys(suite, a.privateKey, a.publicKey, b.publicKey, nonce, 'requester', counts);
      const kb = derivePunchKeys(suite, b.privateKey, b.publicKey, a.publicKey, nonce, 'target', counts);
      expect(toHex(ka.macKey)).toBe(toHex(kb.macKey));
      expect([hexes(ka.send.punch), hexes(ka.send.ack)]).toEqual([hexes(kb.receive.punch), hexes(kb.receive.ack)]);
      expect([hexes(kb.send.punch), hexes(kb.send.ack)]).toEqual([hexes(ka.receive.punch), hexes(ka.receive.ack)]);
      expect([ka.send.punch.length, ka.send.ack.length]).toEqual([10, 4]);
      // Every datagram of the exchange, either side, either kind, has its own id.
      const all = [ka.send.punch, ka.send.ack, kb.send.punch, kb.send.ack].flatMap(hexes);
      expect(new Set(all).size).toBe(2 * (10 + 4));
    }
  });

  it('is wire-sized, shaped like a data packet, and verifies only under the pair key', () => {
    const ka = derivePunchKeys(nobleSuite, a.privateKey, a.publicKey, b.publicKey, nonce, 'requester', counts);
    const kb = derivePunchKeys(nobleSuite, b.privateKey, b.publicKey, a.publicKey, nonce, 'target', counts);
    const d = buildPunch(nobleSuite, rng, ka, 'punch', 3, 1232);
    expect(d.length).toBe(1232);
    expect(toHex(d.subarray(0, 8))).toBe(toHex(ka.send.punch[3]!));
    expect(verifyPunch(nobleSuite, kb.macKey, d)).toBe(true);
    // An accomplice of the rendezvous knows the nonce (so the ids) but derives another key.
    const km = derivePunchKeys(nobleSuite, m.privateKey, m.publicKey, a.publicKey, nonce, 'target', counts);
    expect(hexes(km.send.punch)).toEqual(hexes(kb.send.punch));
    expect(verifyPunch(nobleSuite, ka.macKey, buildPunch(nobleSuite, rng, km, 'punch', 0, 1232))).toBe(false);
    const flipped = d.slice();
    flipped[600] ^= 1;
    expect(verifyPunch(nobleSuite, kb.macKey, flipped)).toBe(false);
    expect(verifyPunch(nobleSuite, kb.macKey, d.subarray(0, 20))).toBe(false);
  });

  it('leaves no clear structure: no shared prefix, no clear seq, and refuses a seq beyond its ids', () => {
    // Before issue 11, every punch of an exchange began with the same id followed by a small big-endian seq, so an
    // observer could link and count an exchange's datagrams.
    const ka = derivePunchKeys(nobleSuite, a.privateKey, a.publicKey, b.publicKey, nonce, 'requester', counts);
    const datagrams = Array.from({ length: counts.punch }, (_, seq) => buildPunch(nobleSuite, rng, ka, 'punch', seq, 1232));
    expect(new Set(datagrams.map((d) => toHex(d.subarray(0, 4)))).size).toBe(counts.punch);
    const zeroBytes = datagrams.reduce((n, d) => n + d.subarray(0, 16).filter((x) => x === 0).length, 0);
    expect(zeroBytes).toBeLessThan(8); // ~0.6 expected from 160 random bytes; a clear seq gave >= 60
    expect(() => buildPunch(nobleSuite, rng, ka, 'punch', counts.punch, 1232)).toThrow(RangeError);
  });

  it('throws a CryptoError for a peer key that is not a curve point', () => {
    const bad = new Uint8Array(33).fill(0xff);
    bad[0] = 2;
    expect(() => derivePunchKeys(nobleSuite, a.privateKey, a.publicKey, bad, nonce, 'requester', counts)).toThrow(/point|Point/);
  });
});
