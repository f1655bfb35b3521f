/** Input checks for AES-256-GCM and HKDF shared by both back ends, so both reject the same inputs. */
import { CryptoError } from './suite.ts';

export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 12;
export const AEAD_TAG_BYTES = 16;
/** RFC 5869 §2.3: L <= 255 * HashLen. */
export const HKDF_MAX_BYTES = 255 * 32;

export function assertAeadParams(key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== AEAD_KEY_BYTES) throw new CryptoError('bad-length', `AES-256-GCM key must be 32 bytes`);
  // Only 96-bit nonces: other lengths go through GHASH (NIST SP 800-38D §7.1) and are easy to misuse.
  if (nonce.length !== AEAD_NONCE_BYTES) throw new CryptoError('bad-length', `AES-GCM nonce must be 12 bytes`);
}

/** aeadSealInto's destination must hold exactly the ciphertext and its tag. */
export function assertSealOutput(plaintext: Uint8Array, out: Uint8Array): void {
  if (out.length !== plaintext.length + AEAD_TAG_BYTES) {
    throw new CryptoError('bad-length', `AES-GCM output of ${out.length} bytes for ${plaintext.length} bytes of plaintext`);
  }
}

export function assertHkdfLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 0 || length > HKDF_MAX_BYTES) {
    throw new CryptoError('bad-length', `HKDF length must be an integer in [0, ${HKDF_MAX_BYTES}]`);
  }
}
