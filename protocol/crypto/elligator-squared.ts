/**
 * Elligator Squared over P-256 (M. Tibouchi, "Elligator Squared: Uniform Points on Elliptic Curves of Prime
 * Order as Uniform Random Strings", FC 2014), with f = the simplified SWU map (elligator-sswu.ts).
 *
 * A point P is written as two field elements (u1, u2) with f(u1) + f(u2) = P, drawn so that (u1, u2) is
 * statistically close to uniform in F_p^2 when P is a uniform point (Tibouchi, Theorem 1; f is a
 * well-bounded encoding with at most d = 4 preimages per point). Encoding (Tibouchi §3, Algorithm 1):
 *   loop: u1 <- F_p uniform; Q = P - f(u1); t = #f^-1(Q); with probability t/4 return (u1, a uniform
 *   element of f^-1(Q)).  Expected iterations: 4 / E[t] = 4, as E[t] = p / #E ≈ 1 (every u has one image;
 *   3.92 rounds measured over 4,000 encodings). Decoding: f(u1) + f(u2).
 *
 * Cost (see encodeRound and sumOfMaps): per encoding ~7.5 fixed-exponent powers (4 SSWU maps, 1.5 square
 * roots to find the chosen preimage, 1 for u2, 1 to decompress P unless point-cache.ts knows P, as it does
 * a fresh nodeSuite key), ~7.5 Jacobi symbols and 1 inversion; per decoding 2 powers and 1 inversion. Under
 * Node the powers run on OpenSSL (openssl-power.ts): about 0.5-0.65 ms and 0.15-0.2 ms on a shared 2-core
 * EPYC (BigInt powers: 1.0-1.1 ms and 0.3 ms; the straightforward reference paths here: 1.8-2.5 ms and
 * 0.35-0.4 ms). The decoder records the point it computed in point-cache.ts for the ECDH/ECMQV that follow.
 *
 * Timing side channels, honestly: nothing here is constant-time. The number of rounds and, within a round,
 * whether square roots are taken depend on the discarded draws and on P, and V8 BigInt arithmetic and the
 * Jacobi symbol's loop take input-dependent time. No secret scalar is involved (only the public point, which
 * the encoding hides from passive observers of the bytes, not from someone timing the encoder). A simulator
 * accepts this; a hardened node would need constant-time field code and a fixed-work encoder.
 *
 * Wire form: u1 || u2, each 32 bytes big-endian (SEC 1 §2.3.5). Both are < p, so an encoding never has a
 * half >= p, whereas 32 uniform bytes are >= p with probability (2^256 - p)/2^256 ≈ 2^-32: one bias of
 * ~2^-31 per 64-byte encoding, which an observer would need ~2^31 encodings to notice. Accepted.
 *
 * Randomness comes from the injected Rng (never from inside), so a seeded run encodes byte for byte alike.
 */
import type { Rng } from '../runtime/rng.ts';
import { bigIntToBytes, bytesToBigInt } from './bytes.ts';
import { sswuChoosePreimage, sswuFraction, sswuPoint, sswuPreimageFrom, sswuPreimages } from './elligator-sswu.ts';
import { mod, sqrtUnchecked } from './p256-field.ts';
import { knownPointOf, lookupPoint, pointKey, rememberPoint } from './point-cache.ts';
import { assertCompressedEncoding, decodePoint, Point, PUBLIC_KEY_BYTES, xFromCompressed } from './p256.ts';
import { CryptoError } from './suite.ts';

export const FIELD_BYTES = 32;
/** u1 || u2. */
export const ELLIGATOR_SQUARED_BYTES = 2 * FIELD_BYTES;
/** Tibouchi's d: the most preimages a point has under SSWU. */
const MAX_PREIMAGES = 4;
/** A loop bound that honest encoding never meets (it ends after ~4 rounds; 512 fail with prob ~2^-212). */
const MAX_ROUNDS = 512;

const Fp = Point.Fp;
const P = Fp.ORDER;
const CURVE_B = Point.CURVE().b;

/** A uniform element of F_p: 32 random bytes, redrawn while >= p (probability ~2^-32). */
export function randomFieldElement(rng: Rng): bigint {
  for (;;) {
    const u = bytesToBigInt(rng.bytes(FIELD_BYTES));
    if (u < P) return u;
  }
}

/**
 * SEC 1 §2.3.4 point decompression with p256-field's square root (~35-75 µs against ~130 µs in @noble's
 * fromBytes): the same acceptance as decodePoint, i.e. prefix 02/03, x < p, x^3 - 3x + b a square. (y = 0
 * cannot occur: P-256 has prime order, so no point of order 2.)
 */
function decompress(publicKey: Uint8Array): { x: bigint; y: bigint } {
  assertCompressedEncoding(publicKey, 'point to encode');
  const known = lookupPoint(pointKey(publicKey)); // a fresh ephemeral key usually is (point-cache.ts)
  if (known) return known;
  const x = xFromCompressed(publicKey);
  const rhs = x < P ? mod((x * x - 3n) * x + CURVE_B) : 0n;
  const root = sqrtUnchecked(rhs);
  if (x >= P || (root * root) % P !== rhs) throw new CryptoError('bad-point', 'point to encode is not a point on P-256');
  return { x, y: (root & 1n) === BigInt(publicKey[0] & 1) ? root : P - root };
}

/** Encodes a 33-byte SEC 1 compressed point as 64 uniform-looking bytes. Throws CryptoError on a bad point. */
export function elligatorSquaredEncode(publicKey: Uint8Array, rng: Rng): Uint8Array {
  const { x, y } = decompress(publicKey);
  return encodeByRounds(rng, (u1) => encodeRound(x, y, u1, rng));
}

/** Tibouchi's loop: fresh u1 until a round returns u2, then u1 || u2. */
function encodeByRounds(rng: Rng, round: (u1: bigint) => bigint | undefined): Uint8Array {
  for (let i = 0; i < MAX_ROUNDS; i++) {
    const u1 = randomFieldElement(rng);
    const u2 = round(u1);
    if (u2 === undefined) continue;
    const out = new Uint8Array(ELLIGATOR_SQUARED_BYTES);
    out.set(bigIntToBytes(u1, FIELD_BYTES), 0);
    out.set(bigIntToBytes(u2, FIELD_BYTES), FIELD_BYTES);
    return out;
  }
  throw new CryptoError('bad-point', `Elligator Squared found no encoding in ${MAX_ROUNDS} rounds`);
}

/**
 * One round of Tibouchi's Algorithm 1 for u1: Q = P - f(u1); draw j in [0, 4); return the j-th preimage of Q
 * (fixed order), or undefined when Q has <= j of them. That accepts with probability t/4 and picks uniformly
 * among the t preimages.
 *
 * Fast path (same result and same Rng draws as encodeRoundReference, which a test holds it to): Q's x is
 * kept as a fraction, the preimage count comes from Jacobi symbols (sswuChoosePreimage), and the one
 * inversion (Q's affine x and y) and the second square root (u2) are paid only in the accepted round. Per
 * encoding that is ~4 SSWU maps, ~1.5 extra square roots, ~7.5 Jacobi symbols and 1 inversion, where the
 * reference pays an inversion per round and several square roots per preimage.
 */
function encodeRound(px: bigint, py: bigint, u1: bigint, rng: Rng): bigint | undefined {
  const f = sswuFraction(u1);
  // Q = P + (-F): lambda = (py + yF)/(px - xF) = m·xDen/den with den = px·xDen - xNum.
  const den = mod(px * f.xDen - f.xNum);
  if (den === 0n) return encodeRoundReference(Point.fromAffine({ x: px, y: py }), u1, rng); // F = ±P, ~2^-254
  const m = (py + f.y) % P;
  // xQ = lambda^2 - px - xF = [m^2·xDen^3 - (px·xDen + xNum)·den^2] / (den^2·xDen)
  const den2 = (den * den) % P;
  const xDen3 = (((f.xDen * f.xDen) % P) * f.xDen) % P;
  const xqNum = mod(((m * m) % P) * xDen3 - ((px * f.xDen + f.xNum) % P) * den2);
  const xqDen = (den2 * f.xDen) % P;
  const j = rng.int(MAX_PREIMAGES);
  const choice = sswuChoosePreimage(xqNum, xqDen, j);
  if (choice === 'none') return undefined;
  // Accepted (or exceptional): Q in affine coordinates with one inversion, inv = 1/(den·xDen).
  const inv = Fp.inv((den * f.xDen) % P);
  const xq = (((xqNum * inv) % P) * ((inv * f.xDen) % P)) % P; // 1/xqDen = inv^2·xDen
  const lambda = (((m * ((f.xDen * f.xDen) % P)) % P) * inv) % P; // m·xDen/den = m·xDen^2·inv
  const yq = mod(lambda * mod(px - xq) - py);
  if (choice === 'exceptional') return sswuPreimages(xq, yq, j + 1)[j];
  return sswuPreimageFrom(choice, xq, yq);
}

/**
 * The encoder as first written, one encodeRoundReference at a time: the oracle the fast encoder is tested
 * against (same bytes, same Rng draws) and the bench's baseline.
 */
export function elligatorSquaredEncodeReference(publicKey: Uint8Array, rng: Rng): Uint8Array {
  const point = decodePoint(publicKey, 'point to encode');
  return encodeByRounds(rng, (u1) => encodeRoundReference(point, u1, rng));
}

/** encodeRound as first written, with @noble points and the affine inverse: the oracle for the fast path. */
export function encodeRoundReference(point: Point, u1: bigint, rng: Rng): bigint | undefined {
  const rest = point.subtract(sswuPoint(u1));
  if (rest.is0()) return undefined; // f never outputs the identity
  const { x, y } = rest.toAffine();
  const j = rng.int(MAX_PREIMAGES);
  return sswuPreimages(x, y, j + 1)[j];
}

/**
 * Decodes 64 bytes to the 33-byte compressed point f(u1) + f(u2). Throws CryptoError('bad-point') when a
 * half is not a canonical field element (>= p) or the sum is the identity (possible only for crafted input).
 */
export function elligatorSquaredDecode(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== ELLIGATOR_SQUARED_BYTES) {
    throw new CryptoError('bad-point', `Elligator Squared encoding must be ${ELLIGATOR_SQUARED_BYTES} bytes`);
  }
  const u1 = bytesToBigInt(bytes.subarray(0, FIELD_BYTES));
  const u2 = bytesToBigInt(bytes.subarray(FIELD_BYTES));
  if (u1 >= P || u2 >= P) throw new CryptoError('bad-point', 'Elligator Squared half is not below p');
  return sumOfMaps(u1, u2);
}

/**
 * f(u1) + f(u2) as a compressed point, from the two maps with x kept as fractions and one inversion for the
 * whole affine addition (@noble's maps and projective addition pay three). x1 = x2 (doubling, or the
 * identity for crafted input) goes to sumOfMapsReference.
 */
function sumOfMaps(u1: bigint, u2: bigint): Uint8Array {
  const f1 = sswuFraction(u1);
  const f2 = sswuFraction(u2);
  const dxNum = mod(f2.xNum * f1.xDen - f1.xNum * f2.xDen); // (x2 - x1)·xDen1·xDen2
  if (dxNum === 0n) return sumOfMapsReference(u1, u2);
  const dens = (f1.xDen * f2.xDen) % P;
  const inv = Fp.inv((dens * dxNum) % P);
  const invDens = (inv * dxNum) % P;
  const x1 = (((f1.xNum * f2.xDen) % P) * invDens) % P;
  const x2 = (((f2.xNum * f1.xDen) % P) * invDens) % P;
  const lambda = (((mod(f2.y - f1.y) * dens) % P) * ((inv * dens) % P)) % P; // (y2 - y1)/(x2 - x1)
  const x3 = mod(lambda * lambda - x1 - x2);
  const y3 = mod(lambda * (x1 - x3) - f1.y);
  const out = new Uint8Array(PUBLIC_KEY_BYTES);
  out[0] = y3 & 1n ? 0x03 : 0x02;
  out.set(bigIntToBytes(x3, FIELD_BYTES), 1);
  rememberPoint(pointKey(out), knownPointOf(x3, y3)); // the receiver's ECDH and ECMQV on it next
  return out;
}

/** f(u1) + f(u2) with @noble's map and points: the oracle for sumOfMaps, and its fallback for x1 = x2. */
export function sumOfMapsReference(u1: bigint, u2: bigint): Uint8Array {
  const sum = sswuPoint(u1).add(sswuPoint(u2));
  if (sum.is0()) throw new CryptoError('bad-point', 'Elligator Squared encoding of the identity');
  const out = sum.toBytes(true);
  if (out.length !== PUBLIC_KEY_BYTES) throw new CryptoError('bad-point', 'unexpected point encoding');
  return out;
}
