/** Small byte helpers for the wire codecs. */

/** Largest sequence number a JS number holds exactly; honest senders stop (and rekey) before it. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** Writes `value` (an integer in [0, MAX_SEQ]) as 8 bytes big-endian at `offset`. */
export function writeU64(out: Uint8Array, offset: number, value: number): void {
  // Byte by byte, not through a DataView: one is allocated per call otherwise, on every packet sealed (issue 14).
  if (offset < 0 || offset + 8 > out.length) throw new RangeError(`writeU64: offset ${offset} outside ${out.length} bytes`);
  const high = Math.floor(value / 2 ** 32);
  const low = value >>> 0;
  out[offset] = high >>> 24;
  out[offset + 1] = high >>> 16;
  out[offset + 2] = high >>> 8;
  out[offset + 3] = high;
  out[offset + 4] = low >>> 24;
  out[offset + 5] = low >>> 16;
  out[offset + 6] = low >>> 8;
  out[offset + 7] = low;
}

/** Reads 8 bytes big-endian; returns -1 when the value exceeds MAX_SEQ (not exactly representable). */
export function readU64(bytes: Uint8Array, offset: number): number {
  if (offset < 0 || offset + 8 > bytes.length) throw new RangeError(`readU64: offset ${offset} outside ${bytes.length} bytes`);
  const high = readU32(bytes, offset);
  if (high >= 2 ** 21) return -1;
  return high * 2 ** 32 + readU32(bytes, offset + 4);
}

/** 4 bytes big-endian as an unsigned integer. Module level, not a closure per call: tsx/esbuild's keepNames wraps
 * every closure creation in a __name() call, which showed in the open path's profile (issue 14). */
function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

// The generic helpers live once, in crypto/bytes.ts; the wire codecs import them from here under their names.
export { concatBytes, constantTimeEqual as equalBytes, fromHex, toHex, utf8 as asciiBytes } from '../crypto/bytes.ts';
