/** RFC 4648 §6 base32 with the lowercase alphabet and no padding (identity text forms). */

export const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const DECODE = new Map([...BASE32_ALPHABET].map((c, i) => [c, i]));

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Characters needed for `byteLength` bytes. */
export function base32Length(byteLength: number): number {
  return Math.ceil((byteLength * 8) / 5);
}

export type Base32DecodeResult =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: 'bad-character'; index: number }
  | { ok: false; reason: 'non-canonical' };

/**
 * Decodes unpadded base32. Rejects characters outside the alphabet (reporting the index) and non-zero
 * leftover bits in the last character, so every byte string has exactly one accepted text form.
 */
export function base32Decode(text: string): Base32DecodeResult {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const v = DECODE.get(text[i]);
    if (v === undefined) return { ok: false, reason: 'bad-character', index: i };
    buffer = (buffer << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >>> bits) & 0xff;
    }
    buffer &= (1 << bits) - 1;
  }
  if (buffer !== 0) return { ok: false, reason: 'non-canonical' };
  return { ok: true, bytes: out };
}
