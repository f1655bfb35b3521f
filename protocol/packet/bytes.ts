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

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Constant-time equality for secrets such as confirmation tags. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

// No Buffer: protocol/ stays portable to browsers (the noble back end runs there).
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) throw new TypeError('fromHex: not an even-length hex string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** ASCII labels (protocol constants) as bytes. */
export function asciiBytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
