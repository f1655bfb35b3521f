/**
 * The cookie mechanism's two wire pieces (WireGuard paper §5.3 and §5.4.7, with AES-256-GCM in place of
 * XChaCha20-Poly1305):
 *
 *   cookie reply  R -> I  nonce(24) || AES-256-GCM_K(cookie(16) || zero padding) || tag(16)
 *                         K = HKDF-SHA256(keyMaterial, salt = nonce, info = label), GCM nonce all-zero,
 *                         AAD = nonce || requestDigest
 *   mac2 trailer          the last 16 bytes of a handshake init sent with a cookie:
 *                         mac2 = HMAC-SHA256(cookie, every byte before it)[0..16]
 *
 * A responder under load answers an init with a cookie reply instead of doing any ECDH; the initiator sends
 * its init again with mac2, which the responder checks with two HMACs before any public-key work.
 *
 * The reply is the same wire size as every packet (no amplification: reply size == request size) and
 * carries nothing in clear but a random nonce, so like every other paratox datagram it looks like uniform
 * random bytes (packet/README.md). Unlike WireGuard's it has no type byte and no receiver index: the
 * responder under load has not opened the init, so it knows neither the initiator's connId nor its header
 * key (both travel encrypted in msg1). The initiator recognises a reply by opening it under the pending
 * handshakes it has towards the reply's source address (session-manager.ts), a hash and an AES-GCM open
 * each, bounded by the handshakes to that one address. XChaCha's 24-byte random nonce is
 * emulated by deriving a one-use key from it (as HChaCha20 does), so the all-zero GCM nonce never repeats
 * under one key and random nonces have no 2^32-message limit. requestDigest (a hash of the init being
 * answered) in the AAD binds the reply to that init: a spoofer who has not seen the init cannot forge one.
 * The zero padding is encrypted, so on the wire it is as uniform as random padding, and costs no Rng draw.
 *
 * Kept apart from handshake-packet.ts so the wire encodings can change independently.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import { asciiBytes, concatBytes, equalBytes } from './bytes.ts';
import { AEAD_TAG_BYTES, NONCE_BYTES, type PaddingMode } from './constants.ts';
import { decoded, PacketEncodeError, rejected, type DecodeResult } from './errors.ts';
import { checkWireSize } from './wire-size.ts';

/** A cookie: a MAC of the initiator's source address under the responder's rotating secret. */
export const COOKIE_BYTES = 16;
/** Random per reply; the one-use AEAD key is derived from it. */
export const COOKIE_NONCE_BYTES = 24;
/** The reply's cleartext head: the random nonce, nothing else. */
export const COOKIE_REPLY_HEADER_BYTES = COOKIE_NONCE_BYTES;
/** Smallest cookie reply ('variable' padding mode): header, cookie, tag. */
export const MIN_COOKIE_REPLY_BYTES = COOKIE_REPLY_HEADER_BYTES + COOKIE_BYTES + AEAD_TAG_BYTES;
export const MAC2_BYTES = 16;

const REPLY_LABEL = asciiBytes('paratox/v1/cookie-reply');
const ZERO_NONCE = new Uint8Array(NONCE_BYTES);

export interface CookiePacketOptions {
  readonly wireSize: number;
  readonly paddingMode: PaddingMode;
}

export interface CookieReplyHeader {
  readonly nonce: Uint8Array;
}

function replyKey(suite: CryptoSuite, keyMaterial: Uint8Array, nonce: Uint8Array): Uint8Array {
  return suite.hkdf(keyMaterial, nonce, REPLY_LABEL, 32);
}

/** Encrypts `cookie` into a reply of exactly the wire size ('fixed' mode). */
export function sealCookieReply(
  suite: CryptoSuite,
  keyMaterial: Uint8Array,
  header: CookieReplyHeader,
  cookie: Uint8Array,
  requestDigest: Uint8Array,
  options: CookiePacketOptions,
): Uint8Array {
  if (header.nonce.length !== COOKIE_NONCE_BYTES) throw new PacketEncodeError('bad-key', `cookie nonce of ${header.nonce.length} bytes`);
  if (cookie.length !== COOKIE_BYTES) throw new PacketEncodeError('bad-key', `cookie of ${cookie.length} bytes`);
  const room = options.paddingMode === 'fixed' ? options.wireSize - COOKIE_REPLY_HEADER_BYTES - AEAD_TAG_BYTES : COOKIE_BYTES;
  const plaintext = new Uint8Array(room);
  plaintext.set(cookie, 0);
  const sealed = suite.aeadSeal(replyKey(suite, keyMaterial, header.nonce), ZERO_NONCE, plaintext, concatBytes(header.nonce, requestDigest));
  return concatBytes(header.nonce, sealed);
}

/** The cleartext header of a would-be cookie reply (no authentication yet). */
export function parseCookieReplyHeader(bytes: Uint8Array, options: CookiePacketOptions): DecodeResult<CookieReplyHeader> {
  const size = checkWireSize(bytes.length, options.wireSize, options.paddingMode, MIN_COOKIE_REPLY_BYTES);
  if (!size.ok) return size;
  if (bytes.length < MIN_COOKIE_REPLY_BYTES) return rejected('truncated', `cookie reply of ${bytes.length} bytes`);
  return decoded({ nonce: bytes.slice(0, COOKIE_REPLY_HEADER_BYTES) });
}

/** Authenticates and decrypts a cookie reply to the init whose digest is `requestDigest`. Never throws. */
export function openCookieReply(
  suite: CryptoSuite,
  keyMaterial: Uint8Array,
  bytes: Uint8Array,
  requestDigest: Uint8Array,
  options: CookiePacketOptions,
): DecodeResult<Uint8Array> {
  const header = parseCookieReplyHeader(bytes, options);
  if (!header.ok) return header;
  const head = bytes.subarray(0, COOKIE_REPLY_HEADER_BYTES);
  let plaintext: Uint8Array | null;
  try {
    plaintext = suite.aeadOpen(replyKey(suite, keyMaterial, header.value.nonce), ZERO_NONCE, bytes.subarray(COOKIE_REPLY_HEADER_BYTES), concatBytes(head, requestDigest));
  } catch {
    plaintext = null;
  }
  if (plaintext === null) return rejected('auth-failed', 'cookie reply failed AES-256-GCM authentication');
  return decoded(plaintext.slice(0, COOKIE_BYTES));
}

/** mac2 of `packet`: HMAC-SHA256 under `cookie` of every byte but the trailer, truncated to 16 bytes. */
export function computeMac2(suite: CryptoSuite, cookie: Uint8Array, packet: Uint8Array): Uint8Array {
  return suite.hmacSha256(cookie, packet.subarray(0, packet.length - MAC2_BYTES)).slice(0, MAC2_BYTES);
}

/** A copy of `packet` (built with MAC2_BYTES of trailer room) whose trailer is its mac2 under `cookie`. */
export function withMac2(suite: CryptoSuite, packet: Uint8Array, cookie: Uint8Array): Uint8Array {
  if (packet.length <= MAC2_BYTES) throw new PacketEncodeError('body-too-large', `packet of ${packet.length} bytes has no room for mac2`);
  const out = packet.slice();
  out.set(computeMac2(suite, cookie, packet), packet.length - MAC2_BYTES);
  return out;
}

/** Whether the trailer of `packet` is its mac2 under `cookie` (constant-time compare). */
export function hasValidMac2(suite: CryptoSuite, packet: Uint8Array, cookie: Uint8Array): boolean {
  if (packet.length <= MAC2_BYTES) return false;
  return equalBytes(packet.subarray(packet.length - MAC2_BYTES), computeMac2(suite, cookie, packet));
}
