/**
 * 256-bit DHT keys and the XOR metric (Kademlia §2.1). A node's key is SHA-256 of its 33-byte compressed
 * P-256 public key; the same function as protocol/crypto's `dhtKeyOf(suite, pub)`, repeated here over the
 * narrow `sha256` capability so the DHT depends on the CryptoSuite interface only.
 *
 * Bucket numbering follows libp2p's kbucket: a key's bucket index is its common-prefix length (cpl) with our own
 * key, so index 0 covers the farther half of the key space and index i covers distances in [2^(255-i), 2^(256-i)).
 * (The paper numbers the same buckets 255 - cpl.)
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import type { CryptoSuite } from '../crypto/suite.ts';
import { hexKey } from '../runtime/hex-key.ts';
import type { Rng } from '../runtime/rng.ts';
import { KEY_BITS, KEY_BYTES } from './constants.ts';

/** A 32-byte key: a node id or the storage key of a record. */
export type DhtKey = Uint8Array;

/** SHA-256 of the compressed public key: the node's DHT id (must equal protocol/crypto's `dhtKeyOf`). */
export function keyOfNodePub(suite: Pick<CryptoSuite, 'sha256'>, nodePub: Uint8Array): DhtKey {
  return suite.sha256(nodePub);
}

export function isKey(value: Uint8Array): boolean {
  return value.length === KEY_BYTES;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const keysEqual = bytesEqual;

/** a XOR b as a fresh key. */
export function xorDistance(a: DhtKey, b: DhtKey): DhtKey {
  const out = new Uint8Array(KEY_BYTES);
  for (let i = 0; i < KEY_BYTES; i++) out[i] = a[i] ^ b[i];
  return out;
}

/** Lexicographic (= numeric big-endian) order of two keys or distances: -1, 0 or 1. */
export function compareKeys(a: DhtKey, b: DhtKey): number {
  for (let i = 0; i < KEY_BYTES; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** Orders `a` and `b` by XOR distance to `target` without allocating: negative when `a` is closer. */
export function compareDistance(target: DhtKey, a: DhtKey, b: DhtKey): number {
  for (let i = 0; i < KEY_BYTES; i++) {
    const da = a[i] ^ target[i];
    const db = b[i] ^ target[i];
    if (da !== db) return da < db ? -1 : 1;
  }
  return 0;
}

/** Number of leading bits `a` and `b` share, in [0, 256]. */
export function commonPrefixLength(a: DhtKey, b: DhtKey): number {
  for (let i = 0; i < KEY_BYTES; i++) {
    const x = a[i] ^ b[i];
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return KEY_BITS;
}

/** Bucket of `key` in the table of `selfKey`: its cpl, in [0, 255]; -1 for our own key (never stored). */
export function bucketIndex(selfKey: DhtKey, key: DhtKey): number {
  const cpl = commonPrefixLength(selfKey, key);
  return cpl === KEY_BITS ? -1 : cpl;
}

/**
 * A uniformly random key in bucket `index` of `selfKey`'s table: it shares the first `index` bits with
 * `selfKey`, differs at bit `index`, and the remaining bits come from `rng` (used for bucket refresh, §2.3).
 */
export function randomKeyInBucket(selfKey: DhtKey, index: number, rng: Rng): DhtKey {
  if (!Number.isInteger(index) || index < 0 || index >= KEY_BITS) {
    throw new RangeError(`randomKeyInBucket: index must be an integer in [0, ${KEY_BITS - 1}], got ${index}`);
  }
  const key = rng.bytes(KEY_BYTES);
  const byte = index >>> 3;
  const bit = 0x80 >>> (index & 7);
  for (let i = 0; i < byte; i++) key[i] = selfKey[i];
  // Bits above `bit` in this byte come from selfKey, `bit` itself is flipped, the rest stay random.
  const highMask = (0xff00 >>> (index & 7)) & 0xff;
  key[byte] = (selfKey[byte] & highMask) | ((selfKey[byte] ^ bit) & bit) | (key[byte] & (bit - 1));
  return key;
}

/** The key's lowercase hex, flat (protocol/runtime/hex-key.ts): tables keep many of these. */
export function keyToHex(key: Uint8Array): string {
  return hexKey(key);
}

/** Parses a 64-character hex key; undefined on any other input (never throws). */
export function keyFromHex(hex: string): DhtKey | undefined {
  if (hex.length !== KEY_BYTES * 2 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(KEY_BYTES);
  for (let i = 0; i < KEY_BYTES; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Short printable form for logs and reports: the first 8 hex digits. */
export function shortKey(key: Uint8Array): string {
  return bytesToHex(key.subarray(0, 4));
}

/**
 * Memoised `keyOfNodePub`: every NODES reply carries up to k contacts whose keys we must derive, mostly the same
 * few hundred peers again and again. Bounded; cleared wholesale when full (cheap and good enough). Returned keys
 * are shared: treat them as immutable, as all DHT code does.
 *
 * An entry costs ~340 B of heap (the 33-char id, the key's Uint8Array and ArrayBuffer, the Map slot), so the bound
 * is memory per node (issue 14: <= 100 KiB each): 4,096 entries filled up to ~1.4 MB per long-running node; 128
 * hold a node's routing-table peers (k x log2(n / k) ~ 110 at 100,000 nodes) for ~44 KB at most. A miss costs one
 * SHA-256 of 33 bytes; the key is the same either way.
 */
export const NODE_KEY_CACHE_ENTRIES = 128;

export class NodeKeyCache {
  private readonly map = new Map<string, DhtKey>();

  constructor(
    private readonly suite: Pick<CryptoSuite, 'sha256'>,
    private readonly maxEntries = NODE_KEY_CACHE_ENTRIES,
  ) {}

  /** Entries held now (never more than the bound). */
  get size(): number {
    return this.map.size;
  }

  keyOf(nodePub: Uint8Array): DhtKey {
    const id = String.fromCharCode.apply(null, nodePub as unknown as number[]);
    let key = this.map.get(id);
    if (key === undefined) {
      key = keyOfNodePub(this.suite, nodePub);
      if (this.map.size >= this.maxEntries) this.map.clear();
      this.map.set(id, key);
    }
    return key;
  }
}
