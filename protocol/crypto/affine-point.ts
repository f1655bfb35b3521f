/**
 * The few affine P-256 point operations nodeSuite's ECMQV does between its OpenSSL multiplications, on plain
 * bigints (p256-field.ts): one inversion per MQV instead of @noble's projective additions plus its toAffine
 * and point validation on encoding. Public points only (the secret scalar never comes here).
 */
import { bigIntToBytes } from './bytes.ts';
import { mod, sqrtUnchecked } from './p256-field.ts';
import { Point, P256_P } from './p256.ts';

const P = P256_P;
const B = Point.CURVE().b;
const Fp = Point.Fp;

export interface AffinePoint {
  readonly x: bigint;
  readonly y: bigint;
}

/**
 * The point with x-coordinate x and even y (SEC 1 §2.3.4 with prefix 02), or undefined when x is not the
 * x-coordinate of a point (x^3 - 3x + b a non-square). x in [0, p).
 */
export function pointWithX(x: bigint): AffinePoint | undefined {
  const rhs = mod((x * x - 3n) * x + B);
  const root = sqrtUnchecked(rhs);
  if ((root * root) % P !== rhs) return undefined;
  return { x, y: root & 1n ? P - root : root };
}

/**
 * x(a + b) == x without an inversion, for a != ±b (distinct x): with dx = xb - xa, dy = yb - ya,
 * x(a + b) = dy^2/dx^2 - xa - xb, so the test is dy^2 == (x + xa + xb)·dx^2.
 */
export function sumHasX(a: AffinePoint, b: AffinePoint, x: bigint): boolean {
  const dx = mod(b.x - a.x);
  const dy = mod(b.y - a.y);
  return (dy * dy) % P === (((x + a.x + b.x) % P) * ((dx * dx) % P)) % P;
}

export function negate(a: AffinePoint): AffinePoint {
  return { x: a.x, y: a.y === 0n ? 0n : P - a.y };
}

/** a + b in affine coordinates (one inversion); undefined for the point at infinity (b = -a). */
export function affineAdd(a: AffinePoint, b: AffinePoint): AffinePoint | undefined {
  if (a.x === b.x) {
    if (a.y !== b.y || a.y === 0n) return undefined; // b = -a
    const sum = Point.fromAffine(a).double(); // the rare doubling: @noble's formula
    return sum.is0() ? undefined : sum.toAffine();
  }
  const lambda = (mod(b.y - a.y) * Fp.inv(mod(b.x - a.x))) % P;
  const x = mod(lambda * lambda - a.x - b.x);
  return { x, y: mod(lambda * (a.x - x) - a.y) };
}

/** SEC 1 §2.3.3 uncompressed octets 04 || x || y, the form OpenSSL takes without a square root. */
export function uncompressedOctets(a: AffinePoint): Uint8Array {
  const out = new Uint8Array(65);
  out[0] = 0x04;
  out.set(bigIntToBytes(a.x, 32), 1);
  out.set(bigIntToBytes(a.y, 32), 33);
  return out;
}
