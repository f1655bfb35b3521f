/**
 * point-cache.ts: every writer must record the true decompression (a wrong y would silently change ECDH,
 * ECMQV and Elligator Squared results), readers must give the bytes they gave without it, and the cache
 * stays bounded. Guards the cache added for handshake cost.
 */
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { toHex } from './bytes.ts';
import { elligatorSquaredDecode, elligatorSquaredEncode, elligatorSquaredEncodeReference } from './elligator-squared.ts';
import { nobleSuite } from './noble-suite.ts';
import { nodeSuite } from './node-suite.ts';
import { POINT_CACHE_MAX, knownPointOf, lookupPoint, pointKey, rememberPoint } from './point-cache.ts';
import { Point } from './p256.ts';

const decompressed = (compressed: Uint8Array) => {
  const p = Point.fromBytes(compressed);
  return { x: p.toAffine().x, y: p.toAffine().y, octets: toHex(p.toBytes(false)) };
};
const known = (compressed: Uint8Array) => {
  const k = lookupPoint(pointKey(compressed));
  return k ? { x: k.x, y: k.y, octets: toHex(k.octets) } : k;
};

describe('point-cache', () => {
  it('nodeSuite key generation and Elligator Squared decoding record the true decompression', () => {
    const rng = new SeededRng('point-cache/writers');
    for (let i = 0; i < 10; i++) {
      const { publicKey } = nodeSuite.generateKeyPair(rng);
      expect(known(publicKey)).toEqual(decompressed(publicKey));
      const point = elligatorSquaredDecode(rng.bytes(64));
      expect(known(point)).toEqual(decompressed(point));
    }
  });

  it('encoding a point the cache knows gives the reference encoding and the same Rng draws', () => {
    const rng = new SeededRng('point-cache/encode');
    for (let i = 0; i < 6; i++) {
      const { publicKey } = nodeSuite.generateKeyPair(rng); // remembered
      expect(known(publicKey)).toBeDefined();
      const [a, b] = [new SeededRng(`enc/${i}`), new SeededRng(`enc/${i}`)];
      expect(toHex(elligatorSquaredEncode(publicKey, a))).toBe(toHex(elligatorSquaredEncodeReference(publicKey, b)));
      expect(a.uniform()).toBe(b.uniform());
    }
  });

  it('ECDH on a remembered key equals nobleSuite', () => {
    const rng = new SeededRng('point-cache/ecdh');
    const a = nodeSuite.generateKeyPair(rng);
    const b = nodeSuite.generateKeyPair(rng); // remembered: ECDH hands OpenSSL its uncompressed octets
    expect(toHex(nodeSuite.ecdh(a.privateKey, b.publicKey))).toBe(toHex(nobleSuite.ecdh(a.privateKey, b.publicKey)));
  });

  it('holds at most POINT_CACHE_MAX entries, dropping the oldest first', () => {
    const first = new Uint8Array(33).fill(0xaa);
    rememberPoint(pointKey(first), knownPointOf(1n, 2n));
    for (let i = 0; i < POINT_CACHE_MAX; i++) rememberPoint(`filler-${i}`, null);
    expect(lookupPoint(pointKey(first))).toBeUndefined();
    expect(lookupPoint(`filler-${POINT_CACHE_MAX - 1}`)).toBeNull();
  });
});
