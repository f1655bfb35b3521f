/**
 * P-256 facts and input checks shared by every back end, so that both suites accept and reject exactly the
 * same inputs with the same CryptoError codes (the back-end equivalence tests rely on it).
 *
 * Curve parameters: FIPS 186-5 / SEC 2 §2.4.2 (secp256r1). Encodings: SEC 1 v2 §2.3.3 (compressed point),
 * §2.3.7 (integer to octet string, 32 bytes big-endian).
 */
import { p256 } from '@noble/curves/nist.js';
import type { Rng } from '../runtime/rng.ts';
import { bytesToBigInt } from './bytes.ts';
import { CryptoError } from './suite.ts';

/** Field prime p. */
export const P256_P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
/** Group order n (prime). */
export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
/** Cofactor h = 1: every point other than infinity has order n, so on-curve implies in-subgroup. */
export const P256_H = 1n;
export const SCALAR_BYTES = 32;
export const PUBLIC_KEY_BYTES = 33;
export const SIGNATURE_BYTES = 64;

/** The @noble projective point type, for modules that do point arithmetic. */
export const Point = p256.Point;
export type Point = InstanceType<typeof p256.Point>;

/** Parses a private key: 32 bytes big-endian, value in [1, n-1] (SP 800-56A §5.6.1.2.1). */
export function scalarFromBytes(privateKey: Uint8Array): bigint {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== SCALAR_BYTES) {
    throw new CryptoError('bad-scalar', `private key must be ${SCALAR_BYTES} bytes`);
  }
  const d = bytesToBigInt(privateKey);
  if (d === 0n || d >= P256_N) throw new CryptoError('bad-scalar', 'private key out of range [1, n-1]');
  return d;
}

/**
 * Checks the SEC 1 compressed encoding shape only (33 bytes, prefix 0x02 or 0x03). Whether x is on the
 * curve is each back end's job (noble: fromBytes; OpenSSL: point decoding), equally strict.
 */
export function assertCompressedEncoding(publicKey: Uint8Array, what = 'public key'): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) {
    throw new CryptoError('bad-point', `${what} must be a ${PUBLIC_KEY_BYTES}-byte compressed point`);
  }
  if (publicKey[0] !== 0x02 && publicKey[0] !== 0x03) {
    throw new CryptoError('bad-point', `${what} must start with 0x02 or 0x03 (compressed)`);
  }
}

/**
 * Decodes a peer public key with SP 800-56A §5.6.2.3.4 partial validation: x < p, y recovered from the
 * curve equation (so the point is on the curve), not the point at infinity. With h = 1 this is also full
 * validation (§5.6.2.3.3 step 4, n·Q = O, holds for every finite point on the curve).
 */
export function decodePoint(publicKey: Uint8Array, what = 'public key'): Point {
  assertCompressedEncoding(publicKey, what);
  let point: Point;
  try {
    point = Point.fromBytes(publicKey);
  } catch {
    throw new CryptoError('bad-point', `${what} is not a point on P-256`);
  }
  if (point.is0()) throw new CryptoError('bad-point', `${what} is the point at infinity`);
  return point;
}

/** The x-coordinate of a compressed point, read straight from its encoding (no square root needed). */
export function xFromCompressed(publicKey: Uint8Array): bigint {
  return bytesToBigInt(publicKey.subarray(1, PUBLIC_KEY_BYTES));
}

/** ceil(f/2) for f = ceil(log2 n) = 256 (SP 800-56A §5.7.2.2). */
const AVF_HALF_BITS = 128n;
const AVF_TOP = 1n << AVF_HALF_BITS;

/**
 * SP 800-56A §5.7.2.2 associate value function: avf(Q) = (x mod 2^ceil(f/2)) + 2^ceil(f/2), with x the
 * x-coordinate of Q converted to an integer. For P-256 it is a 129-bit value in [2^128, 2^129): never 0 or
 * ±1 mod n, which the node back end relies on.
 */
export function associateValue(x: bigint): bigint {
  return (x & (AVF_TOP - 1n)) + AVF_TOP;
}

/**
 * Draws a private key from `rng`: 32 bytes, rejected and redrawn while 0 or >= n (FIPS 186-5 A.2.2
 * "rejection sampling"). Both back ends call this, so the same rng stream gives the same key. A redraw
 * happens with probability about 2^-32 per draw.
 */
export function drawPrivateKey(rng: Rng): Uint8Array {
  for (;;) {
    const candidate = rng.bytes(SCALAR_BYTES);
    const d = bytesToBigInt(candidate);
    if (d !== 0n && d < P256_N) return candidate;
  }
}

/** SP 800-56A §5.7.2.3 step 1: implicit signature s = (de + avf(Qe)·ds) mod n. */
export function implicitSignature(staticPrivate: bigint, ephemeralPrivate: bigint, ownEphemeralPub: Uint8Array): bigint {
  return (ephemeralPrivate + associateValue(xFromCompressed(ownEphemeralPub)) * staticPrivate) % P256_N;
}

/** True when s is in the upper half of [1, n-1]: such ECDSA signatures are malleable and we reject them. */
export function isHighS(s: bigint): boolean {
  return s > P256_N >> 1n;
}
