/**
 * CryptoSuite on @noble only: portable (browser-capable), audited, and the reference the node back end is
 * tested against. All input checks live in p256.ts / aead-checks.ts, shared with node-suite.ts.
 */
import { ctr, ecb, gcm } from '@noble/ciphers/aes.js';
import { p256 } from '@noble/curves/nist.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Rng } from '../runtime/rng.ts';
import { AEAD_TAG_BYTES, assertAeadParams, assertHkdfLength, assertSealOutput } from './aead-checks.ts';
import { bigIntToBytes } from './bytes.ts';
import {
  SCALAR_BYTES,
  SIGNATURE_BYTES,
  assertCompressedEncoding,
  associateValue,
  decodePoint,
  drawPrivateKey,
  implicitSignature,
  scalarFromBytes,
} from './p256.ts';
import { CryptoError, assertAesParams, type CryptoSuite, type EcmqvInput, type KeyPair } from './suite.ts';

// RFC 6979 deterministic nonces, SHA-256 of the message, r||s, s normalised to the lower half.
const SIGN_OPTS = { prehash: true, lowS: true, format: 'compact' } as const;

function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  scalarFromBytes(privateKey);
  return p256.getPublicKey(privateKey, true);
}

function ecdh(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  const d = scalarFromBytes(privateKey);
  const Q = decodePoint(peerPublicKey, 'peer public key');
  // Constant-time multiply: d is secret. h = 1, and d in [1, n-1] with Q of order n, so d·Q is finite.
  return bigIntToBytes(Q.multiply(d).toAffine().x, SCALAR_BYTES);
}

/** SP 800-56A §5.7.2.3 full MQV; see ecmqv.ts for the step-by-step reference this must agree with. */
function ecmqv(input: EcmqvInput): Uint8Array {
  const ds = scalarFromBytes(input.ownStatic.privateKey);
  const de = scalarFromBytes(input.ownEphemeral.privateKey);
  assertCompressedEncoding(input.ownEphemeral.publicKey, 'own ephemeral public key');
  const Qs = decodePoint(input.peerStaticPub, 'peer static public key');
  const Qe = decodePoint(input.peerEphemeralPub, 'peer ephemeral public key');
  const s = implicitSignature(ds, de, input.ownEphemeral.publicKey);
  // Qe + avf(Qe)·Qs involves public values only, so the faster variable-time multiply leaks nothing.
  const Q = Qe.add(Qs.multiplyUnsafe(associateValue(Qe.toAffine().x)));
  if (s === 0n || Q.is0()) throw new CryptoError('bad-point', 'MQV: shared point is the point at infinity');
  return bigIntToBytes(Q.multiply(s).toAffine().x, SCALAR_BYTES); // s is secret: constant-time multiply
}

function sign(privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  scalarFromBytes(privateKey);
  return p256.sign(message, privateKey, SIGN_OPTS);
}

function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  // Never throws: a malformed key or signature is just "not valid" (noble throws on some lengths).
  if (signature.length !== SIGNATURE_BYTES) return false;
  try {
    assertCompressedEncoding(publicKey);
    return p256.verify(signature, message, publicKey, SIGN_OPTS);
  } catch {
    return false;
  }
}

function aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  assertAeadParams(key, nonce);
  return gcm(key, nonce, aad).encrypt(plaintext);
}

// Seal, then copy: the result is complete before `out` (which may overlap plaintext) is written.
function aeadSealInto(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, out: Uint8Array, aad?: Uint8Array): void {
  assertSealOutput(plaintext, out);
  out.set(aeadSeal(key, nonce, plaintext, aad));
}

function aeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array | null {
  assertAeadParams(key, nonce);
  if (sealed.length < AEAD_TAG_BYTES) return null;
  try {
    return gcm(key, nonce, aad).decrypt(sealed);
  } catch {
    return null;
  }
}

// SP 800-38A CTR with the full 128-bit counter block (noble's `ctr`, not its 32-bit `ctr32`).
function aesCtr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  assertAesParams(key, iv, 'iv');
  return ctr(key, iv).encrypt(data);
}

// disablePadding: exactly one block in, one block out (no PKCS#7 block appended).
function aesEcbEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  assertAesParams(key, block, 'block');
  return ecb(key, { disablePadding: true }).encrypt(block);
}

function aesEcbDecryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  assertAesParams(key, block, 'block');
  return ecb(key, { disablePadding: true }).decrypt(block);
}

export const nobleSuite: CryptoSuite = {
  name: 'noble',
  sha256: (data) => sha256(data),
  hmacSha256: (key, data) => hmac(sha256, key, data),
  hkdf(ikm, salt, info, length) {
    assertHkdfLength(length);
    return length === 0 ? new Uint8Array(0) : hkdf(sha256, ikm, salt, info, length);
  },
  generateKeyPair(rng: Rng): KeyPair {
    const privateKey = drawPrivateKey(rng);
    return { privateKey, publicKey: publicKeyOf(privateKey) };
  },
  publicKeyOf,
  ecdh,
  ecmqv,
  sign,
  verify,
  aeadSeal,
  aeadSealInto,
  aeadOpen,
  aesCtr,
  aesEcbEncryptBlock,
  aesEcbDecryptBlock,
};
