/**
 * Elligator Squared over P-256: round trip, the SSWU inverse against its reference, frozen vectors, and the
 * property the wire format relies on (issue 11 item 14): an observer cannot tell an encoded ephemeral key
 * from random bytes, while the SEC 1 encoding it replaces is recognisable at a glance.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { bytesToBigInt, fromHex, toHex } from './bytes.ts';
import { ELLIGATOR_SQUARED_BYTES, elligatorSquaredDecode, elligatorSquaredEncode, randomFieldElement } from './elligator-squared.ts';
import { isSquare, sswuAffine, sswuPreimages, sswuPreimagesReference } from './elligator-sswu.ts';
import { nobleSuite } from './noble-suite.ts';
import { Point } from './p256.ts';
import { CryptoError } from './suite.ts';
import fixture from './vectors/elligator-squared.json' with { type: 'json' };
import { computeVector } from './vectors/generate-elligator.ts';

const Fp = Point.Fp;
const B = Point.CURVE().b;

/** The "is this a valid x-coordinate?" test: x < p and x^3 - 3x + b a square. */
function isCurveX(bytes: Uint8Array): boolean {
  const x = bytesToBigInt(bytes);
  return x < Fp.ORDER && isSquare(Fp.add(Fp.mul(Fp.sub(Fp.sqr(x), 3n), x), B));
}

function randomPoints(seed: string, n: number): { pub: Uint8Array; enc: Uint8Array }[] {
  const rng = new SeededRng(seed);
  return Array.from({ length: n }, () => {
    const pub = nobleSuite.generateKeyPair(rng).publicKey;
    return { pub, enc: elligatorSquaredEncode(pub, rng) };
  });
}

describe('SSWU map (RFC 9380 §6.6.2) and its inverse', () => {
  it('map_to_curve(u[0]) matches RFC 9380 Appendix J.1.1 (P256_XMD:SHA-256_SSWU_RO_)', () => {
    const { u, x, y } = fixture.rfc9380;
    const q = sswuAffine(BigInt('0x' + u));
    expect([q.x.toString(16), q.y.toString(16)]).toEqual([x, y]);
  });

  it('every u is among the preimages of f(u), and every preimage maps back (property)', () => {
    const rng = new SeededRng('sswu-inverse');
    for (let i = 0; i < 150; i++) {
      const u = randomFieldElement(rng);
      const { x, y } = sswuAffine(u);
      const pre = sswuPreimages(x, y);
      expect(pre).toContain(u);
      expect(pre.length).toBeLessThanOrEqual(4);
      for (const v of pre) expect(sswuAffine(v)).toEqual({ x, y });
    }
  });

  it('the fast inverse equals the reference (forward-checked) inverse on random points', () => {
    for (const { pub } of randomPoints('sswu-reference', 150)) {
      const { x, y } = Point.fromBytes(pub).toAffine();
      expect(sswuPreimages(x, y)).toEqual(sswuPreimagesReference(x, y));
      expect(sswuPreimages(x, y, 1)).toEqual(sswuPreimagesReference(x, y).slice(0, 1));
    }
  });
});

describe('Elligator Squared encoding', () => {
  it('decode(encode(P)) = P for random points, and encodings are 64 bytes (property)', () => {
    const rng = new SeededRng('es-roundtrip');
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const pub = nobleSuite.generateKeyPair(new SeededRng(seed)).publicKey;
        const enc = elligatorSquaredEncode(pub, rng);
        expect(enc.length).toBe(ELLIGATOR_SQUARED_BYTES);
        expect(toHex(elligatorSquaredDecode(enc))).toBe(toHex(pub));
      }),
      { numRuns: 100 },
    );
  });

  it('one point has many encodings (fresh randomness each time), all decoding to it', () => {
    const rng = new SeededRng('es-many');
    const pub = nobleSuite.generateKeyPair(rng).publicKey;
    const encodings = new Set(Array.from({ length: 20 }, () => toHex(elligatorSquaredEncode(pub, rng))));
    expect(encodings.size).toBe(20);
    for (const hex of encodings) expect(toHex(elligatorSquaredDecode(fromHex(hex)))).toBe(toHex(pub));
  });

  it.each(fixture.vectors)('frozen vector $seed: same bytes from the same seed, and it decodes to the key', (v) => {
    expect(computeVector(v.seed)).toEqual({ publicKeyHex: v.publicKeyHex, encodingHex: v.encodingHex });
    expect(toHex(elligatorSquaredDecode(fromHex(v.encodingHex)))).toBe(v.publicKeyHex);
  });

  it('rejects with CryptoError: wrong length, a half >= p, an encoding of the identity, an invalid point to encode', () => {
    const rng = new SeededRng('es-bad');
    expect(() => elligatorSquaredDecode(new Uint8Array(63))).toThrow(CryptoError);
    expect(() => elligatorSquaredDecode(new Uint8Array(64).fill(0xff))).toThrow(CryptoError);
    // f(u2) = -f(u1): u2 is a preimage of the negated point (crafted; honest encoders never produce it).
    const u1 = randomFieldElement(rng);
    const { x, y } = sswuAffine(u1);
    const [u2] = sswuPreimages(x, Fp.neg(y));
    if (u2 !== undefined) {
      const crafted = fromHex(u1.toString(16).padStart(64, '0') + u2.toString(16).padStart(64, '0'));
      expect(() => elligatorSquaredDecode(crafted)).toThrow(CryptoError);
    }
    expect(() => elligatorSquaredEncode(new Uint8Array(33), rng)).toThrow(CryptoError);
  });
});

describe('what an observer sees: ES bytes look random, SEC 1 points do not', () => {
  const N = 600;
  const samples = randomPoints('es-uniform', N);
  const random = new SeededRng('es-uniform/reference');

  it('bit balance: every one of the 512 bit positions is set in N/2 ± 5σ of N encodings', () => {
    const sigma = Math.sqrt(N) / 2;
    for (let bit = 0; bit < 512; bit++) {
      const ones = samples.filter(({ enc }) => (enc[bit >> 3] >> (7 - (bit & 7))) & 1).length;
      expect(Math.abs(ones - N / 2), `bit ${bit}`).toBeLessThan(5 * sigma);
    }
  });

  it('chi-square of byte values over all positions stays below the 1e-6 quantile (255 dof)', () => {
    const counts = new Array(256).fill(0);
    for (const { enc } of samples) for (const b of enc) counts[b]++;
    const expected = (N * 64) / 256;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // chi2(255) 1e-6 upper quantile ≈ 380 (Wilson-Hilferty).
    expect(chi2).toBeLessThan(380);
  });

  it('the naive distinguishers: SEC 1 keys fail them every time, ES halves pass ~50 % like random bytes', () => {
    const sec1Prefix = samples.filter(({ pub }) => pub[0] === 0x02 || pub[0] === 0x03).length;
    const sec1CurveX = samples.filter(({ pub }) => isCurveX(pub.subarray(1))).length;
    expect(sec1Prefix).toBe(N);
    expect(sec1CurveX).toBe(N);
    // On 2N halves a fair coin lands within ±5σ = ±5·sqrt(2N)/2 of N.
    const tolerance = 5 * Math.sqrt(2 * N) / 2;
    const esCurveX = samples.reduce((s, { enc }) => s + Number(isCurveX(enc.subarray(0, 32))) + Number(isCurveX(enc.subarray(32))), 0);
    const randomCurveX = Array.from({ length: 2 * N }, () => Number(isCurveX(random.bytes(32)))).reduce((a, b) => a + b, 0);
    expect(Math.abs(esCurveX - N)).toBeLessThan(tolerance);
    expect(Math.abs(randomCurveX - N)).toBeLessThan(tolerance);
    const esPrefix = samples.filter(({ enc }) => enc[0] === 0x02 || enc[0] === 0x03).length;
    expect(esPrefix).toBeLessThan(N / 20); // 2/256 expected
  });
});
