/**
 * Decoders never throw past their API: they return a discriminated result whose error carries a code a
 * caller can count. Encoders throw `PacketEncodeError` for programmer errors (a body that cannot fit).
 */

export type PacketErrorCode =
  /** Datagram length differs from the wire size ('fixed' mode) or lies outside the allowed range. */
  | 'wrong-size'
  /** Shorter than the fixed headers it must contain. */
  | 'truncated'
  /** The inner bodyLength field points past the plaintext. */
  | 'bad-length'
  /** The inner type byte is not a known PayloadType. */
  | 'unknown-type'
  /** AEAD authentication failed: tampered, wrong key, wrong nonce or AAD. */
  | 'auth-failed'
  /** A sequence number already accepted in this direction. */
  | 'replay'
  /** A sequence number older than the anti-replay window. */
  | 'too-old'
  /** A sequence number beyond the sender's limit (never produced by an honest sender). */
  | 'bad-seq'
  /** No session owns the connId and the packet is not a valid handshake either. */
  | 'unknown-session'
  /** A handshake field is malformed (for example an ephemeral key that is not a curve point). */
  | 'bad-handshake'
  /** A handshake init whose timestamp is outside the accepted window. */
  | 'stale-handshake'
  /** A key-confirmation tag (SP 800-56A §5.9.1) did not match: wrong static key or a man in the middle. */
  | 'bad-confirmation';

export interface PacketError {
  readonly code: PacketErrorCode;
  readonly message: string;
}

export type DecodeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: PacketError };

export function decoded<T>(value: T): DecodeResult<T> {
  return { ok: true, value };
}

export function rejected<T = never>(code: PacketErrorCode, message: string): DecodeResult<T> {
  return { ok: false, error: { code, message } };
}

export type PacketEncodeErrorCode = 'body-too-large' | 'bad-type' | 'bad-conn-id' | 'bad-key' | 'seq-exhausted' | 'too-short';

/** Thrown by encoders for inputs the calling code should never produce. */
export class PacketEncodeError extends Error {
  constructor(
    readonly code: PacketEncodeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PacketEncodeError';
  }
}
