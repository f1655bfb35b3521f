/**
 * The simplified SWU map of RFC 9380 §6.6.2 on P-256 (suite P256_XMD:SHA-256_SSWU_RO_: A = -3, Z = -10) and
 * its inverse: every u in F_p whose image is a given point. Elligator Squared (elligator-squared.ts) needs both.
 *
 * Forward map (RFC 9380 §6.6.2, generic case), with g(x) = x^3 + A·x + B and w = Z·u^2:
 *   x1 = (-B/A)·(1 + 1/(w^2 + w));  if g(x1) is a square: x = x1, else x = x2 = w·x1;
 *   y = sqrt(g(x)) with sgn0(y) = sgn0(u)   (sgn0 = parity, as p ≡ 3 mod 4, §4.1).
 * The forward map is @noble/curves' mapToCurveSimpleSWU (the same code its RFC 9380 hasher runs); sswuFraction
 * is the same steps on p256-field.ts, with the final division left to the caller (Elligator Squared's hot path).
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
import { jacobi, mod, sqrtRatio, sqrtUnchecked } from './p256-field.ts';
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

/** a is 0 or a quadratic residue mod p. */
export function isSquare(a: bigint): boolean {
  return jacobi(a) !== -1;
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

/** An SSWU output with x kept as a fraction xNum/xDen (xDen != 0), so that callers can batch the inversion. */
export interface SswuFraction {
  xNum: bigint;
  xDen: bigint;
  y: bigint;
}

/** sqrt(-Z): RFC 9380 F.2.1.2's c2, turning sqrt(-g(x1)) into a square root of g(x2) = Z^3·u^6·g(x1). */
const SQRT_MINUS_Z = Fp.sqrt(Fp.neg(SSWU_Z));

/**
 * map_to_curve_simple_swu(u) as RFC 9380 Appendix F.2 writes it (the same steps as @noble's version), with
 * p256-field's faster sqrt_ratio and the final division x = xNum/xDen left to the caller. Equal to
 * sswuAffine(u) (a test checks it).
 */
export function sswuFraction(u: bigint): SswuFraction {
  const tv1 = mod(SSWU_Z * ((u * u) % P)); // Z·u^2
  const tv2 = (tv1 * tv1 + tv1) % P; // Z^2·u^4 + Z·u^2
  const tv3 = (B * (tv2 + 1n)) % P; // x1 numerator
  const xDen = mod(A * (tv2 === 0n ? SSWU_Z : P - tv2)); // x1 denominator (RFC's exceptional case: Z)
  const den2 = (xDen * xDen) % P;
  const den3 = (den2 * xDen) % P;
  // g(x1) = gxNum / den3 with gxNum = tv3^3 + A·tv3·xDen^2 + B·xDen^3.
  const gxNum = mod(((tv3 * tv3) % P + A * den2) % P * tv3 + B * den3);
  const { isSquare: gx1IsSquare, root } = sqrtRatio(gxNum, den3);
  let xNum: bigint;
  let y: bigint;
  if (gx1IsSquare) {
    xNum = tv3;
    y = root;
  } else {
    xNum = (tv1 * tv3) % P; // x2 = Z·u^2·x1
    y = (((((tv1 * u) % P) * root) % P) * SQRT_MINUS_Z) % P; // sqrt(g(x2)) = Z·u^3·sqrt(-g(x1))·sqrt(-Z)
  }
  if ((u & 1n) !== (y & 1n)) y = mod(-y); // sgn0(y) = sgn0(u)
  return { xNum, xDen, y };
}

/**
 * Which of a point's preimages comes j-th, decided from x = xNum/xDen alone with Jacobi symbols and at most
 * one square root (no inversion), in the order of sswuPreimages. With c = -A·x/B and s1 = sqrt((c+3)/(c-1))
 * (the square one, as Fp.sqrt gives), the four candidates are
 *   x1 branch: w = (-1 ± s1)/2;    x2 branch: w = (c-1)(1 ± σ·s1)/2,   σ = (c-1 | p)
 * (the x2 branch's roots are -(c-1) times the x1 branch's; its discriminant (c-1)(c+3) = (c-1)^2·D1 has the
 * square root σ·s1·(c-1)). A candidate is a preimage exactly when w is a non-square: u^2 = w/Z needs it (Z is
 * a non-square), and on the x2 branch g(x/w) = g(x)/w^3 = y^2/w^3 is then a non-square as the map requires.
 * Products of roots give the rest: x1 roots multiply to -1/(c-1), so σ = 1 means exactly one x1 root and
 * (as the x2 roots are -(c-1)·w) exactly one x2 root: t = 2; σ = -1 means all four or none: t = 4 or 0.
 * And no candidate exists unless (c-1)(c+3) is a square.
 *
 * Returns 'none' when the point has <= j preimages, 'exceptional' when c = 1 or c = -3 (where roots
 * coincide or w = 0; neither x = B/3 nor x = -B is on P-256, a test pins it, but the caller still falls back
 * to sswuPreimages), else the branch and ±s1 for sswuPreimageFrom to finish once the caller has the affine
 * point. elligator-squared.test.ts holds this to sswuPreimages for every j on random points.
 */
export type PreimageChoice = 'none' | 'exceptional' | { branch: 1 | 2; signedS1: bigint };

export function sswuChoosePreimage(xNum: bigint, xDen: bigint, j: number): PreimageChoice {
  const kx = (MINUS_A_OVER_B * xNum) % P; // c = kx / xDen
  const cMinus1 = mod(kx - xDen); // (c - 1)·xDen
  const cPlus3 = (kx + 3n * xDen) % P; // (c + 3)·xDen
  const discriminant = jacobi(cMinus1 * cPlus3); // (c-1)(c+3) up to the square xDen^2
  if (discriminant === 0) return 'exceptional';
  if (discriminant === -1) return 'none';
  const sigma = jacobi(cMinus1 * xDen); // (c - 1 | p)
  if (sigma === 1 && j >= 2) return 'none';
  const s1 = sqrtRatio(cPlus3, cMinus1).root; // sqrt((c+3)/(c-1)), the square root Fp.sqrt would give
  const firstIsPreimage = jacobi(s1 - 1n) === -1; // w = (-1 + s1)/2 is a non-square (2 is a square mod p)
  if (sigma === 1) {
    // Preimages: (w1+, w2+) if w1+ qualifies, else (w1-, w2-); w2± = (c-1)(1 ± s1)/2.
    return { branch: j === 0 ? 1 : 2, signedS1: firstIsPreimage ? s1 : mod(-s1) };
  }
  if (!firstIsPreimage) return 'none';
  // All four, in order: (-1 + s1)/2, (-1 - s1)/2, (c-1)(1 - s1)/2, (c-1)(1 + s1)/2.
  const plus = j === 0 || j === 3;
  return { branch: j < 2 ? 1 : 2, signedS1: plus ? s1 : mod(-s1) };
}

/** The preimage u a choice from sswuChoosePreimage names, for the affine point (x, y) it was made for. */
export function sswuPreimageFrom(choice: { branch: 1 | 2; signedS1: bigint }, x: bigint, y: bigint): bigint {
  const w =
    choice.branch === 1
      ? ((choice.signedS1 - 1n) * HALF) % P
      : (((mod(MINUS_A_OVER_B * x - 1n) * (choice.signedS1 + 1n)) % P) * HALF) % P;
  const u = sqrtUnchecked((w * INV_Z) % P);
  return (u & 1n) === (y & 1n) ? u : mod(-u);
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
