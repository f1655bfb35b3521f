/** Small byte helpers for the wire codecs. */

/** Largest sequence number a JS number holds exactly; honest senders stop (and rekey) before it. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** Writes `value` (an integer in [0, MAX_SEQ]) as 8 bytes big-endian at `offset`. */
export function writeU64(out: Uint8Array, offset: number, value: number): void {
  const high = Math.floor(value / 2 ** 32);
  const low = value >>> 0;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(offset, high);
  view.setUint32(offset + 4, low);
}

/** Reads 8 bytes big-endian; returns -1 when the value exceeds MAX_SEQ (not exactly representable). */
export function readU64(bytes: Uint8Array, offset: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const high = view.getUint32(offset);
  if (high >= 2 ** 21) return -1;
  return high * 2 ** 32 + view.getUint32(offset + 4);
}

// The generic helpers live once, in crypto/bytes.ts; the wire codecs import them from here under their names.
export { concatBytes, constantTimeEqual as equalBytes, fromHex, toHex, utf8 as asciiBytes } from '../crypto/bytes.ts';
