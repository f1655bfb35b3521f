import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dhtKeyOf } from '../crypto/identity.ts';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import {
  bucketIndex,
  commonPrefixLength,
  compareDistance,
  compareKeys,
  keyFromHex,
  keyOfNodePub,
  keyToHex,
  NODE_KEY_CACHE_ENTRIES,
  NodeKeyCache,
  randomKeyInBucket,
  xorDistance,
} from './keys.ts';

const key = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** Bit-by-bit reference for the common prefix length. */
function referenceCpl(a: Uint8Array, b: Uint8Array): number {
  for (let bit = 0; bit < 256; bit++) {
    const mask = 0x80 >>> bit % 8;
    if ((a[bit >>> 3] & mask) !== (b[bit >>> 3] & mask)) return bit;
  }
  return 256;
}

describe('keys', () => {
  it('xorDistance is symmetric, zero only to itself, and obeys the triangle equality d(a,c) = d(a,b) ^ d(b,c)', () => {
    fc.assert(
      fc.property(key, key, key, (a, b, c) => {
        expect(xorDistance(a, b)).toEqual(xorDistance(b, a));
        expect(xorDistance(a, a).every((x) => x === 0)).toBe(true);
        expect(xorDistance(a, c)).toEqual(xorDistance(xorDistance(a, b), xorDistance(b, c)));
      }),
    );
  });

  it('compareDistance(t, a, b) orders by the numeric XOR distance', () => {
    fc.assert(
      fc.property(key, key, key, (t, a, b) => {
        expect(Math.sign(compareDistance(t, a, b))).toBe(compareKeys(xorDistance(t, a), xorDistance(t, b)));
      }),
    );
  });

  it('commonPrefixLength matches a bit-by-bit reference, including near-equal keys', () => {
    const nearPair = fc.tuple(key, fc.integer({ min: 0, max: 255 })).map(([a, bit]) => {
      const b = a.slice();
      b[bit >>> 3] ^= 0x80 >>> bit % 8;
      return [a, b] as const;
    });
    fc.assert(fc.property(key, key, (a, b) => void expect(commonPrefixLength(a, b)).toBe(referenceCpl(a, b))));
    fc.assert(fc.property(nearPair, ([a, b]) => void expect(commonPrefixLength(a, b)).toBe(referenceCpl(a, b))));
    const a = new Uint8Array(32).fill(7);
    expect(commonPrefixLength(a, a)).toBe(256);
    expect(bucketIndex(a, a)).toBe(-1);
  });

  it('randomKeyInBucket(self, i) lands in bucket i for every i, and varies the free bits', () => {
    const rng = new SeededRng('bucket');
    fc.assert(
      fc.property(key, fc.integer({ min: 0, max: 255 }), (self, i) => {
        expect(bucketIndex(self, randomKeyInBucket(self, i, rng))).toBe(i);
      }),
    );
    const self = new Uint8Array(32);
    const samples = new Set(Array.from({ length: 20 }, () => keyToHex(randomKeyInBucket(self, 3, rng))));
    expect(samples.size).toBe(20);
    expect(() => randomKeyInBucket(self, 256, rng)).toThrow(RangeError);
  });

  it('keyToHex / keyFromHex round-trip; keyFromHex rejects anything but 64 hex digits', () => {
    fc.assert(fc.property(key, (k) => void expect(keyFromHex(keyToHex(k))).toEqual(k)));
    expect(keyFromHex('00')).toBeUndefined();
    expect(keyFromHex('zz'.repeat(32))).toBeUndefined();
    expect(keyFromHex('ab'.repeat(32))).toEqual(new Uint8Array(32).fill(0xab));
  });

  it('keyOfNodePub equals protocol/crypto dhtKeyOf, and NodeKeyCache returns the same keys', () => {
    const rng = new SeededRng('ids');
    const cache = new NodeKeyCache(nobleSuite, 2);
    for (let i = 0; i < 5; i++) {
      const pub = nobleSuite.generateKeyPair(rng).publicKey;
      expect(keyOfNodePub(nobleSuite, pub)).toEqual(dhtKeyOf(nobleSuite, pub));
      expect(cache.keyOf(pub)).toEqual(dhtKeyOf(nobleSuite, pub));
      expect(cache.keyOf(pub)).toEqual(dhtKeyOf(nobleSuite, pub));
    }
  });

  // Guards the memory bound (issue 14): the default cache held up to 4,096 keys (~1.4 MB) per long-running node.
  it('NodeKeyCache holds at most NODE_KEY_CACHE_ENTRIES (128) keys by default and still answers right after a clear', () => {
    const cache = new NodeKeyCache(nobleSuite);
    const pubs = Array.from({ length: 300 }, (_, i) => Uint8Array.from({ length: 33 }, (_, j) => (j === 0 ? 2 : (i * 31 + j) & 0xff)));
    for (const pub of pubs) {
      cache.keyOf(pub);
      expect(cache.size).toBeLessThanOrEqual(NODE_KEY_CACHE_ENTRIES);
    }
    expect(NODE_KEY_CACHE_ENTRIES).toBeLessThanOrEqual(128);
    expect(cache.keyOf(pubs[0])).toEqual(keyOfNodePub(nobleSuite, pubs[0]));
  });
});
