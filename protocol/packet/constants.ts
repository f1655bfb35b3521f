/**
 * Wire-format constants shared by every paratox datagram.
 *
 * One wire size for every datagram (data, handshake, noise): a global observer learns nothing from packet
 * lengths. The default fits the smallest MTU every IPv6 path must carry (RFC 8200 §5: 1280 bytes) minus the
 * IPv6 (40) and UDP (8) headers, so no packet is ever fragmented.
 */

/** 1280 (IPv6 minimum MTU, RFC 8200 §5) - 40 (IPv6 header) - 8 (UDP header). */
export const DEFAULT_WIRE_SIZE = 1232;

/** Connection identifier chosen by the receiver of a packet; masked on the wire (header-protection.ts). */
export const CONN_ID_BYTES = 8;
/** Per-direction sequence number, big-endian; it is also the variable part of the AEAD nonce. */
export const SEQ_BYTES = 8;
/** connId || seq, the cleartext header of a data packet (and its AAD). */
export const DATA_HEADER_BYTES = CONN_ID_BYTES + SEQ_BYTES;
/** AES-256-GCM authentication tag (NIST SP 800-38D, 128-bit tag). */
export const AEAD_TAG_BYTES = 16;
/** AES-256-GCM key. */
export const AEAD_KEY_BYTES = 32;
/** 96-bit GCM nonce (SP 800-38D §8.2.1 deterministic construction: fixed field || invocation counter). */
export const NONCE_BYTES = 12;
/** The fixed field of the nonce: a 4-byte direction label. */
export const NONCE_LABEL_BYTES = 4;

/** Inner plaintext header: type (1) || bodyLength (2, big-endian). */
export const INNER_HEADER_BYTES = 3;
/** A 2-byte body length bounds the body, whatever the wire size. */
export const MAX_BODY_LENGTH_FIELD = 0xffff;

/** An ephemeral P-256 point on the wire: Elligator Squared, two field elements (crypto/elligator-squared.ts). */
export const EPHEMERAL_FIELD_BYTES = 64;
/** msg1's cleartext head (and AAD): the initiator's encoded ephemeral key, nothing else. */
export const INIT_HEAD_BYTES = EPHEMERAL_FIELD_BYTES;
/** msg2's cleartext head (and AAD), before header protection: connId || seq (0) || the responder's encoded key. */
export const RESPONSE_HEAD_BYTES = DATA_HEADER_BYTES + EPHEMERAL_FIELD_BYTES;

/**
 * Smallest wire size accepted: a handshake must fit (msg1: 64-byte head + 33-byte static key + 8-byte
 * timestamp + 8-byte connId + 32-byte header key + 16-byte tag = 161 bytes), with room to spare for small
 * bodies and a few more handshake fields. Anything below this is a configuration error.
 */
export const MIN_WIRE_SIZE = 256;
/** Largest UDP payload over IPv4 (65535 - 20 IPv4 header - 8 UDP header). */
export const MAX_WIRE_SIZE = 65_507;

/**
 * 'fixed' (default): every datagram is padded to the wire size, inside the encryption.
 * 'variable': padding omitted, so packet length = header + body + tag. Exists only so the testbed can show
 * what size correlation does to anonymity; never use it for real traffic.
 */
export type PaddingMode = 'fixed' | 'variable';
export const DEFAULT_PADDING_MODE: PaddingMode = 'fixed';

/** Throws a RangeError unless `wireSize` is an integer within [MIN_WIRE_SIZE, MAX_WIRE_SIZE]. */
export function assertWireSize(wireSize: number): void {
  if (!Number.isInteger(wireSize) || wireSize < MIN_WIRE_SIZE || wireSize > MAX_WIRE_SIZE) {
    throw new RangeError(`wire size must be an integer in [${MIN_WIRE_SIZE}, ${MAX_WIRE_SIZE}], got ${wireSize}`);
  }
}
