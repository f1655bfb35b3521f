import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { DEFAULT_WIRE_SIZE, INNER_HEADER_BYTES, MIN_WIRE_SIZE } from './constants.ts';
import { PacketEncodeError } from './errors.ts';
import { decodeInner, encodeInner, encodeInnerInto, innerSize, maxBodyBytes } from './inner-codec.ts';
import { isPayloadType, PayloadType } from './payload-type.ts';

const TYPES = Object.values(PayloadType);
const wireSizes = fc.constantFrom(MIN_WIRE_SIZE, 576, DEFAULT_WIRE_SIZE, 1452);

describe('inner codec', () => {
  it('maxBodyBytes(1232) leaves room for connId, seq, inner header and GCM tag', () => {
    expect(maxBodyBytes(DEFAULT_WIRE_SIZE)).toBe(1232 - 8 - 8 - 3 - 16);
  });

  it('encode -> decode round-trips every type and body length (property)', () => {
    fc.assert(
      fc.property(wireSizes, fc.constantFrom(...TYPES), fc.integer(), fc.nat(), (wireSize, type, seed, lengthSeed) => {
        const rng = new SeededRng(seed);
        const body = rng.bytes(lengthSeed % (maxBodyBytes(wireSize) + 1));
        for (const paddingMode of ['fixed', 'variable'] as const) {
          const inner = encodeInner({ type, body }, { wireSize, paddingMode, rng });
          expect(inner.length).toBe(paddingMode === 'fixed' ? innerSize(wireSize) : INNER_HEADER_BYTES + body.length);
          const decoded = decodeInner(inner);
          expect(decoded).toEqual({ ok: true, value: { type, body } });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('encodeInnerInto writes encodeInner\'s bytes into a view and rejects a view of the wrong length', () => {
    const options = (seed: string) => ({ wireSize: MIN_WIRE_SIZE, paddingMode: 'fixed', rng: new SeededRng(seed) }) as const;
    const frame = { type: PayloadType.DATA, body: Uint8Array.of(1, 2, 3) };
    const datagram = new Uint8Array(innerSize(MIN_WIRE_SIZE) + 4).fill(0xee);
    encodeInnerInto(frame, options('into'), datagram.subarray(2, 2 + innerSize(MIN_WIRE_SIZE)));
    expect(datagram.subarray(2, 2 + innerSize(MIN_WIRE_SIZE))).toEqual(encodeInner(frame, options('into')));
    expect([...datagram.subarray(0, 2), ...datagram.subarray(-2)]).toEqual([0xee, 0xee, 0xee, 0xee]);
    expect(() => encodeInnerInto(frame, options('into'), new Uint8Array(innerSize(MIN_WIRE_SIZE) - 1))).toThrow(RangeError);
  });

  it('pads with fresh randomness: two encodings of one body differ only in the padding', () => {
    const rng = new SeededRng('pad');
    const body = new Uint8Array([1, 2, 3]);
    const a = encodeInner({ type: PayloadType.DATA, body }, { wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'fixed', rng });
    const b = encodeInner({ type: PayloadType.DATA, body }, { wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'fixed', rng });
    expect(a.subarray(0, 6)).toEqual(b.subarray(0, 6));
    expect(a.subarray(6)).not.toEqual(b.subarray(6));
  });

  it('throws PacketEncodeError for a body one byte too large', () => {
    const rng = new SeededRng(1);
    const body = new Uint8Array(maxBodyBytes(DEFAULT_WIRE_SIZE) + 1);
    expect(() => encodeInner({ type: PayloadType.DATA, body }, { wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'fixed', rng })).toThrow(
      PacketEncodeError,
    );
  });

  it('rejects truncated, unknown-type and overlong plaintexts with typed errors', () => {
    expect(decodeInner(new Uint8Array([PayloadType.DATA, 0])).ok).toBe(false);
    expect(decodeInner(new Uint8Array([PayloadType.DATA, 0]))).toMatchObject({ error: { code: 'truncated' } });
    expect(decodeInner(new Uint8Array([0x00, 0, 0]))).toMatchObject({ error: { code: 'unknown-type' } });
    expect(decodeInner(new Uint8Array([PayloadType.DATA, 0, 2, 9]))).toMatchObject({ error: { code: 'bad-length' } });
  });

  it('decodeInner never throws on arbitrary bytes and classifies every failure (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const result = decodeInner(bytes);
        if (result.ok) {
          expect(isPayloadType(result.value.type)).toBe(true);
          expect(result.value.body.length).toBe((bytes[1] << 8) | bytes[2]);
        } else {
          expect(['truncated', 'unknown-type', 'bad-length']).toContain(result.error.code);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
