/**
 * Elligator Squared over P-256: round trip, the SSWU inverse against its reference, frozen vectors, and the
 * property the wire format relies on (issue 11 item 14): an observer cannot tell an encoded ephemeral key
 * from random bytes, while the SEC 1 encoding it replaces is recognisable at a glance.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { bytesToBigInt, fromHex, toHex } from './bytes.ts';
import { RngBase } from '../runtime/rng-base.ts';
import type { Rng } from '../runtime/rng.ts';
import {
  ELLIGATOR_SQUARED_BYTES,
  elligatorSquaredDecode,
  elligatorSquaredEncode,
  elligatorSquaredEncodeReference,
  FIELD_BYTES,
  randomFieldElement,
  sumOfMapsReference,
} from './elligator-squared.ts';
import {
  isSquare,
  sswuAffine,
  sswuChoosePreimage,
  sswuFraction,
  sswuPoint,
  sswuPreimageFrom,
  sswuPreimages,
  sswuPreimagesReference,
} from './elligator-sswu.ts';
import { decodePoint } from './p256.ts';
import { cryptoOutcome, invalidPublicKeys } from './test-support.ts';
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

/** An Rng whose first bytes(32) draws return the given field elements, then a seeded stream. */
class ScriptedRng extends RngBase {
  private readonly inner: SeededRng;
  constructor(private readonly script: bigint[], seed: string) {
    super();
    this.inner = new SeededRng(seed);
  }
  bytes(n: number): Uint8Array {
    const next = this.script.shift();
    return next === undefined ? this.inner.bytes(n) : fromHex(next.toString(16).padStart(2 * n, '0'));
  }
  uniform(): number {
    return this.inner.uniform();
  }
  fork(name: string): Rng {
    return this.inner.fork(name);
  }
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

describe('fast paths agree with the reference (guards the speed-up: same values, same Rng draws)', () => {
  it('sswuFraction(u) is sswuAffine(u) with x as a fraction, also for u = 0 and the exceptional u^2 = -1/Z', () => {
    const rng = new SeededRng('sswu-fraction');
    const exceptional = Fp.sqrt(Fp.neg(Fp.inv(Fp.create(-10n))));
    for (const u of [0n, 1n, exceptional, Fp.neg(exceptional), ...Array.from({ length: 200 }, () => randomFieldElement(rng))]) {
      const { xNum, xDen, y } = sswuFraction(u);
      expect({ x: Fp.div(xNum, xDen), y }).toEqual(sswuAffine(u));
    }
  });

  it('sswuChoosePreimage + sswuPreimageFrom name sswuPreimages(x, y)[j] for every j, whatever fraction carries x', () => {
    const rng = new SeededRng('sswu-choose');
    let found = 0;
    for (const { pub } of randomPoints('sswu-choose/points', 300)) {
      const { x, y } = Point.fromBytes(pub).toAffine();
      const all = sswuPreimages(x, y);
      const scale = randomFieldElement(rng) || 1n;
      for (let j = 0; j < 4; j++) {
        const choice = sswuChoosePreimage(Fp.mul(x, scale), scale, j);
        if (j >= all.length) expect(choice).toBe('none');
        else {
          expect(choice).not.toBe('none');
          expect(choice).not.toBe('exceptional');
          if (typeof choice === 'object') expect(sswuPreimageFrom(choice, x, y)).toBe(all[j]);
          found++;
        }
      }
    }
    expect(found).toBeGreaterThan(200); // ~1 preimage per point on average: the selection paths all ran
  });

  it('the c = 1 and c = -3 corner cases are reported as exceptional, and are not x-coordinates on P-256', () => {
    for (const x of [Fp.div(B, 3n), Fp.neg(B)]) {
      expect(sswuChoosePreimage(x, 1n, 0)).toBe('exceptional');
      expect(isCurveX(Uint8Array.from(Buffer.from(x.toString(16).padStart(64, '0'), 'hex')))).toBe(false);
    }
  });

  it('encode gives the reference encoder\'s bytes and leaves the Rng in the same state (many keys)', () => {
    for (const [i, { pub }] of randomPoints('es-fast-vs-reference', 150).entries()) {
      const fast = new SeededRng(`es-fast-vs-reference/${i}`);
      const reference = new SeededRng(`es-fast-vs-reference/${i}`);
      expect(toHex(elligatorSquaredEncode(pub, fast))).toBe(toHex(elligatorSquaredEncodeReference(pub, reference)));
      expect(fast.uniform()).toBe(reference.uniform());
    }
  });

  it('encode falls back correctly when f(u1) = P or f(u1) = -P (the fraction path would divide by 0)', () => {
    const rng = new SeededRng('es-fallback');
    for (let i = 0; i < 6; i++) {
      const u1 = randomFieldElement(rng);
      const f = sswuPoint(u1);
      const point = i % 2 === 0 ? f : f.negate();
      const pub = point.toBytes(true);
      const fast = new ScriptedRng([u1], `es-fallback/${i}`);
      const reference = new ScriptedRng([u1], `es-fallback/${i}`);
      expect(toHex(elligatorSquaredEncode(pub, fast))).toBe(toHex(elligatorSquaredEncodeReference(pub, reference)));
      expect(fast.uniform()).toBe(reference.uniform());
    }
  });

  it('encode rejects exactly the public keys decodePoint rejects, with the same CryptoError code', () => {
    const valid = nobleSuite.generateKeyPair(new SeededRng('es-invalid')).publicKey;
    for (const [name, bad] of Object.entries(invalidPublicKeys(valid))) {
      expect(cryptoOutcome(() => elligatorSquaredEncode(bad, new SeededRng(name))), name).toBe(cryptoOutcome(() => decodePoint(bad)));
    }
  });

  it('decode equals f(u1) + f(u2) by @noble points, including u1 = u2 (a doubling) and random pairs', () => {
    const rng = new SeededRng('es-decode-reference');
    const pairs = Array.from({ length: 150 }, () => [randomFieldElement(rng), randomFieldElement(rng)]);
    const u = randomFieldElement(rng);
    pairs.push([u, u]);
    for (const [u1, u2] of pairs) {
      const bytes = fromHex(u1.toString(16).padStart(2 * FIELD_BYTES, '0') + u2.toString(16).padStart(2 * FIELD_BYTES, '0'));
      expect(toHex(elligatorSquaredDecode(bytes))).toBe(toHex(sumOfMapsReference(u1, u2)));
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
