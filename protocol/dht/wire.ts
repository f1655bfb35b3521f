/**
 * Byte-level reader and writer for the DHT codecs. The reader signals malformed input with a `WireError`
 * carrying a typed code; codecs catch it at their API boundary and return a discriminated result, so no
 * exception ever leaves a decoder.
 */
import { MAX_ADDRESS_BYTES, NODE_PUB_BYTES } from './constants.ts';

export type WireErrorCode =
  | 'truncated'
  | 'bad-length'
  | 'bad-address'
  | 'bad-pub'
  | 'bad-field'
  | 'unknown-type'
  | 'oversize';

export class WireError extends Error {
  constructor(
    readonly code: WireErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

const ASCII = /^[\x00-\x7f]*$/;

/** UTF-8 length of an address, or -1 if it is not encodable as a contact address (empty or too long). */
export function addressBytes(address: string): number {
  // Addresses are almost always ASCII ("host:port", "n42"): skip the encoder then.
  const n = address.length <= MAX_ADDRESS_BYTES && ASCII.test(address) ? address.length : utf8Encoder.encode(address).length;
  return n >= 1 && n <= MAX_ADDRESS_BYTES ? n : -1;
}

export class ByteWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
  }

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): this {
    this.reserve(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.reserve(2);
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  /** Unsigned 64-bit big-endian from a non-negative safe integer (millisecond timestamps). */
  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`u64: not a non-negative safe integer: ${v}`);
    const hi = Math.floor(v / 2 ** 32);
    const lo = v >>> 0;
    this.reserve(8);
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 8);
    view.setUint32(0, hi);
    view.setUint32(4, lo);
    this.len += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** u8 length prefix + UTF-8 bytes; the caller has checked the length fits. */
  shortString(text: string): this {
    if (text.length <= 255 && ASCII.test(text)) {
      this.reserve(1 + text.length);
      this.buf[this.len++] = text.length;
      for (let i = 0; i < text.length; i++) this.buf[this.len++] = text.charCodeAt(i);
      return this;
    }
    const b = utf8(text);
    if (b.length > 255) throw new RangeError('shortString: longer than 255 bytes');
    return this.u8(b.length).bytes(b);
  }

  /** u16 length prefix + bytes. */
  blob(b: Uint8Array): this {
    if (b.length > 0xffff) throw new RangeError('blob: longer than 65535 bytes');
    return this.u16(b.length).bytes(b);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export class ByteReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) throw new WireError('truncated', `truncated ${what}`);
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }

  u16(what = 'u16'): number {
    this.need(2, what);
    const v = (this.buf[this.pos] << 8) | this.buf[this.pos + 1];
    this.pos += 2;
    return v;
  }

  u64(what = 'u64'): number {
    this.need(8, what);
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    const hi = view.getUint32(0);
    const lo = view.getUint32(4);
    this.pos += 8;
    // Timestamps above 2^53 are not meaningful here; refuse them rather than lose precision.
    if (hi >= 2 ** 21) throw new WireError('bad-field', `${what} exceeds 2^53`);
    return hi * 2 ** 32 + lo;
  }

  /** A copy, so decoded messages never alias the (possibly reused) input buffer. */
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  blob(what = 'blob'): Uint8Array {
    return this.bytes(this.u16(`${what} length`), what);
  }

  /** A contact address: u8 length in [1, MAX_ADDRESS_BYTES], valid UTF-8. */
  address(what = 'address', allowEmpty = false): string {
    const n = this.u8(`${what} length`);
    if ((n === 0 && !allowEmpty) || n > MAX_ADDRESS_BYTES) throw new WireError('bad-address', `${what} length ${n}`);
    const raw = this.bytes(n, what);
    try {
      return utf8Decoder.decode(raw);
    } catch {
      throw new WireError('bad-address', `${what} is not valid UTF-8`);
    }
  }

  /** A SEC1-compressed public key; only the prefix is checked here (full point validation is the session's). */
  nodePub(what = 'nodePub'): Uint8Array {
    const pub = this.bytes(NODE_PUB_BYTES, what);
    if (pub[0] !== 0x02 && pub[0] !== 0x03) throw new WireError('bad-pub', `${what} prefix 0x${pub[0].toString(16)}`);
    return pub;
  }

  end(): void {
    if (this.pos !== this.buf.length) throw new WireError('bad-length', `${this.buf.length - this.pos} trailing bytes`);
  }
}
