/**
 * Hex map keys built as one flat string. `toHex` (protocol/crypto/bytes.ts) and noble's `bytesToHex` append two
 * digits per byte with `+=`, which V8 keeps as a rope: ~33 cons cells plus the pieces, about 1.6 KB for a 33-byte
 * key against 88 bytes flat. Every session and DHT table keeps such keys, and they were 38 % of a DHT node's heap
 * (issue 14). `hexKey` returns the same characters (lowercase hex, the same Map order and equality), flat.
 */

/** Char codes of '0'..'9', 'a'..'f'. */
const DIGIT_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Arguments per `String.fromCharCode` call: well below any engine's argument limit. */
const CODES_PER_CALL = 8192;

/** `prefix + hex(bytes) + suffix` as one flat string (prefix and suffix let composite keys stay flat too). */
export function hexKey(bytes: Uint8Array, prefix = '', suffix = ''): string {
  const codes = new Array<number>(prefix.length + bytes.length * 2 + suffix.length);
  let n = 0;
  for (let i = 0; i < prefix.length; i++) codes[n++] = prefix.charCodeAt(i);
  for (let i = 0; i < bytes.length; i++) {
    codes[n++] = DIGIT_CODES[bytes[i] >>> 4];
    codes[n++] = DIGIT_CODES[bytes[i] & 15];
  }
  for (let i = 0; i < suffix.length; i++) codes[n++] = suffix.charCodeAt(i);
  if (codes.length <= CODES_PER_CALL) return String.fromCharCode.apply(null, codes);
  // Long input (no map key is this long): chunks joined, correct if not flat.
  const parts: string[] = [];
  for (let at = 0; at < codes.length; at += CODES_PER_CALL) parts.push(String.fromCharCode.apply(null, codes.slice(at, at + CODES_PER_CALL)));
  return parts.join('');
}

/**
 * One char per byte (codes 0-255): a flat one-byte string half as long as hexKey's (80 B of heap for a 64-byte
 * field, not 144), for map keys nothing prints (issue 14). Equal bytes give equal keys, different bytes different
 * keys, so a Map keyed by it behaves as one keyed by hexKey. `prefix` is put in front, flat, as hexKey's is.
 */
export function byteKey(bytes: Uint8Array, prefix = ''): string {
  if (prefix.length + bytes.length > CODES_PER_CALL) throw new RangeError(`byteKey: ${bytes.length} bytes is longer than any map key`);
  if (prefix === '') return String.fromCharCode.apply(null, bytes as unknown as number[]);
  // `prefix + byteKey(bytes)` would be a rope (a cons cell over two strings); one call makes it flat.
  const codes = new Array<number>(prefix.length + bytes.length);
  for (let i = 0; i < prefix.length; i++) codes[i] = prefix.charCodeAt(i);
  for (let i = 0; i < bytes.length; i++) codes[prefix.length + i] = bytes[i];
  return String.fromCharCode.apply(null, codes);
}
