/**
 * Per-period key blinding, Tor rend-spec-v3 §2.2.1 ("key blinding") on P-256 instead of Ed25519.
 *
 * An account's long-lived key pair (a, A = a·G) never appears in the DHT. For each time period the owner and
 * anyone who knows A derive
 *   h  = int(SHA-256("paratox/v1/blind" || A || period_u64)) mod n        (must be non-zero)
 *   A' = h·A              the blinded public key: descriptors are stored under and signed by it
 *   a' = h·a mod n        the blinded private key, held by the owner only (a'·G = h·a·G = h·A = A')
 * and the descriptor's DHT key SHA-256("paratox/v1/desc" || A'). A storer sees A' only; without A it cannot
 * compute h, so it can neither link A' to A nor link the A' of two periods (each is h·A for an unknown h and,
 * to someone without A, indistinguishable from a random point: rend-spec-v3 Appendix A.2, the same argument as
 * for Ed25519 with cofactor 1). period = floor(nowMs / periodMs); periodMs is a network-wide constant.
 */
import { bigIntToBytes, bytesToBigInt, concatBytes, utf8 } from '../crypto/bytes.ts';
import { P256_N, Point, SCALAR_BYTES, decodePoint, scalarFromBytes } from '../crypto/p256.ts';
import { CryptoError, type CryptoSuite, type KeyPair } from '../crypto/suite.ts';
import { BLIND_LABEL, DESCRIPTOR_KEY_LABEL } from './constants.ts';

const BLIND_LABEL_BYTES = utf8(BLIND_LABEL);
const DESCRIPTOR_KEY_LABEL_BYTES = utf8(DESCRIPTOR_KEY_LABEL);

/** The period number of `nowMs`: floor(nowMs / periodMs). */
export function periodOf(nowMs: number, periodMs: number): number {
  return Math.floor(nowMs / periodMs);
}

/** Start of period `period` in clock milliseconds. */
export function periodStartMs(period: number, periodMs: number): number {
  return period * periodMs;
}

/** period as an unsigned 64-bit big-endian integer. */
export function periodBytes(period: number): Uint8Array {
  if (!Number.isSafeInteger(period) || period < 0) throw new RangeError(`period must be a non-negative safe integer, got ${period}`);
  return bigIntToBytes(BigInt(period), 8);
}

/**
 * The blinding factor h for (A, period). Throws CryptoError('bad-point') when A is not a valid point and
 * CryptoError('bad-scalar') when h = 0 (probability 2^-256; a key with h = 0 has no descriptor that period).
 */
export function blindingFactor(suite: Pick<CryptoSuite, 'sha256'>, accountPub: Uint8Array, period: number): bigint {
  decodePoint(accountPub, 'account key');
  const h = bytesToBigInt(suite.sha256(concatBytes(BLIND_LABEL_BYTES, accountPub, periodBytes(period)))) % P256_N;
  if (h === 0n) throw new CryptoError('bad-scalar', 'blinding factor is zero');
  return h;
}

/** A' = h·A, SEC 1 compressed. A' and h are public (known to anyone who knows A): variable-time is fine. */
export function blindPublicKey(suite: Pick<CryptoSuite, 'sha256'>, accountPub: Uint8Array, period: number): Uint8Array {
  const h = blindingFactor(suite, accountPub, period);
  return decodePoint(accountPub, 'account key').multiply(h).toBytes(true);
}

/** The blinded key pair (a' = h·a mod n, A' = a'·G) of `account` for `period`. */
export function blindKeyPair(suite: Pick<CryptoSuite, 'sha256'>, account: KeyPair, period: number): KeyPair {
  const h = blindingFactor(suite, account.publicKey, period);
  const blinded = (h * scalarFromBytes(account.privateKey)) % P256_N; // h, a in [1, n-1], n prime: never 0
  // Constant-time multiply: a' is secret.
  return { privateKey: bigIntToBytes(blinded, SCALAR_BYTES), publicKey: Point.BASE.multiply(blinded).toBytes(true) };
}

/** DHT key of the descriptor published under blinded key A': SHA-256("paratox/v1/desc" || A'). */
export function descriptorKey(suite: Pick<CryptoSuite, 'sha256'>, blindedPub: Uint8Array): Uint8Array {
  return suite.sha256(concatBytes(DESCRIPTOR_KEY_LABEL_BYTES, blindedPub));
}

/** What a client needs to look an account up for one period. */
export interface BlindedLookup {
  readonly period: number;
  readonly blindedPub: Uint8Array;
  readonly key: Uint8Array;
}

export function blindedLookup(suite: Pick<CryptoSuite, 'sha256'>, accountPub: Uint8Array, period: number): BlindedLookup {
  const blindedPub = blindPublicKey(suite, accountPub, period);
  return { period, blindedPub, key: descriptorKey(suite, blindedPub) };
}
