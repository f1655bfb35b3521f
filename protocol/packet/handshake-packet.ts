/**
 * Handshake packet: `connId (8) || ephemeralPub (33) || AES-256-GCM(plaintext || padding) || tag (16)`.
 * The only cleartext is the connId and a compressed ephemeral P-256 point; everything else is ciphertext,
 * padded inside the encryption to the same wire size as data packets.
 *
 * Each handshake key is derived from a fresh ephemeral key and encrypts exactly one plaintext (a
 * retransmission resends the identical bytes), so a constant all-zero nonce is safe: one (key, nonce) pair,
 * one message. AAD = connId || ephemeralPub binds the cleartext header.
 *
 * `trailerBytes` reserves zeroed room after the tag for an outer MAC the caller fills in (the mac2 of an init
 * sent with a cookie, cookie-packet.ts); the packet is still exactly the wire size in 'fixed' mode, and
 * openHandshakePacket is then given the packet without its trailer.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import type { Rng } from '../runtime/rng.ts';
import { AEAD_KEY_BYTES, AEAD_TAG_BYTES, CONN_ID_BYTES, EPHEMERAL_PUB_BYTES, HANDSHAKE_HEADER_BYTES, NONCE_BYTES, type PaddingMode } from './constants.ts';
import { decoded, PacketEncodeError, rejected, type DecodeResult } from './errors.ts';
import { checkWireSize } from './wire-size.ts';

const ZERO_NONCE = new Uint8Array(NONCE_BYTES);

export interface HandshakeHeader {
  readonly connId: Uint8Array;
  readonly ephemeralPub: Uint8Array;
}

export interface HandshakePacketOptions {
  readonly wireSize: number;
  readonly paddingMode: PaddingMode;
}

/** Plaintext room in a handshake packet of `wireSize` ('fixed' mode pads to it). */
export function handshakePlaintextSize(wireSize: number): number {
  return wireSize - HANDSHAKE_HEADER_BYTES - AEAD_TAG_BYTES;
}

/**
 * Encrypts `plaintext`; in 'fixed' mode random padding from `rng` fills it to the wire size first (less
 * `trailerBytes`, left zero at the end for the caller).
 */
export function sealHandshakePacket(
  suite: CryptoSuite,
  key: Uint8Array,
  header: HandshakeHeader,
  plaintext: Uint8Array,
  options: HandshakePacketOptions & { readonly rng: Rng; readonly trailerBytes?: number },
): Uint8Array {
  const trailer = options.trailerBytes ?? 0;
  if (key.length !== AEAD_KEY_BYTES) throw new PacketEncodeError('bad-key', `AEAD key of ${key.length} bytes`);
  if (header.connId.length !== CONN_ID_BYTES) throw new PacketEncodeError('bad-conn-id', `connId of ${header.connId.length} bytes`);
  if (header.ephemeralPub.length !== EPHEMERAL_PUB_BYTES) throw new PacketEncodeError('bad-key', 'ephemeral key is not 33 bytes');
  const room = handshakePlaintextSize(options.wireSize) - trailer;
  if (plaintext.length > room) throw new PacketEncodeError('body-too-large', `handshake plaintext of ${plaintext.length} bytes exceeds ${room}`);
  const padded = options.paddingMode === 'fixed' ? new Uint8Array(room) : new Uint8Array(plaintext.length);
  padded.set(plaintext, 0);
  if (padded.length > plaintext.length) padded.set(options.rng.bytes(padded.length - plaintext.length), plaintext.length);
  const head = new Uint8Array(HANDSHAKE_HEADER_BYTES);
  head.set(header.connId, 0);
  head.set(header.ephemeralPub, CONN_ID_BYTES);
  const sealed = suite.aeadSeal(key, ZERO_NONCE, padded, head);
  const out = new Uint8Array(HANDSHAKE_HEADER_BYTES + sealed.length + trailer);
  out.set(head, 0);
  out.set(sealed, HANDSHAKE_HEADER_BYTES);
  return out;
}

/** Reads the cleartext header; `minPlaintext` is the fixed plaintext prefix this message kind needs. */
export function parseHandshakeHeader(bytes: Uint8Array, minPlaintext: number, options: HandshakePacketOptions): DecodeResult<HandshakeHeader> {
  const size = checkWireSize(bytes.length, options.wireSize, options.paddingMode, HANDSHAKE_HEADER_BYTES + minPlaintext + AEAD_TAG_BYTES);
  if (!size.ok) return size;
  if (bytes.length < HANDSHAKE_HEADER_BYTES + minPlaintext + AEAD_TAG_BYTES) return rejected('truncated', `handshake packet of ${bytes.length} bytes`);
  return decoded({ connId: bytes.slice(0, CONN_ID_BYTES), ephemeralPub: bytes.slice(CONN_ID_BYTES, HANDSHAKE_HEADER_BYTES) });
}

/** Authenticates and decrypts; returns the plaintext with its padding. Never throws. */
export function openHandshakePacket(suite: CryptoSuite, key: Uint8Array, bytes: Uint8Array): DecodeResult<Uint8Array> {
  if (bytes.length < HANDSHAKE_HEADER_BYTES + AEAD_TAG_BYTES) return rejected('truncated', `handshake packet of ${bytes.length} bytes`);
  let plaintext: Uint8Array | null;
  try {
    plaintext = suite.aeadOpen(key, ZERO_NONCE, bytes.subarray(HANDSHAKE_HEADER_BYTES), bytes.subarray(0, HANDSHAKE_HEADER_BYTES));
  } catch {
    plaintext = null;
  }
  if (plaintext === null) return rejected('auth-failed', 'handshake packet failed AES-256-GCM authentication');
  return decoded(plaintext);
}
