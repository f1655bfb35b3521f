/**
 * writeU64 / readU64 write and read bytes by hand (no DataView per call: issue 14's packet path). Guards: a byte
 * order or sign slip against the DataView reference they replaced, and out-of-range offsets that a typed array
 * would silently ignore.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SEQ, readU64, writeU64 } from './bytes.ts';

function referenceWrite(value: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(value / 2 ** 32));
  view.setUint32(4, value >>> 0);
  return out;
}

describe('writeU64 / readU64', () => {
  it('write the same bytes as the DataView reference and read them back (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_SEQ }), fc.integer({ min: 0, max: 8 }), (value, offset) => {
        const out = new Uint8Array(16).fill(0xaa);
        writeU64(out, offset, value);
        expect(out.subarray(offset, offset + 8)).toEqual(referenceWrite(value));
        expect(out[offset + 8] ?? 0xaa).toBe(0xaa); // nothing written past the 8 bytes
        expect(readU64(out, offset)).toBe(value);
      }),
    );
    expect(referenceWrite(2 ** 32 + 0x01020304)).toEqual(new Uint8Array([0, 0, 0, 1, 1, 2, 3, 4]));
  });

  it('read -1 beyond 2^53 - 1 and throw on offsets outside the buffer', () => {
    expect(readU64(new Uint8Array([0, 0x20, 0, 0, 0, 0, 0, 0]), 0)).toBe(-1);
    expect(readU64(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 0)).toBe(-1);
    expect(readU64(new Uint8Array([0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 0)).toBe(MAX_SEQ);
    expect(() => writeU64(new Uint8Array(8), 1, 5)).toThrow(RangeError);
    expect(() => readU64(new Uint8Array(7), 0)).toThrow(RangeError);
    expect(() => readU64(new Uint8Array(8), -1)).toThrow(RangeError);
  });
});
