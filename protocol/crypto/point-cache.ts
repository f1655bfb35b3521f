/**
 * P-256 points whose decompression this process already knows, by their SEC 1 compressed encoding: a memo
 * of a pure function (decompression), so reading it never changes a result, only skips a square root.
 *
 * Writers know the affine point for free or have just paid for it: nodeSuite's key generation (OpenSSL gives
 * the uncompressed key too), its decompression in OpenSSL (also the verdict "not a point", as null), and the
 * Elligator Squared decoder (its sum is computed affine). Readers: nodeSuite's ECDH and ECMQV (OpenSSL takes
 * 04 || x || y without a square root) and the Elligator Squared encoder (the point it encodes was generated
 * a moment before). A handshake meets each ephemeral key three to five times and each static key on every
 * handshake with that peer. Bounded: the oldest entry goes first.
 */
import { uncompressedOctets } from './affine-point.ts';
import { bytesToBigInt, toHex } from './bytes.ts';

export interface KnownPoint {
  readonly x: bigint;
  readonly y: bigint;
  /** SEC 1 §2.3.3 uncompressed octets, 04 || x || y. */
  readonly octets: Uint8Array;
}

export const POINT_CACHE_MAX = 1024;
const known = new Map<string, KnownPoint | null>();

/** The cache key of a compressed encoding. */
export function pointKey(compressed: Uint8Array): string {
  return toHex(compressed);
}

/** The point, null when the encoding is known not to be a point, undefined when not known. */
export function lookupPoint(key: string): KnownPoint | null | undefined {
  return known.get(key);
}

/** Records `point` (null: not a point) for the encoding with this key; the caller vouches for it. */
export function rememberPoint(key: string, point: KnownPoint | null): void {
  if (known.has(key)) return;
  if (known.size >= POINT_CACHE_MAX) known.delete(known.keys().next().value as string);
  known.set(key, point);
}

/** A KnownPoint from SEC 1 uncompressed octets 04 || x || y that OpenSSL produced (so already validated). */
export function knownPointFromOctets(octets: Uint8Array): KnownPoint {
  return { octets, x: bytesToBigInt(octets.subarray(1, 33)), y: bytesToBigInt(octets.subarray(33, 65)) };
}

/** A KnownPoint from affine coordinates in [0, p). */
export function knownPointOf(x: bigint, y: bigint): KnownPoint {
  return { x, y, octets: uncompressedOctets({ x, y }) };
}
