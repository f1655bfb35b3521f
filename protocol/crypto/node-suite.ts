/**
 * CryptoSuite on node:crypto (OpenSSL) wherever OpenSSL has the algorithm: SHA-256, HMAC, HKDF,
 * AES-256-GCM, AES-256-CTR/ECB, ECDH, public-key derivation and ECDSA verification. Two things stay on @noble:
 * - ECDSA signing: RFC 6979 deterministic nonces are not exposed by node:crypto (OpenSSL signs with random
 *   nonces), and signatures must be byte-identical across back ends.
 * - The public-point half of ECMQV: OpenSSL has no MQV or point-addition API (see `ecmqv` below; the
 *   additions are affine-point.ts, on bigints).
 *
 * node:crypto comes from node-crypto.ts (not a static import), so this module still loads in a browser bundle;
 * there `nodeCryptoAvailable` is false and select-suite.ts picks nobleSuite.
 */
import type * as NodeCrypto from 'node:crypto';
import type { Rng } from '../runtime/rng.ts';
import { AEAD_TAG_BYTES, assertAeadParams, assertHkdfLength, assertSealOutput } from './aead-checks.ts';
import { affineAdd, negate, pointWithX, sumHasX, uncompressedOctets } from './affine-point.ts';
import { bigIntToBytes, bytesToBigInt, concatBytes, toHex } from './bytes.ts';
import { nobleSuite } from './noble-suite.ts';
import { nodeCrypto, type NodeCryptoModule } from './node-crypto.ts';
import { knownPointFromOctets, lookupPoint, pointKey, rememberPoint, type KnownPoint } from './point-cache.ts';
import {
  P256_N,
  SCALAR_BYTES,
  SIGNATURE_BYTES,
  assertCompressedEncoding,
  associateValue,
  drawPrivateKey,
  implicitSignature,
  isHighS,
  scalarFromBytes,
} from './p256.ts';
import { CryptoError, assertAesParams, type CryptoSuite, type EcmqvInput, type KeyPair } from './suite.ts';

/** True when node:crypto can be used (Node >= 20.16); false in a browser. */
export const nodeCryptoAvailable = nodeCrypto !== undefined;

function lib(): NodeCryptoModule {
  if (!nodeCrypto) throw new Error('nodeSuite needs node:crypto (Node >= 20.16); use nobleSuite instead');
  return nodeCrypto;
}

// One ECDH engine reused for every call: protocol code is synchronous, so no two calls interleave, and this
// saves allocating an OpenSSL EC_KEY per operation.
let engine: NodeCrypto.ECDH | undefined;
function ecdhEngine(): NodeCrypto.ECDH {
  return (engine ??= lib().createECDH('prime256v1'));
}

/**
 * A plain Uint8Array: copies a Buffer (Buffers can be views into a shared pool, and compare unequal to
 * Uint8Array in deep-equality checks); wraps a fresh ArrayBuffer (hkdfSync's result) without copying.
 */
function toU8(buf: Uint8Array | ArrayBuffer): Uint8Array {
  return new Uint8Array(buf);
}

/** x(k·Q) through OpenSSL ECDH. `scalar` must be in [1, n-1] (checked by callers). */
function opensslX(scalar: Uint8Array, point: Uint8Array, what: string): Uint8Array {
  const e = ecdhEngine();
  e.setPrivateKey(scalar);
  try {
    return toU8(e.computeSecret(point));
  } catch {
    throw new CryptoError('bad-point', `${what} is not a point on P-256`);
  }
}

/**
 * Decompresses and validates a point in OpenSSL (faster than a bigint square root), once per encoding
 * (point-cache.ts): OpenSSL then gets the uncompressed octets and takes no square root.
 */
function opensslDecode(publicKey: Uint8Array, what: string): KnownPoint {
  assertCompressedEncoding(publicKey, what);
  const key = pointKey(publicKey);
  let point = lookupPoint(key);
  if (point === undefined) {
    try {
      const octets = toU8(lib().ECDH.convertKey(publicKey, 'prime256v1', undefined, undefined, 'uncompressed') as Buffer);
      // OpenSSL's oct2point rejected x >= p and non-residues; a 33-byte encoding cannot be infinity.
      point = knownPointFromOctets(octets);
    } catch {
      point = null;
    }
    rememberPoint(key, point);
  }
  if (point === null) throw new CryptoError('bad-point', `${what} is not a point on P-256`);
  return point;
}

function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  scalarFromBytes(privateKey);
  const e = ecdhEngine();
  e.setPrivateKey(privateKey); // OpenSSL fixed-base multiply
  return toU8(e.getPublicKey(null, 'compressed'));
}

/**
 * A fresh key pair's point, which OpenSSL has uncompressed at hand: its Elligator Squared encoding and the
 * peer's ECDH/ECMQV then take no square root for it (point-cache.ts). Called right after publicKeyOf, while
 * the engine still holds this key.
 */
function rememberGenerated(publicKey: Uint8Array): void {
  const octets = toU8(ecdhEngine().getPublicKey(null, 'uncompressed'));
  rememberPoint(pointKey(publicKey), knownPointFromOctets(octets));
}

function ecdh(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  scalarFromBytes(privateKey);
  assertCompressedEncoding(peerPublicKey, 'peer public key');
  // A point already decompressed goes in uncompressed; a new one goes to OpenSSL as is (decompressing it
  // here first would cost more than it saves when it is not met again).
  const known = lookupPoint(pointKey(peerPublicKey));
  if (known === null) throw new CryptoError('bad-point', 'peer public key is not a point on P-256');
  return opensslX(privateKey, known?.octets ?? peerPublicKey, 'peer public key');
}

/**
 * SP 800-56A §5.7.2.3 full MQV with OpenSSL doing every scalar multiplication:
 *   Z = x(s·Q),  s = (de + avf(Qe_own)·ds) mod n (secret),  Q = Qe_peer + avf(Qe_peer)·Qs_peer (public).
 * OpenSSL's ECDH returns only an x-coordinate, so the public point R = avf·Qs_peer is rebuilt from two
 * x-only products (steps 2-3). Why each step is safe:
 * 1. avf(Qe_peer), Qs_peer, Qe_peer are public (sent in the clear), so using avf as an ECDH "private key"
 *    and doing variable-time bigint arithmetic on these points (affine-point.ts) leaks nothing secret.
 * 2. x1 = x(avf·Qs), x2 = x((avf+1)·Qs). avf lies in [2^128, 2^129) < n, so avf and avf+1 are valid
 *    scalars, R = avf·Qs ≠ O and (avf+1)·Qs ≠ O (Qs has prime order n, h = 1).
 * 3. Decompress x1 to R0 = (x1, y); R = ±R0. R0 + Qs and −R0 + Qs have equal x only if 2R0 = O or
 *    2Qs = O, impossible in a group of odd prime order; so exactly one sign gives x2. (R0 ≠ ±Qs, as
 *    avf ≢ ±1 mod n, so the x-only test sumHasX applies.)
 * 4. Q = Qe + R; Q = O or s = 0 means P = O, which §5.7.2.3 step 3 turns into an error.
 * 5. Z = x(s·Q) by OpenSSL ECDH: the secret s only meets OpenSSL's constant-time P-256 ladder. (s itself is
 *    computed with JS bigints, which are not constant-time; nobleSuite has the same limitation.)
 * Points go to OpenSSL uncompressed (Qs and Qe decoded once, point-cache.ts), so it takes no square roots.
 */
function ecmqv(input: EcmqvInput): Uint8Array {
  const ds = scalarFromBytes(input.ownStatic.privateKey);
  const de = scalarFromBytes(input.ownEphemeral.privateKey);
  assertCompressedEncoding(input.ownEphemeral.publicKey, 'own ephemeral public key');
  const Qs = opensslDecode(input.peerStaticPub, 'peer static public key');
  const Qe = opensslDecode(input.peerEphemeralPub, 'peer ephemeral public key');
  const s = implicitSignature(ds, de, input.ownEphemeral.publicKey);

  const avf = associateValue(Qe.x);
  const x1 = bytesToBigInt(opensslX(bigIntToBytes(avf, SCALAR_BYTES), Qs.octets, 'peer static public key'));
  const x2 = bytesToBigInt(opensslX(bigIntToBytes(avf + 1n, SCALAR_BYTES), Qs.octets, 'peer static public key'));
  const R0 = pointWithX(x1);
  // Unreachable by steps 2-3; kept so an OpenSSL regression fails loudly instead of silently.
  if (R0 === undefined) throw new Error('ecmqv: OpenSSL returned an x that is not on P-256 (internal)');
  let R = R0;
  if (!sumHasX(R0, Qs, x2)) {
    R = negate(R0);
    if (!sumHasX(R, Qs, x2)) throw new Error('ecmqv: inconsistent OpenSSL results (internal)');
  }
  const Q = affineAdd(Qe, R);
  if (s === 0n || Q === undefined) throw new CryptoError('bad-point', 'MQV: shared point is the point at infinity');
  return opensslX(bigIntToBytes(s, SCALAR_BYTES), uncompressedOctets(Q), 'MQV point');
}

// SubjectPublicKeyInfo prefix for a compressed P-256 key (RFC 5480: id-ecPublicKey, prime256v1).
const SPKI_P256_COMPRESSED_PREFIX = Uint8Array.from([
  0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
  0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00,
]);
const KEY_CACHE_MAX = 512;
// Importing a key costs more than a verify; nodes re-verify records signed by the same few keys.
const keyCache = new Map<string, NodeCrypto.KeyObject | null>();

function publicKeyObject(publicKey: Uint8Array): NodeCrypto.KeyObject | null {
  const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.length).toString('hex');
  let key = keyCache.get(id);
  if (key === undefined) {
    try {
      key = lib().createPublicKey({ key: Buffer.from(concatBytes(SPKI_P256_COMPRESSED_PREFIX, publicKey)), format: 'der', type: 'spki' });
    } catch {
      key = null; // not a point on the curve: cache the verdict too
    }
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value as string);
    keyCache.set(id, key);
  }
  return key;
}

/**
 * OpenSSL verify, with the checks OpenSSL does not make done first so the verdict matches nobleSuite on
 * every input: r and s in [1, n-1] and low-s (OpenSSL accepts high-s), 64-byte r||s, compressed key.
 */
function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== 33) return false;
  if (publicKey[0] !== 0x02 && publicKey[0] !== 0x03) return false;
  const r = bytesToBigInt(signature.subarray(0, 32));
  const s = bytesToBigInt(signature.subarray(32, 64));
  if (r === 0n || r >= P256_N || s === 0n || s >= P256_N || isHighS(s)) return false;
  const key = publicKeyObject(publicKey);
  if (key === null) return false;
  try {
    return lib().verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

// One options object for every GCM context, not a fresh literal per packet.
const GCM_OPTIONS = { authTagLength: AEAD_TAG_BYTES } as const;

function aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  const out = new Uint8Array(plaintext.length + AEAD_TAG_BYTES);
  aeadSealInto(key, nonce, plaintext, out, aad);
  return out;
}

/**
 * OpenSSL's GCM is a stream mode: update() returns the whole ciphertext (a fresh buffer, read before `out` is
 * written, so `out` may overlap plaintext) and final() nothing; the tag follows it.
 */
function aeadSealInto(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, out: Uint8Array, aad?: Uint8Array): void {
  assertAeadParams(key, nonce);
  assertSealOutput(plaintext, out);
  const c = lib().createCipheriv('aes-256-gcm', key, nonce, GCM_OPTIONS);
  if (aad) c.setAAD(aad);
  out.set(c.update(plaintext));
  const tail = c.final(); // empty for GCM; kept general
  if (tail.length) out.set(tail, plaintext.length - tail.length);
  out.set(c.getAuthTag(), plaintext.length);
}

function aeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array | null {
  assertAeadParams(key, nonce);
  if (sealed.length < AEAD_TAG_BYTES) return null;
  const split = sealed.length - AEAD_TAG_BYTES;
  const d = lib().createDecipheriv('aes-256-gcm', key, nonce, GCM_OPTIONS);
  d.setAuthTag(sealed.subarray(split));
  if (aad) d.setAAD(aad);
  const body = d.update(sealed.subarray(0, split));
  let tail: Buffer;
  try {
    tail = d.final(); // throws when the tag does not verify
  } catch {
    return null;
  }
  // GCM's final() adds no bytes: hand back update()'s own fresh buffer as a plain Uint8Array view, no copy.
  return tail.length ? concatBytes(body, tail) : new Uint8Array(body.buffer, body.byteOffset, body.length);
}

// OpenSSL's aes-256-ctr increments the whole 16-byte IV as one big-endian counter (CRYPTO_ctr128), as
// SP 800-38A §B.1 describes and nobleSuite does; the known-answer and wrap-around tests pin that down.
function aesCtr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  assertAesParams(key, iv, 'iv');
  const c = lib().createCipheriv('aes-256-ctr', key, iv);
  return concatBytes(c.update(data), c.final());
}

const ECB_CACHE_MAX = 512;
/**
 * Open AES-256-ECB contexts by direction and key, oldest evicted first. ECB without padding is stateless
 * from block to block, so one context serves every block under its key (never final()ed), and creating a
 * context costs more than encrypting a block: header masks (one key per receiving node) and onion nonces
 * (per-hop keys) reuse few keys many times.
 */
const ecbCache = new Map<string, NodeCrypto.Cipher | NodeCrypto.Decipher>();

function ecbContext(mode: 'encrypt' | 'decrypt', key: Uint8Array): NodeCrypto.Cipher | NodeCrypto.Decipher {
  const id = (mode === 'encrypt' ? 'e' : 'd') + toHex(key);
  let c = ecbCache.get(id);
  if (c === undefined) {
    c = mode === 'encrypt' ? lib().createCipheriv('aes-256-ecb', key, null) : lib().createDecipheriv('aes-256-ecb', key, null);
    c.setAutoPadding(false); // raw blocks: no PKCS#7, and update() returns each block at once
    if (ecbCache.size >= ECB_CACHE_MAX) ecbCache.delete(ecbCache.keys().next().value as string);
    ecbCache.set(id, c);
  }
  return c;
}

function aesEcbBlock(mode: 'encrypt' | 'decrypt', key: Uint8Array, block: Uint8Array): Uint8Array {
  assertAesParams(key, block, 'block');
  const out = ecbContext(mode, key).update(block);
  if (out.length !== block.length) throw new Error('aes-256-ecb: OpenSSL held a block back (internal)');
  return toU8(out);
}

function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return toU8(lib().createHmac('sha256', key).update(data).digest());
}

// node's hkdfSync caps info at 1024 bytes; RFC 5869 does not, and nobleSuite accepts any length.
const HKDF_SYNC_MAX_INFO = 1024;
// One output block (every handshake envelope key) costs two HMACs by hand, less than hkdfSync's key import
// and job (~11 µs against ~18 µs); for longer outputs hkdfSync wins.
const HKDF_BY_HAND_MAX_LENGTH = 32;

function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  assertHkdfLength(length);
  if (length === 0) return new Uint8Array(0);
  if (info.length <= HKDF_SYNC_MAX_INFO && length > HKDF_BY_HAND_MAX_LENGTH) return toU8(lib().hkdfSync('sha256', ikm, salt, info, length));
  // RFC 5869 §2.2-2.3 by hand. An empty salt works as is: HMAC pads any key to the block size with zeros,
  // so HMAC("", .) equals HMAC(0^32, .), the RFC's default salt.
  const prk = hmacSha256(salt, ikm);
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  for (let i = 1, offset = 0; offset < length; i++, offset += 32) {
    t = hmacSha256(prk, concatBytes(t, info, Uint8Array.of(i)));
    out.set(t.subarray(0, Math.min(32, length - offset)), offset);
  }
  return out;
}

export const nodeSuite: CryptoSuite = {
  name: 'node',
  sha256: (data) => toU8(lib().createHash('sha256').update(data).digest()),
  hmacSha256,
  hkdf,
  generateKeyPair(rng: Rng): KeyPair {
    const privateKey = drawPrivateKey(rng);
    const publicKey = publicKeyOf(privateKey);
    rememberGenerated(publicKey);
    return { privateKey, publicKey };
  },
  publicKeyOf,
  ecdh,
  ecmqv,
  // RFC 6979 signing stays on noble (see the module comment); the key check is the shared one.
  sign: (privateKey, message) => nobleSuite.sign(privateKey, message),
  verify,
  aeadSeal,
  aeadSealInto,
  aeadOpen,
  aesCtr,
  aesEcbEncryptBlock: (key, block) => aesEcbBlock('encrypt', key, block),
  aesEcbDecryptBlock: (key, block) => aesEcbBlock('decrypt', key, block),
};
