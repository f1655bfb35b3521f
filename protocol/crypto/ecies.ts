/**
 * ECIES for messages to an offline peer (SEC 1 v2 §5.1 shape, with HKDF-SHA256 and AES-256-GCM):
 *   ephemeral key pair (from the injected rng) -> Z = ECDH(ephemeral, recipient static AccountID key)
 *   -> key || nonce = HKDF-SHA256(Z, salt = label, info = label || 0x00 || ephemeralPub || recipientPub)
 *   -> sealed = ephemeralPub (33) || AES-256-GCM(plaintext, aad) (ciphertext || 16-byte tag).
 * Binding both public keys in the KDF stops an attacker from re-targeting a ciphertext (SEC 1 §5.1.3
 * "benign malleability" of the ephemeral encoding; Shoup's ECIES-KEM includes the ephemeral key likewise).
 * The nonce comes from the KDF: each ephemeral key seals exactly one message, so it is never reused.
 * No forward secrecy: whoever later steals the recipient's static key can open it (see message-security.ts).
 */
import type { Rng } from '../runtime/rng.ts';
import { AEAD_KEY_BYTES, AEAD_NONCE_BYTES, AEAD_TAG_BYTES } from './aead-checks.ts';
import { concatBytes, utf8 } from './bytes.ts';
import { PUBLIC_KEY_BYTES } from './p256.ts';
import { CryptoError, type CryptoSuite } from './suite.ts';

export const ECIES_LABEL = 'paratox/v1/ecies';
/** Bytes a sealed message adds to its plaintext: ephemeral public key + GCM tag. */
export const ECIES_OVERHEAD_BYTES = PUBLIC_KEY_BYTES + AEAD_TAG_BYTES;

function deriveKeyAndNonce(suite: CryptoSuite, z: Uint8Array, ephemeralPub: Uint8Array, recipientPub: Uint8Array) {
  const label = utf8(ECIES_LABEL);
  const okm = suite.hkdf(z, label, concatBytes(label, Uint8Array.of(0), ephemeralPub, recipientPub), AEAD_KEY_BYTES + AEAD_NONCE_BYTES);
  return { key: okm.subarray(0, AEAD_KEY_BYTES), nonce: okm.subarray(AEAD_KEY_BYTES) };
}

/** Seals `plaintext` to `recipientPub`. Throws CryptoError('bad-point') if the recipient key is invalid. */
export function eciesSeal(
  suite: CryptoSuite,
  rng: Rng,
  recipientPub: Uint8Array,
  plaintext: Uint8Array,
  aad?: Uint8Array,
): Uint8Array {
  const ephemeral = suite.generateKeyPair(rng);
  const z = suite.ecdh(ephemeral.privateKey, recipientPub); // validates recipientPub
  const { key, nonce } = deriveKeyAndNonce(suite, z, ephemeral.publicKey, recipientPub);
  return concatBytes(ephemeral.publicKey, suite.aeadSeal(key, nonce, plaintext, aad));
}

/**
 * Opens a sealed message with the recipient's static private key. Throws CryptoError: 'bad-length' (too
 * short), 'bad-point' (ephemeral key not on the curve), 'auth-failed' (authentication failed: tampered,
 * wrong recipient or wrong aad), 'bad-scalar' (invalid private key).
 */
export function eciesOpen(suite: CryptoSuite, recipientPriv: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array {
  if (sealed.length < ECIES_OVERHEAD_BYTES) {
    throw new CryptoError('bad-length', `ECIES message shorter than its ${ECIES_OVERHEAD_BYTES}-byte overhead`);
  }
  const recipientPub = suite.publicKeyOf(recipientPriv);
  const ephemeralPub = sealed.subarray(0, PUBLIC_KEY_BYTES);
  const z = suite.ecdh(recipientPriv, ephemeralPub);
  const { key, nonce } = deriveKeyAndNonce(suite, z, ephemeralPub, recipientPub);
  const plaintext = suite.aeadOpen(key, nonce, sealed.subarray(PUBLIC_KEY_BYTES), aad);
  if (plaintext === null) throw new CryptoError('auth-failed', 'ECIES: authentication failed');
  return plaintext;
}
