/**
 * Elligator Squared over P-256 (M. Tibouchi, "Elligator Squared: Uniform Points on Elliptic Curves of Prime
 * Order as Uniform Random Strings", FC 2014), with f = the simplified SWU map (elligator-sswu.ts).
 *
 * A point P is written as two field elements (u1, u2) with f(u1) + f(u2) = P, drawn so that (u1, u2) is
 * statistically close to uniform in F_p^2 when P is a uniform point (Tibouchi, Theorem 1; f is a
 * well-bounded encoding with at most d = 4 preimages per point). Encoding (Tibouchi §3, Algorithm 1):
 *   loop: u1 <- F_p uniform; Q = P - f(u1); t = #f^-1(Q); with probability t/4 return (u1, a uniform
 *   element of f^-1(Q)).  Expected iterations: about 4 / E[t] ≈ 4.4 on P-256 (E[t] ≈ 0.9, measured).
 * Decoding: f(u1) + f(u2).
 *
 * Wire form: u1 || u2, each 32 bytes big-endian (SEC 1 §2.3.5). Both are < p, so an encoding never has a
 * half >= p, whereas 32 uniform bytes are >= p with probability (2^256 - p)/2^256 ≈ 2^-32: one bias of
 * ~2^-31 per 64-byte encoding, which an observer would need ~2^31 encodings to notice. Accepted.
 *
 * Randomness comes from the injected Rng (never from inside), so a seeded run encodes byte for byte alike.
 */
import type { Rng } from '../runtime/rng.ts';
import { bigIntToBytes, bytesToBigInt } from './bytes.ts';
import { sswuPoint, sswuPreimages } from './elligator-sswu.ts';
import { decodePoint, Point, PUBLIC_KEY_BYTES } from './p256.ts';
import { CryptoError } from './suite.ts';

export const FIELD_BYTES = 32;
/** u1 || u2. */
export const ELLIGATOR_SQUARED_BYTES = 2 * FIELD_BYTES;
/** Tibouchi's d: the most preimages a point has under SSWU. */
const MAX_PREIMAGES = 4;
/** A loop bound that honest encoding never meets (it ends after ~4.4 rounds; 512 fail with prob < 2^-80). */
const MAX_ROUNDS = 512;

const P = Point.Fp.ORDER;

/** A uniform element of F_p: 32 random bytes, redrawn while >= p (probability ~2^-32). */
export function randomFieldElement(rng: Rng): bigint {
  for (;;) {
    const u = bytesToBigInt(rng.bytes(FIELD_BYTES));
    if (u < P) return u;
  }
}

/** Encodes a 33-byte SEC 1 compressed point as 64 uniform-looking bytes. Throws CryptoError on a bad point. */
export function elligatorSquaredEncode(publicKey: Uint8Array, rng: Rng): Uint8Array {
  const point = decodePoint(publicKey, 'point to encode');
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const u1 = randomFieldElement(rng);
    const rest = point.subtract(sswuPoint(u1));
    if (rest.is0()) continue; // f never outputs the identity
    const { x, y } = rest.toAffine();
    // Accept with probability t/4 and pick uniformly among the t: draw j in [0, 4) and keep the j-th preimage
    // (fixed order) if there are more than j. Only the first j + 1 are computed.
    const j = rng.int(MAX_PREIMAGES);
    const preimages = sswuPreimages(x, y, j + 1);
    if (j >= preimages.length) continue;
    const out = new Uint8Array(ELLIGATOR_SQUARED_BYTES);
    out.set(bigIntToBytes(u1, FIELD_BYTES), 0);
    out.set(bigIntToBytes(preimages[j], FIELD_BYTES), FIELD_BYTES);
    return out;
  }
  throw new CryptoError('bad-point', `Elligator Squared found no encoding in ${MAX_ROUNDS} rounds`);
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
  const sum = sswuPoint(u1).add(sswuPoint(u2));
  if (sum.is0()) throw new CryptoError('bad-point', 'Elligator Squared encoding of the identity');
  const out = sum.toBytes(true);
  if (out.length !== PUBLIC_KEY_BYTES) throw new CryptoError('bad-point', 'unexpected point encoding');
  return out;
}
