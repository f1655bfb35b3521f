/**
 * The inner plaintext of a data packet: `type (1) || bodyLength (2, big-endian) || body || padding`.
 * Padding is random bytes from the injected Rng and sits INSIDE the encryption, so it is authenticated and
 * indistinguishable from the body; in 'fixed' mode it fills the plaintext to exactly the wire size.
 */
import type { Rng } from '../runtime/rng.ts';
import { AEAD_TAG_BYTES, DATA_HEADER_BYTES, INNER_HEADER_BYTES, MAX_BODY_LENGTH_FIELD, type PaddingMode } from './constants.ts';
import { decoded, PacketEncodeError, rejected, type DecodeResult } from './errors.ts';
import type { Frame } from './frame.ts';
import { isPayloadType, payloadTypeName } from './payload-type.ts';

export interface InnerEncodeOptions {
  readonly wireSize: number;
  readonly paddingMode: PaddingMode;
  readonly rng: Rng;
}

/** Plaintext bytes a data packet of `wireSize` carries: the wire size minus connId, seq and GCM tag. */
export function innerSize(wireSize: number): number {
  return wireSize - DATA_HEADER_BYTES - AEAD_TAG_BYTES;
}

/** Largest body a data packet of `wireSize` carries (1197 bytes at the default 1232). */
export function maxBodyBytes(wireSize: number): number {
  return Math.min(innerSize(wireSize) - INNER_HEADER_BYTES, MAX_BODY_LENGTH_FIELD);
}

/** Length of the inner plaintext a body of `bodyLength` bytes encodes to: the whole inner size in 'fixed' mode. */
export function innerLength(bodyLength: number, options: Pick<InnerEncodeOptions, 'wireSize' | 'paddingMode'>): number {
  return options.paddingMode === 'fixed' ? innerSize(options.wireSize) : INNER_HEADER_BYTES + bodyLength;
}

/** Throws PacketEncodeError('body-too-large' | 'bad-type') for bodies or types the caller must not produce. */
export function encodeInner(frame: Frame, options: InnerEncodeOptions): Uint8Array {
  const out = new Uint8Array(innerLength(frame.body.length, options));
  encodeInnerInto(frame, options, out);
  return out;
}

/**
 * encodeInner written into `out` (exactly innerLength bytes, e.g. a view into the datagram being built), the
 * padding drawn straight into place: no intermediate arrays (issue 14). Same checks and throws as encodeInner.
 */
export function encodeInnerInto(frame: Frame, options: InnerEncodeOptions, out: Uint8Array): void {
  const { type, body } = frame;
  if (!isPayloadType(type)) throw new PacketEncodeError('bad-type', `unknown payload type ${payloadTypeName(type)}`);
  const max = maxBodyBytes(options.wireSize);
  if (body.length > max) {
    throw new PacketEncodeError('body-too-large', `body of ${body.length} bytes exceeds ${max} at wire size ${options.wireSize}`);
  }
  if (out.length !== innerLength(body.length, options)) {
    throw new RangeError(`encodeInnerInto: ${out.length}-byte output for a ${innerLength(body.length, options)}-byte inner plaintext`);
  }
  encodeInnerRoom(frame, out, options.rng);
}

/**
 * type || bodyLength || body, then random padding to the end of `out`, whatever its size: for plaintexts laid out
 * by other packets (one-shot queries, protocol/session/one-shot.ts). The caller checks type and room.
 */
export function encodeInnerRoom(frame: Frame, out: Uint8Array, rng: Rng): void {
  const { type, body } = frame;
  const used = INNER_HEADER_BYTES + body.length;
  if (out.length < used) throw new RangeError(`encodeInnerRoom: ${out.length} bytes for a ${used}-byte inner plaintext`);
  out[0] = type;
  out[1] = body.length >>> 8;
  out[2] = body.length & 0xff;
  out.set(body, INNER_HEADER_BYTES);
  if (out.length > used) rng.fillBytes(out.subarray(used));
}

/** Never throws: malformed plaintexts come back as typed errors. */
export function decodeInner(plaintext: Uint8Array): DecodeResult<Frame> {
  if (plaintext.length < INNER_HEADER_BYTES) return rejected('truncated', `inner plaintext of ${plaintext.length} bytes`);
  const type = plaintext[0];
  if (!isPayloadType(type)) return rejected('unknown-type', `payload type ${payloadTypeName(type)}`);
  const bodyLength = (plaintext[1] << 8) | plaintext[2];
  if (INNER_HEADER_BYTES + bodyLength > plaintext.length) {
    return rejected('bad-length', `body length ${bodyLength} exceeds the ${plaintext.length - INNER_HEADER_BYTES} bytes present`);
  }
  return decoded({ type, body: plaintext.slice(INNER_HEADER_BYTES, INNER_HEADER_BYTES + bodyLength) });
}
