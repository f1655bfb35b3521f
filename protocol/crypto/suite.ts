/**
 * The one crypto interface the protocol calls. Two back ends (noble-suite.ts: @noble, portable;
 * node-suite.ts: node:crypto/OpenSSL where it has the algorithm) must return identical bytes for identical
 * inputs; shared known-answer and property tests prove it. Randomness never comes from inside a suite:
 * callers pass the injected Rng, so seeded runs reproduce byte for byte.
 *
 * Curve: P-256 everywhere (ECDH, ECMQV, ECDSA). Keys: 32-byte big-endian private scalars, 33-byte
 * SEC1-compressed public keys.
 */
import type { Rng } from '../runtime/rng.ts';

export interface KeyPair {
  /** 32-byte big-endian scalar in [1, n-1]. */
  readonly privateKey: Uint8Array;
  /** 33-byte SEC1 compressed point. */
  readonly publicKey: Uint8Array;
}

export interface EcmqvInput {
  ownStatic: KeyPair;
  ownEphemeral: KeyPair;
  peerStaticPub: Uint8Array;
  peerEphemeralPub: Uint8Array;
}

export interface CryptoSuite {
  readonly name: 'noble' | 'node';

  sha256(data: Uint8Array): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** RFC 5869 HKDF-SHA256. */
  hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;

  /** Draws a private scalar from `rng` (rejection sampling into [1, n-1]) and derives its public key. */
  generateKeyPair(rng: Rng): KeyPair;
  /** Compressed public key of a private scalar. Throws CryptoError on an invalid scalar. */
  publicKeyOf(privateKey: Uint8Array): Uint8Array;
  /** P-256 ECDH: the 32-byte x-coordinate of privateKey * peerPublicKey. Throws CryptoError on a bad point. */
  ecdh(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array;
  /** NIST SP 800-56A full MQV, C(2e, 2s), P-256: the raw 32-byte shared secret Z. */
  ecmqv(input: EcmqvInput): Uint8Array;

  /** Deterministic ECDSA-P256-SHA256 (RFC 6979), 64-byte r||s with low-s. */
  sign(privateKey: Uint8Array, message: Uint8Array): Uint8Array;
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;

  /** AES-256-GCM, 12-byte nonce, 16-byte tag appended. */
  aeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array;
  /**
   * aeadSeal written into `out` (exactly plaintext.length + 16 bytes) instead of a new array, so a packet is
   * sealed inside its datagram. `out` may overlap `plaintext`: out = plaintext's bytes plus 16 seals in place.
   * Throws CryptoError('bad-length') on a wrong key, nonce or `out` length.
   */
  aeadSealInto(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, out: Uint8Array, aad?: Uint8Array): void;
  /** Returns null when authentication fails (tampered, wrong key, wrong nonce/aad). */
  aeadOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array | null;

  /**
   * AES-256-CTR (NIST SP 800-38A §6.5): keystream blocks AES(key, T_j), T_1 = iv, T_{j+1} = T_j + 1 as one
   * 128-bit big-endian integer (mod 2^128). Encrypts and decrypts alike; any data length. Unauthenticated:
   * callers MAC (the onion layers do). Throws CryptoError('bad-length') unless key is 32 and iv 16 bytes.
   */
  aesCtr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array;
  /** One AES-256 block (SP 800-38A §6.1 ECB on a single block): a keyed permutation of 16 bytes. */
  aesEcbEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array;
  /** The inverse permutation of aesEcbEncryptBlock. */
  aesEcbDecryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array;
}

export const AES_KEY_BYTES = 32;
export const AES_BLOCK_BYTES = 16;

/** Shared by both back ends so both reject the same inputs with the same error. */
export function assertAesParams(key: Uint8Array, block: Uint8Array, what: 'iv' | 'block'): void {
  if (key.length !== AES_KEY_BYTES) throw new CryptoError('bad-length', 'AES-256 key must be 32 bytes');
  if (block.length !== AES_BLOCK_BYTES) throw new CryptoError('bad-length', `AES ${what} must be 16 bytes`);
}

/** A typed error for invalid crypto input (bad point, bad scalar, bad length). */
export class CryptoError extends Error {
  constructor(
    readonly code: 'bad-point' | 'bad-scalar' | 'bad-length' | 'bad-signature' | 'auth-failed',
    message: string,
  ) {
    super(message);
    this.name = 'CryptoError';
  }
}
