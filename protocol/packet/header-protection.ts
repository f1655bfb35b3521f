/**
 * Header protection, QUIC-style (RFC 9001 §5.4.1/§5.4.3): the 16-byte routing header connId || seq is XORed
 * with mask = AES-256-ECB(headerKey, sample), sample = the 16 bytes that follow the header (ciphertext in a
 * data packet, Elligator Squared bytes in a response). The sample lies outside the masked bytes, so the same
 * operation masks and unmasks. The header key is the RECEIVER's: each node draws one secret header key and
 * hands it to every peer inside the (encrypted) handshake; peers mask what they send it under that key, and it
 * unmasks with its one key before the connId lookup. AEAD AAD stays the unmasked header (data-packet.ts).
 *
 * Masks of distinct samples are independent AES outputs; samples repeat only if two ciphertexts' first blocks
 * collide (2^-128 per pair), so masked headers look uniformly random to anyone without the header key.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import { DATA_HEADER_BYTES } from './constants.ts';
import { PacketEncodeError } from './errors.ts';

/** AES-256 key, as the suite's single-block cipher takes. */
export const HEADER_KEY_BYTES = 32;
/** connId (8) || seq (8): every byte of it is masked (QUIC masks only the packet number; we mask routing too). */
export const PROTECTED_HEADER_BYTES = DATA_HEADER_BYTES;
export const HP_SAMPLE_OFFSET = PROTECTED_HEADER_BYTES;
export const HP_SAMPLE_BYTES = 16;
/** A packet must reach past the sample. */
export const MIN_PROTECTED_PACKET_BYTES = HP_SAMPLE_OFFSET + HP_SAMPLE_BYTES;

/**
 * A copy of `packet` with its first 16 bytes XORed with AES-256(headerKey, packet[16..32)). Masks a clear
 * packet and unmasks a masked one. Throws PacketEncodeError for a bad key or a packet too short to sample
 * (callers gate lengths first: every paratox packet is at least MIN_PROTECTED_PACKET_BYTES).
 */
export function toggleHeaderMask(suite: CryptoSuite, headerKey: Uint8Array, packet: Uint8Array): Uint8Array {
  checkMaskInput(headerKey, packet);
  const out = packet.slice();
  toggleHeaderMaskInPlace(suite, headerKey, out);
  return out;
}

/**
 * toggleHeaderMask on `packet` itself, for a sender masking the datagram it just built (no 1232-byte copy,
 * issue 14). Never on received bytes: the caller's buffer is not ours to change.
 */
export function toggleHeaderMaskInPlace(suite: CryptoSuite, headerKey: Uint8Array, packet: Uint8Array): void {
  checkMaskInput(headerKey, packet);
  const mask = suite.aesEcbEncryptBlock(headerKey, packet.subarray(HP_SAMPLE_OFFSET, HP_SAMPLE_OFFSET + HP_SAMPLE_BYTES));
  for (let i = 0; i < PROTECTED_HEADER_BYTES; i++) packet[i] ^= mask[i];
}

function checkMaskInput(headerKey: Uint8Array, packet: Uint8Array): void {
  if (headerKey.length !== HEADER_KEY_BYTES) throw new PacketEncodeError('bad-key', `header key of ${headerKey.length} bytes`);
  if (packet.length < MIN_PROTECTED_PACKET_BYTES) throw new PacketEncodeError('too-short', `packet of ${packet.length} bytes has no header-protection sample`);
}
