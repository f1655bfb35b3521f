/**
 * Fuzz: random and mutated bytes into every parser that faces the network. Only typed errors
 * (CryptoError / IdParseError) may escape, never a TypeError/RangeError from deep inside a library, and
 * both back ends must reach the same verdict.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { toHex } from './bytes.ts';
import { eciesOpen, eciesSeal } from './ecies.ts';
import { ecmqvSharedSecret } from './ecmqv.ts';
import { IdParseError, formatId, parseId } from './identity.ts';
import { nobleSuite as noble } from './noble-suite.ts';
import { nodeSuite as node } from './node-suite.ts';
import { P256_P } from './p256.ts';
import { SUITES, cryptoOutcome } from './test-support.ts';

const rng = new SeededRng('fuzz');
const me = node.generateKeyPair(rng);
const myEphemeral = node.generateKeyPair(rng);
const peer = node.generateKeyPair(rng);

/** 33-byte strings that look like compressed points: about half have an x on the curve. */
const pointLike = fc.oneof(
  fc.tuple(fc.constantFrom(2, 3), fc.uint8Array({ minLength: 32, maxLength: 32 })).map(([h, x]) => Uint8Array.of(h, ...x)),
  // x near or above p: must be rejected, not reduced mod p
  fc.tuple(fc.constantFrom(2, 3), fc.bigInt({ min: P256_P - 3n, max: (1n << 256n) - 1n })).map(([h, x]) =>
    Uint8Array.of(h, ...Buffer.from(x.toString(16).padStart(64, '0'), 'hex')),
  ),
  fc.uint8Array({ minLength: 0, maxLength: 70 }),
  fc.tuple(fc.nat(), fc.nat()).map(([at, bit]) => {
    const b = Uint8Array.from(peer.publicKey);
    b[at % 33] ^= 1 << bit % 8;
    return b;
  }),
);

describe('fuzzing public-key inputs', () => {
  it('ecdh: only CryptoError, and both suites give the same result or the same code', () => {
    fc.assert(
      fc.property(pointLike, (pub) => {
        const a = cryptoOutcome(() => noble.ecdh(me.privateKey, pub));
        const b = cryptoOutcome(() => node.ecdh(me.privateKey, pub));
        expect(b).toBe(a);
        expect(['ok', 'bad-point']).toContain(a);
        if (a === 'ok') expect(toHex(node.ecdh(me.privateKey, pub))).toBe(toHex(noble.ecdh(me.privateKey, pub)));
      }),
      { numRuns: 150 },
    );
  });

  it('ecmqv: only CryptoError, same verdict in reference and both suites', () => {
    fc.assert(
      fc.property(pointLike, fc.boolean(), (pub, asStatic) => {
        const input = {
          ownStatic: me,
          ownEphemeral: myEphemeral,
          peerStaticPub: asStatic ? pub : peer.publicKey,
          peerEphemeralPub: asStatic ? peer.publicKey : pub,
        };
        const ref = cryptoOutcome(() => ecmqvSharedSecret(input));
        expect(cryptoOutcome(() => noble.ecmqv(input))).toBe(ref);
        expect(cryptoOutcome(() => node.ecmqv(input))).toBe(ref);
        if (ref === 'ok') expect(toHex(node.ecmqv(input))).toBe(toHex(ecmqvSharedSecret(input)));
      }),
      { numRuns: 60 },
    );
  });

  it('verify never throws on arbitrary keys and signatures, and both suites agree', () => {
    fc.assert(
      fc.property(pointLike, fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 20 }), (pub, sig, msg) => {
        const a = noble.verify(pub, msg, sig);
        expect(node.verify(pub, msg, sig)).toBe(a);
        expect(a).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});

describe('fuzzing eciesOpen', () => {
  it('random bytes and mutated messages throw only CryptoError', () => {
    const good = eciesSeal(node, rng, me.publicKey, new Uint8Array(40));
    const mutated = fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: 3 })).map(([at, v, op]) => {
      const b = Uint8Array.from(good);
      if (op === 0) b[at % b.length] ^= 1 + (v % 255);
      if (op === 1) return b.subarray(0, at % b.length);
      if (op === 2) return Uint8Array.of(...b, v & 0xff);
      if (op === 3) b.set(peer.publicKey, 0); // a valid point that is not the sender's ephemeral
      return b;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 120 }), mutated), (sealed) => {
        for (const suite of SUITES) {
          expect(['bad-length', 'bad-point', 'auth-failed']).toContain(cryptoOutcome(() => eciesOpen(suite, me.privateKey, sealed)));
        }
      }),
      { numRuns: 80 },
    );
  });
});

describe('fuzzing parseId', () => {
  const valid = formatId('account', me.publicKey);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';

  it('arbitrary strings throw only IdParseError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 70 })), (text) => {
        try {
          parseId(text);
        } catch (e) {
          expect(e).toBeInstanceOf(IdParseError);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('any single-character substitution of a valid id is rejected with an IdParseError', () => {
    fc.assert(
      fc.property(fc.nat({ max: valid.length - 1 }), fc.constantFrom(...alphabet, 'A', '0', '1', '-', ' '), (at, ch) => {
        const text = valid.slice(0, at) + ch + valid.slice(at + 1);
        if (text.toLowerCase() === valid) return;
        expect(() => parseId(text)).toThrow(IdParseError);
      }),
      { numRuns: 300 },
    );
  });
});
