/**
 * The simplified SWU map of RFC 9380 §6.6.2 on P-256 (suite P256_XMD:SHA-256_SSWU_RO_: A = -3, Z = -10) and
 * its inverse: every u in F_p whose image is a given point. Elligator Squared (elligator-squared.ts) needs both.
 *
 * Forward map (RFC 9380 §6.6.2, generic case), with g(x) = x^3 + A·x + B and w = Z·u^2:
 *   x1 = (-B/A)·(1 + 1/(w^2 + w));  if g(x1) is a square: x = x1, else x = x2 = w·x1;
 *   y = sqrt(g(x)) with sgn0(y) = sgn0(u)   (sgn0 = parity, as p ≡ 3 mod 4, §4.1).
 * The forward map is @noble/curves' mapToCurveSimpleSWU (the same code its RFC 9380 hasher runs).
 *
 * Inverse (derived here; c = -A·x/B, so x = (-B/A)·c):
 *   branch x = x1:  c = 1 + 1/(w^2 + w)  =>  w^2 + w - 1/(c - 1) = 0            =>  w = (-1 ± sqrt(1 + 4/(c-1))) / 2
 *   branch x = x2:  x2 = (-B/A)·(w + 1/(w + 1)), so c·(w + 1) = w^2 + w + 1
 *                    =>  w^2 + (1 - c)·w + (1 - c) = 0                         =>  w = (c - 1 ± sqrt((c-1)(c+3))) / 2
 *   then u^2 = w/Z must be a square, u = ±sqrt(w/Z) with sgn0(u) = sgn0(y). The x1 branch needs g(x1) square
 *   (true: x1 = x is on the curve); the x2 branch needs g(x1) = g(x/w) NON-square. Rather than trust the
 *   algebra, every candidate is mapped forward and kept only if it lands on (x, y), which checks both
 *   conditions and the sign at once. At most 2 + 2 = 4 preimages.
 * Left out: the exceptional inputs with w^2 + w = 0 (u = 0 and u^2 = -1/Z), three field elements out of p; the
 * forward map sends them to x = B/(Z·A), and omitting them biases encodings by about 2^-254.
 */
import { mapToCurveSimpleSWU } from '@noble/curves/abstract/hash-to-curve.js';
import { Point } from './p256.ts';

const Fp = Point.Fp;
/** RFC 9380 §8.2, P256_XMD:SHA-256_SSWU_RO_: A = -3, B = the curve's b, Z = -10. */
const A = Fp.create(-3n);
const B = Point.CURVE().b;
export const SSWU_Z = Fp.create(-10n);

const forward = mapToCurveSimpleSWU(Fp, { A, B, Z: SSWU_Z });
const P = Fp.ORDER;
const HALF = Fp.inv(2n);
const MINUS_A_OVER_B = Fp.div(Fp.neg(A), B);
const INV_Z = Fp.inv(SSWU_Z);

/**
 * Jacobi symbol (a/n) by the binary algorithm (Cohen, "A Course in Computational Algebraic Number Theory",
 * Algorithm 1.4.10): about 4x faster than Euler's criterion a^((p-1)/2) with BigInt arithmetic.
 */
function jacobi(a: bigint, n: bigint): -1 | 0 | 1 {
  a %= n;
  let t: -1 | 1 = 1;
  while (a !== 0n) {
    while ((a & 1n) === 0n) {
      a >>= 1n;
      const r = n & 7n;
      if (r === 3n || r === 5n) t = t === 1 ? -1 : 1;
    }
    [a, n] = [n, a];
    if ((a & 3n) === 3n && (n & 3n) === 3n) t = t === 1 ? -1 : 1;
    a %= n;
  }
  return n === 1n ? t : 0;
}

/** a is 0 or a quadratic residue mod p. */
export function isSquare(a: bigint): boolean {
  return jacobi(a, P) !== -1;
}

/** g(x) = x^3 + A·x + B, the curve's right-hand side. */
function curveRhs(x: bigint): bigint {
  return Fp.add(Fp.mul(Fp.add(Fp.sqr(x), A), x), B);
}

/** RFC 9380 map_to_curve_simple_swu(u) for P-256, as an affine pair. */
export function sswuAffine(u: bigint): { x: bigint; y: bigint } {
  return forward(u);
}

/** The same as a @noble point (never the identity: SSWU outputs are affine points). */
export function sswuPoint(u: bigint): Point {
  return Point.fromAffine(forward(u));
}

/** Roots of w^2 - minusB·w + c with the given discriminant; [] when it is a non-square. */
function quadraticRoots(minusB: bigint, discriminant: bigint): bigint[] {
  if (!isSquare(discriminant)) return [];
  const s = Fp.sqrt(discriminant);
  const first = Fp.mul(Fp.add(minusB, s), HALF);
  if (s === 0n) return [first];
  return [first, Fp.mul(Fp.sub(minusB, s), HALF)];
}

/** u with Z·u^2 = w and sgn0(u) = sgn0(y), or undefined when w/Z is a non-square (or w is exceptional). */
function uFor(w: bigint, y: bigint): bigint | undefined {
  if (w === 0n || Fp.add(Fp.sqr(w), w) === 0n) return undefined; // exceptional inputs: see the header comment
  const uSquared = Fp.mul(w, INV_Z);
  if (!isSquare(uSquared)) return undefined;
  const u = Fp.sqrt(uSquared);
  return Fp.isOdd!(u) === Fp.isOdd!(y) ? u : Fp.neg(u);
}

/**
 * The preimages of (x, y) under SSWU, in a fixed order (x1-branch roots, then x2-branch roots), stopping
 * after `limit` of them; 0 to 4 in all. (x, y) must be a point on P-256. Fast path: the branch conditions are
 * checked algebraically (x1 branch: g(x) = y^2 is a square by construction; x2 branch: g(x/w) must be a
 * non-square); sswuPreimagesReference maps every candidate forward instead, and a test holds them equal.
 */
export function sswuPreimages(x: bigint, y: bigint, limit = 4): bigint[] {
  const out: bigint[] = [];
  const c = Fp.mul(MINUS_A_OVER_B, x);
  const cMinus1 = Fp.sub(c, 1n);
  // Branch x = x1: w^2 + w - 1/(c-1) = 0, discriminant 1 + 4/(c-1). c = 1 is x = -B/A, outside this branch.
  if (cMinus1 !== 0n) {
    for (const w of quadraticRoots(Fp.neg(1n), Fp.add(1n, Fp.mul(4n, Fp.inv(cMinus1))))) {
      const u = uFor(w, y);
      if (u !== undefined && out.push(u) >= limit) return out;
    }
  }
  // Branch x = x2 = w·x1: w^2 + (1-c)·w + (1-c) = 0, discriminant (c-1)(c+3); needs g(x1) = g(x/w) non-square.
  for (const w of quadraticRoots(cMinus1, Fp.mul(cMinus1, Fp.add(c, 3n)))) {
    if (w === 0n || isSquare(curveRhs(Fp.div(x, w)))) continue;
    const u = uFor(w, y);
    if (u !== undefined && out.push(u) >= limit) return out;
  }
  return out;
}

/** Reference inverse: every candidate u of both branches, kept only if the forward map sends it to (x, y). */
export function sswuPreimagesReference(x: bigint, y: bigint): bigint[] {
  const c = Fp.mul(MINUS_A_OVER_B, x);
  const cMinus1 = Fp.sub(c, 1n);
  const ws = cMinus1 === 0n ? [] : quadraticRoots(Fp.neg(1n), Fp.add(1n, Fp.mul(4n, Fp.inv(cMinus1))));
  ws.push(...quadraticRoots(cMinus1, Fp.mul(cMinus1, Fp.add(c, 3n))));
  const out: bigint[] = [];
  for (const w of ws) {
    const u = uFor(w, y);
    if (u === undefined) continue;
    const image = forward(u);
    if (image.x === x && image.y === y) out.push(u);
  }
  return out;
}
