/**
 * Sealing a message for an offline recipient with one-pass MQV, NIST SP 800-56A rev. 3 §6.2.1.2
 * ("One-Pass MQV, C(1e, 2s, ECC MQV)"), P-256, through CryptoSuite.ecmqv (the full-MQV primitive of §5.7.2.3).
 *
 * §6.2.1.2: party U (the sender) contributes a static and an ephemeral key pair; party V (the recipient)
 * contributes only its static key pair, which it uses "as its ephemeral key pair" in the MQV primitive. So
 *   Alice (U): ownStatic = (a, A), ownEphemeral = (e, E), peerStatic = B, peerEphemeral = B
 *   Bob   (V): ownStatic = (b, B), ownEphemeral = (b, B), peerStatic = A, peerEphemeral = E
 * and both get Z = x( h·(e + avf(E)·a) · (B + avf(B)·B) ) (cofactor h = 1). Z needs a (sender authentication:
 * only A's owner, or b's owner, can compute it) and b (confidentiality). No forward secrecy: Bob's b opens every
 * recorded message (message-security.ts 'mqv-offline'); and, as for any one-pass scheme, Bob contributes no fresh
 * value, so replays are stopped by Bob's SeenSet below, not by the key agreement.
 *
 * Holders must not learn A: A travels encrypted under an ECDH(e, B)-keyed layer (ECIES shape, ecies.ts).
 *
 *   hideKey || hideNonce = HKDF(ECDH(e, B), salt = "paratox/v1/offline-hide", info = label | 0 | E | B | id)
 *   key || nonce         = HKDF(Z, salt = "paratox/v1/offline-mqv", info = label | 0 | A | B | E | id)
 *   sealed = 0x01 | E (33) | id (16) | GCM(hideKey, hideNonce, A, aad = B | id) (49) | GCM(key, nonce, m, aad = B | id)
 *
 * The KDF binds A, B, E and the message id, and the AAD binds the recipient and the id, so a sealed item cannot be
 * re-targeted to another recipient, given another id, or claimed by another sender. Each E seals one message, so
 * KDF-derived nonces never repeat under one key.
 */
import { AEAD_KEY_BYTES, AEAD_NONCE_BYTES, AEAD_TAG_BYTES } from '../crypto/aead-checks.ts';
import { concatBytes, toHex, utf8 } from '../crypto/bytes.ts';
import { decodePoint, PUBLIC_KEY_BYTES } from '../crypto/p256.ts';
import { CryptoError, type CryptoSuite, type KeyPair } from '../crypto/suite.ts';
import type { Rng } from '../runtime/rng.ts';
import { ITEM_ID_BYTES, OFFLINE_HIDE_LABEL, OFFLINE_SEAL_LABEL } from './constants.ts';

export const SEAL_VERSION = 0x01;
export const MESSAGE_ID_BYTES = ITEM_ID_BYTES;
const HIDDEN_BYTES = PUBLIC_KEY_BYTES + AEAD_TAG_BYTES;
const HEADER_BYTES = 1 + PUBLIC_KEY_BYTES + MESSAGE_ID_BYTES + HIDDEN_BYTES;
/** Bytes a sealed item adds to its plaintext (115). */
export const SEAL_OVERHEAD_BYTES = HEADER_BYTES + AEAD_TAG_BYTES;

export type OfflineSealErrorCode = 'malformed' | 'bad-point' | 'auth-failed' | 'replay';

/** Why an offline item did not open; receive paths count it under `code`. */
export class OfflineSealError extends Error {
  constructor(
    readonly code: OfflineSealErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OfflineSealError';
  }
}

export interface OpenedItem {
  readonly senderPub: Uint8Array;
  readonly messageId: Uint8Array;
  readonly plaintext: Uint8Array;
}

function kdf(suite: CryptoSuite, label: string, secret: Uint8Array, ...parts: Uint8Array[]) {
  const l = utf8(label);
  const okm = suite.hkdf(secret, l, concatBytes(l, Uint8Array.of(0), ...parts), AEAD_KEY_BYTES + AEAD_NONCE_BYTES);
  return { key: okm.subarray(0, AEAD_KEY_BYTES), nonce: okm.subarray(AEAD_KEY_BYTES) };
}

/** The message id of a sealed item (visible to holders; random), or null when too short. */
export function sealedMessageId(sealed: Uint8Array): Uint8Array | null {
  if (sealed.length < SEAL_OVERHEAD_BYTES || sealed[0] !== SEAL_VERSION) return null;
  return sealed.subarray(1 + PUBLIC_KEY_BYTES, 1 + PUBLIC_KEY_BYTES + MESSAGE_ID_BYTES);
}

/** Seals with a given ephemeral (known-answer vectors); offlineSeal draws it from the rng. */
export function offlineSealWith(
  suite: CryptoSuite,
  sender: KeyPair,
  ephemeral: KeyPair,
  recipientPub: Uint8Array,
  messageId: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  if (messageId.length !== MESSAGE_ID_BYTES) throw new CryptoError('bad-length', `message id must be ${MESSAGE_ID_BYTES} bytes`);
  decodePoint(recipientPub, 'recipient key');
  const aad = concatBytes(recipientPub, messageId);
  const E = ephemeral.publicKey;
  const hide = kdf(suite, OFFLINE_HIDE_LABEL, suite.ecdh(ephemeral.privateKey, recipientPub), E, recipientPub, messageId);
  const hidden = suite.aeadSeal(hide.key, hide.nonce, sender.publicKey, aad);
  // SP 800-56A §6.2.1.2: V's static key doubles as its ephemeral key.
  const z = suite.ecmqv({ ownStatic: sender, ownEphemeral: ephemeral, peerStaticPub: recipientPub, peerEphemeralPub: recipientPub });
  const k = kdf(suite, OFFLINE_SEAL_LABEL, z, sender.publicKey, recipientPub, E, messageId);
  return concatBytes(Uint8Array.of(SEAL_VERSION), E, messageId, hidden, suite.aeadSeal(k.key, k.nonce, plaintext, aad));
}

export function offlineSeal(
  suite: CryptoSuite,
  rng: Rng,
  sender: KeyPair,
  recipientPub: Uint8Array,
  messageId: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  return offlineSealWith(suite, sender, suite.generateKeyPair(rng), recipientPub, messageId, plaintext);
}

/**
 * Opens a sealed item with the recipient's account key pair. Throws OfflineSealError: 'malformed' (length,
 * version), 'bad-point' (E or the hidden A not on the curve, or MQV at infinity), 'auth-failed' (tampered, wrong
 * recipient, forged sender). Replays are the caller's SeenSet's business.
 */
export function offlineOpen(suite: CryptoSuite, recipient: KeyPair, sealed: Uint8Array): OpenedItem {
  if (sealed.length < SEAL_OVERHEAD_BYTES) throw new OfflineSealError('malformed', 'sealed item too short');
  if (sealed[0] !== SEAL_VERSION) throw new OfflineSealError('malformed', `unknown seal version ${sealed[0]}`);
  let o = 1;
  const E = sealed.subarray(o, (o += PUBLIC_KEY_BYTES));
  const messageId = sealed.slice(o, (o += MESSAGE_ID_BYTES));
  const hidden = sealed.subarray(o, (o += HIDDEN_BYTES));
  const body = sealed.subarray(o);
  const B = recipient.publicKey;
  const aad = concatBytes(B, messageId);
  const z1 = asPointError(() => suite.ecdh(recipient.privateKey, E));
  const hide = kdf(suite, OFFLINE_HIDE_LABEL, z1, E, B, messageId);
  const senderPub = suite.aeadOpen(hide.key, hide.nonce, hidden, aad);
  if (senderPub === null) throw new OfflineSealError('auth-failed', 'offline seal: sender layer did not authenticate');
  const z = asPointError(() =>
    suite.ecmqv({ ownStatic: recipient, ownEphemeral: recipient, peerStaticPub: senderPub, peerEphemeralPub: E }),
  );
  const k = kdf(suite, OFFLINE_SEAL_LABEL, z, senderPub, B, E, messageId);
  const plaintext = suite.aeadOpen(k.key, k.nonce, body, aad);
  if (plaintext === null) throw new OfflineSealError('auth-failed', 'offline seal: message did not authenticate');
  return { senderPub: senderPub.slice(), messageId, plaintext };
}

function asPointError(f: () => Uint8Array): Uint8Array {
  try {
    return f();
  } catch (e) {
    if (e instanceof CryptoError) throw new OfflineSealError('bad-point', e.message);
    throw e;
  }
}

/**
 * Bob's replay guard: message ids accepted per sender, with the time each was accepted. Bounded: at most
 * maxEntries ids in all (the oldest forgotten first) and each forgotten after retainMs (the holders' expiry plus a
 * margin: a holder that kept a deleted item past its expiry is the only one who could replay it, and expiry
 * bounds how long an honest one keeps it). A replay of a forgotten id is the bound's cost; it is counted nowhere
 * because it cannot be seen.
 */
export class SeenSet {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly maxEntries: number,
    private readonly retainMs: number,
  ) {}

  /** True the first time (sender, id) is offered within the retention window; records it. */
  admit(senderPub: Uint8Array, messageId: Uint8Array, nowMs: number): boolean {
    this.expire(nowMs);
    const key = `${toHex(senderPub)}/${toHex(messageId)}`;
    if (this.seen.has(key)) return false;
    if (this.seen.size >= this.maxEntries) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, nowMs);
    return true;
  }

  has(senderPub: Uint8Array, messageId: Uint8Array): boolean {
    return this.seen.has(`${toHex(senderPub)}/${toHex(messageId)}`);
  }

  get size(): number {
    return this.seen.size;
  }

  private expire(nowMs: number): void {
    // Insertion order = time order, so the expired ones are at the front.
    for (const [key, at] of this.seen) {
      if (nowMs - at < this.retainMs) break;
      this.seen.delete(key);
    }
  }
}
