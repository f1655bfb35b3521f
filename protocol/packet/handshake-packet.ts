/**
 * Handshake packet: `head || AES-256-GCM(plaintext || padding) || tag (16)`, the head in clear and used as AAD.
 *   msg1 (init):     head = ES(EI) (64)                          nothing masked: the sender has no header key yet
 *   msg2 (response): head = cI (8) || seq 0 (8) || ES(ER) (64)   connId || seq masked under the initiator's
 *                                                                  header key, like a data packet's header
 * ES(.) is the Elligator Squared encoding of an ephemeral point (crypto/elligator-squared.ts): 64 bytes that
 * look uniformly random. So every byte of a handshake packet looks like the bytes at the same position in a
 * data packet (masked header, then ciphertext), and both have the same wire size.
 *
 * Each handshake key is derived from a fresh ephemeral key and encrypts exactly one plaintext (a
 * retransmission resends the identical bytes), so a constant all-zero nonce is safe: one (key, nonce) pair,
 * one message.
 *
 * `trailerBytes` reserves zeroed room after the tag for an outer MAC the caller fills in (the mac2 of an init
 * sent with a cookie, cookie-packet.ts); the packet is still exactly the wire size in 'fixed' mode, and
 * openHandshakePacket is then given the packet without its trailer.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import type { Rng } from '../runtime/rng.ts';
import { AEAD_KEY_BYTES, AEAD_TAG_BYTES, NONCE_BYTES, type PaddingMode } from './constants.ts';
import { decoded, PacketEncodeError, rejected, type DecodeResult } from './errors.ts';
import { checkWireSize } from './wire-size.ts';

const ZERO_NONCE = new Uint8Array(NONCE_BYTES);

export interface HandshakePacketOptions {
  readonly wireSize: number;
  readonly paddingMode: PaddingMode;
}

/** Plaintext room in a handshake packet of `wireSize` with a head of `headBytes` ('fixed' mode pads to it). */
export function handshakePlaintextSize(wireSize: number, headBytes: number): number {
  return wireSize - headBytes - AEAD_TAG_BYTES;
}

/**
 * Encrypts `plaintext` behind `head`; in 'fixed' mode random padding from `rng` fills it to the wire size
 * (less `trailerBytes`, left zero at the end for the caller).
 */
export function sealHandshakePacket(
  suite: CryptoSuite,
  key: Uint8Array,
  head: Uint8Array,
  plaintext: Uint8Array,
  options: HandshakePacketOptions & { readonly rng: Rng; readonly trailerBytes?: number },
): Uint8Array {
  const trailer = options.trailerBytes ?? 0;
  if (key.length !== AEAD_KEY_BYTES) throw new PacketEncodeError('bad-key', `AEAD key of ${key.length} bytes`);
  const room = handshakePlaintextSize(options.wireSize, head.length) - trailer;
  if (plaintext.length > room) throw new PacketEncodeError('body-too-large', `handshake plaintext of ${plaintext.length} bytes exceeds ${room}`);
  // One buffer: head, then plaintext and padding sealed in place (aeadSealInto allows out over plaintext).
  const bodyBytes = options.paddingMode === 'fixed' ? room : plaintext.length;
  const out = new Uint8Array(head.length + bodyBytes + AEAD_TAG_BYTES + trailer);
  out.set(head, 0);
  const body = out.subarray(head.length, head.length + bodyBytes);
  body.set(plaintext, 0);
  if (bodyBytes > plaintext.length) options.rng.fillBytes(body.subarray(plaintext.length));
  suite.aeadSealInto(key, ZERO_NONCE, body, out.subarray(head.length, head.length + bodyBytes + AEAD_TAG_BYTES), head);
  return out;
}

/** Length gate plus the head: `headBytes` of cleartext, then at least `minPlaintext` + tag. Never throws. */
export function parseHandshakeHead(bytes: Uint8Array, headBytes: number, minPlaintext: number, options: HandshakePacketOptions): DecodeResult<Uint8Array> {
  const minLength = headBytes + minPlaintext + AEAD_TAG_BYTES;
  const size = checkWireSize(bytes.length, options.wireSize, options.paddingMode, minLength);
  if (!size.ok) return size;
  if (bytes.length < minLength) return rejected('truncated', `handshake packet of ${bytes.length} bytes`);
  return decoded(bytes.slice(0, headBytes));
}

/** Authenticates (AAD = the head) and decrypts; returns the plaintext with its padding. Never throws. */
export function openHandshakePacket(suite: CryptoSuite, key: Uint8Array, bytes: Uint8Array, headBytes: number): DecodeResult<Uint8Array> {
  if (bytes.length < headBytes + AEAD_TAG_BYTES) return rejected('truncated', `handshake packet of ${bytes.length} bytes`);
  let plaintext: Uint8Array | null;
  try {
    plaintext = suite.aeadOpen(key, ZERO_NONCE, bytes.subarray(headBytes), bytes.subarray(0, headBytes));
  } catch {
    plaintext = null;
  }
  if (plaintext === null) return rejected('auth-failed', 'handshake packet failed AES-256-GCM authentication');
  return decoded(plaintext);
}
