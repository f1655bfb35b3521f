/**
 * Data packet: `connId (8) || seq (8, big-endian) || AES-256-GCM(inner) || tag (16)`.
 * Nonce = 4-byte direction label || seq (SP 800-38D §8.2.1 deterministic construction: a fixed field and an
 * invocation counter that never repeats under one key). AAD = connId || seq, so neither header field can be
 * altered without failing authentication.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import type { Rng } from '../runtime/rng.ts';
import { asciiBytes, MAX_SEQ, readU64, writeU64 } from './bytes.ts';
import {
  AEAD_KEY_BYTES,
  AEAD_TAG_BYTES,
  CONN_ID_BYTES,
  DATA_HEADER_BYTES,
  INNER_HEADER_BYTES,
  NONCE_BYTES,
  NONCE_LABEL_BYTES,
  type PaddingMode,
} from './constants.ts';
import { decoded, PacketEncodeError, rejected, type DecodeResult } from './errors.ts';
import type { Frame } from './frame.ts';
import { decodeInner, encodeInnerInto, innerLength } from './inner-codec.ts';
import { checkWireSize } from './wire-size.ts';

/** The nonce's fixed field per direction. Each direction also has its own key; the label guards reflection. */
export const DIRECTION_LABEL = {
  initiatorToResponder: asciiBytes('i->r'),
  responderToInitiator: asciiBytes('r->i'),
} as const;

export type Direction = keyof typeof DIRECTION_LABEL;

/** Smallest possible data packet: header, an empty inner header, tag. */
export const MIN_DATA_PACKET_BYTES = DATA_HEADER_BYTES + INNER_HEADER_BYTES + AEAD_TAG_BYTES;

export interface DataHeader {
  readonly connId: Uint8Array;
  readonly seq: number;
}

export interface DataPacketOptions {
  readonly wireSize: number;
  readonly paddingMode: PaddingMode;
}

export function dataNonce(label: Uint8Array, seq: number): Uint8Array {
  const nonce = new Uint8Array(NONCE_BYTES);
  nonce.set(label, 0);
  writeU64(nonce, NONCE_LABEL_BYTES, seq);
  return nonce;
}

/** Encrypts an already encoded inner plaintext. Throws PacketEncodeError on a bad key, connId or seq. */
export function sealDataPacket(
  suite: CryptoSuite,
  key: Uint8Array,
  label: Uint8Array,
  header: DataHeader,
  inner: Uint8Array,
): Uint8Array {
  const datagram = new Uint8Array(DATA_HEADER_BYTES + inner.length + AEAD_TAG_BYTES);
  datagram.set(inner, DATA_HEADER_BYTES);
  sealInPlace(suite, key, label, header, datagram);
  return datagram;
}

/**
 * encodeInner + sealDataPacket: a frame in, a datagram of exactly the wire size ('fixed') out. Built in one
 * buffer: the inner plaintext (padding included) is written at its place in the datagram and sealed there.
 */
export function sealDataFrame(
  suite: CryptoSuite,
  key: Uint8Array,
  label: Uint8Array,
  header: DataHeader,
  frame: Frame,
  options: DataPacketOptions & { readonly rng: Rng },
): Uint8Array {
  const innerBytes = innerLength(frame.body.length, options);
  const datagram = new Uint8Array(DATA_HEADER_BYTES + innerBytes + AEAD_TAG_BYTES);
  encodeInnerInto(frame, options, datagram.subarray(DATA_HEADER_BYTES, DATA_HEADER_BYTES + innerBytes));
  sealInPlace(suite, key, label, header, datagram);
  return datagram;
}

/**
 * `datagram` = header slot (16) || inner plaintext || tag slot (16): writes the header and seals the inner
 * plaintext where it lies, AAD = the header as written (no header buffer, no ciphertext copy).
 */
function sealInPlace(suite: CryptoSuite, key: Uint8Array, label: Uint8Array, header: DataHeader, datagram: Uint8Array): void {
  if (key.length !== AEAD_KEY_BYTES) throw new PacketEncodeError('bad-key', `AEAD key of ${key.length} bytes`);
  if (header.connId.length !== CONN_ID_BYTES) throw new PacketEncodeError('bad-conn-id', `connId of ${header.connId.length} bytes`);
  if (!Number.isSafeInteger(header.seq) || header.seq < 0 || header.seq > MAX_SEQ) {
    throw new PacketEncodeError('seq-exhausted', `seq ${header.seq} outside [0, ${MAX_SEQ}]`);
  }
  datagram.set(header.connId, 0);
  writeU64(datagram, CONN_ID_BYTES, header.seq);
  const sealed = datagram.subarray(DATA_HEADER_BYTES);
  const plaintext = datagram.subarray(DATA_HEADER_BYTES, datagram.length - AEAD_TAG_BYTES);
  suite.aeadSealInto(key, dataNonce(label, header.seq), plaintext, sealed, datagram.subarray(0, DATA_HEADER_BYTES));
}

/** Reads the cleartext header after the length gate. Never throws. */
export function parseDataHeader(bytes: Uint8Array, options: DataPacketOptions): DecodeResult<DataHeader> {
  const size = checkWireSize(bytes.length, options.wireSize, options.paddingMode, MIN_DATA_PACKET_BYTES);
  if (!size.ok) return size;
  if (bytes.length < MIN_DATA_PACKET_BYTES) return rejected('truncated', `data packet of ${bytes.length} bytes`);
  const seq = readU64(bytes, CONN_ID_BYTES);
  if (seq < 0) return rejected('bad-seq', 'sequence number beyond 2^53 - 1');
  return decoded({ connId: bytes.slice(0, CONN_ID_BYTES), seq });
}

/** Authenticates and decrypts; returns the inner plaintext (padding included). Never throws. */
export function openDataPacket(
  suite: CryptoSuite,
  key: Uint8Array,
  label: Uint8Array,
  bytes: Uint8Array,
  options: DataPacketOptions,
): DecodeResult<{ readonly header: DataHeader; readonly inner: Uint8Array }> {
  const header = parseDataHeader(bytes, options);
  if (!header.ok) return header;
  let inner: Uint8Array | null;
  try {
    inner = suite.aeadOpen(key, dataNonce(label, header.value.seq), bytes.subarray(DATA_HEADER_BYTES), bytes.subarray(0, DATA_HEADER_BYTES));
  } catch {
    inner = null; // a back end that throws on malformed input is treated like a failed tag check
  }
  if (inner === null) return rejected('auth-failed', 'data packet failed AES-256-GCM authentication');
  return decoded({ header: header.value, inner });
}

/** openDataPacket + decodeInner. */
export function openDataFrame(
  suite: CryptoSuite,
  key: Uint8Array,
  label: Uint8Array,
  bytes: Uint8Array,
  options: DataPacketOptions,
): DecodeResult<{ readonly header: DataHeader; readonly frame: Frame }> {
  const opened = openDataPacket(suite, key, label, bytes, options);
  if (!opened.ok) return opened;
  const frame = decodeInner(opened.value.inner);
  if (!frame.ok) return frame;
  return decoded({ header: opened.value.header, frame: frame.value });
}
