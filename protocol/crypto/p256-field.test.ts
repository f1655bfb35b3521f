/**
 * p256-field.ts against @noble's Fp: the fast exponentiations and the Jacobi symbol must give exactly the
 * values Fp gives (Elligator Squared's frozen vectors depend on which square root is taken).
 */
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { bytesToBigInt } from './bytes.ts';
import { opensslFixedPower } from './openssl-power.ts';
import { fieldPowerPaths, jacobi, mod, sqrtRatio, sqrtUnchecked } from './p256-field.ts';
import { Point } from './p256.ts';

const Fp = Point.Fp;
const P = Fp.ORDER;

/** Random elements plus the edges: 0, 1, 2, p-1, p-2, small values, and values around the 2^53 switch. */
function samples(seed: string, n: number): bigint[] {
  const rng = new SeededRng(seed);
  const random = Array.from({ length: n }, () => mod(bytesToBigInt(rng.bytes(32))));
  const edges = [0n, 1n, 2n, 3n, 4n, 5n, P - 1n, P - 2n, 2n ** 52n, 2n ** 53n - 1n, 2n ** 53n + 1n, 2n ** 255n, 2n ** 224n];
  return [...edges, ...random];
}

const euler = (a: bigint): number => {
  const r = Fp.pow(a, (P - 1n) / 2n);
  return r === 0n ? 0 : r === 1n ? 1 : -1;
};

describe('p256-field', () => {
  it('jacobi(a) equals Euler\'s criterion a^((p-1)/2), also for negative and >= p inputs', () => {
    for (const a of samples('field/jacobi', 300)) {
      expect(jacobi(a), `a = ${a}`).toBe(euler(a));
      expect(jacobi(a - P)).toBe(euler(a));
      expect(jacobi(a + 5n * P)).toBe(euler(a));
    }
  });

  it('sqrtUnchecked(a) is the root Fp.sqrt(a) returns, for every square a', () => {
    for (const a of samples('field/sqrt', 200)) {
      const square = Fp.sqr(a);
      expect(sqrtUnchecked(square)).toBe(Fp.sqrt(square));
    }
  });

  it('sqrtRatio(u, v) = Fp.sqrt(u/v) with isSquare = (u/v is a square), without inverting v', () => {
    const vs = samples('field/ratio-v', 150).filter((v) => v !== 0n);
    samples('field/ratio-u', 150).forEach((u, i) => {
      const v = vs[i % vs.length];
      const q = Fp.div(u, v);
      const { isSquare, root } = sqrtRatio(u, v);
      expect(isSquare).toBe(euler(q) !== -1);
      if (isSquare) expect(root).toBe(Fp.sqrt(q));
    });
  });

  // Guards the OpenSSL powers (openssl-power.ts): they must return exactly the BigInt chain's value, or
  // every Elligator Squared encoding (and so every traceHash) would change.
  it('under Node the powers run on OpenSSL and equal the BigInt chain on every sample, for both exponents', () => {
    expect(fieldPowerPaths.opensslActive).toBe(true);
    for (const x of samples('field/openssl-power', 300)) {
      for (const path of [fieldPowerPaths.sqrtExponent, fieldPowerPaths.sqrtRatioExponent]) {
        expect(path.fast(x), `x = ${x}`).toBe(path.bigint(x));
      }
    }
  });

  it('opensslFixedPower refuses to serve an exponent whose results disagree with the reference it is given', () => {
    const e = (P + 1n) / 4n;
    expect(opensslFixedPower(e, (x) => Fp.pow(x, e))).toBeDefined();
    expect(opensslFixedPower(e, (x) => Fp.pow(x, e + 1n))).toBeUndefined();
  });
});
