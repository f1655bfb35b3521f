import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { DEFAULT_WIRE_SIZE, MIN_WIRE_SIZE } from './constants.ts';
import { concatBytes, writeU64 } from './bytes.ts';
import { DIRECTION_LABEL, dataNonce, openDataFrame, parseDataHeader, sealDataFrame, sealDataPacket } from './data-packet.ts';
import { PacketEncodeError } from './errors.ts';
import { encodeInner, maxBodyBytes } from './inner-codec.ts';
import { PayloadType } from './payload-type.ts';
import { changed, mutate, mutationArb } from './testing/mutations.ts';

const label = DIRECTION_LABEL.initiatorToResponder;
const fixed = { wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'fixed' } as const;
const TYPES = Object.values(PayloadType);

describe.each([nobleSuite, nodeSuite])('data packet ($name)', (suite) => {
  const rng = new SeededRng(`data-packet/${suite.name}`);
  const key = rng.bytes(32);
  const connId = rng.bytes(8);

  it('seal -> open round-trips and every packet has exactly the wire size (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(MIN_WIRE_SIZE, DEFAULT_WIRE_SIZE),
        fc.constantFrom(...TYPES),
        fc.nat(),
        fc.nat(2 ** 53 - 1),
        (wireSize, type, lengthSeed, seq) => {
          const options = { wireSize, paddingMode: 'fixed', rng } as const;
          const body = rng.bytes(lengthSeed % (maxBodyBytes(wireSize) + 1));
          const packet = sealDataFrame(suite, key, label, { connId, seq }, { type, body }, options);
          expect(packet.length).toBe(wireSize);
          const opened = openDataFrame(suite, key, label, packet, options);
          expect(opened).toEqual({ ok: true, value: { header: { connId, seq }, frame: { type, body } } });
        },
      ),
      { numRuns: 60 },
    );
  });

  // Guards the one-buffer seal (issue 14): the datagram built in place is the composition it replaced, byte
  // for byte (header || aeadSeal(encodeInner(frame)) with AAD = header), drawing the same padding.
  it('sealDataFrame equals header || aeadSeal(encodeInner(frame)) in both padding modes (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('fixed', 'variable'), fc.constantFrom(...TYPES), fc.nat(), fc.nat(2 ** 53 - 1), fc.string(), (paddingMode, type, lengthSeed, seq, seed) => {
        const frame = { type, body: rng.bytes(lengthSeed % (maxBodyBytes(DEFAULT_WIRE_SIZE) + 1)) };
        const options = { wireSize: DEFAULT_WIRE_SIZE, paddingMode } as const;
        const header = new Uint8Array(16);
        header.set(connId);
        writeU64(header, 8, seq);
        const inner = encodeInner(frame, { ...options, rng: new SeededRng(seed) });
        const reference = concatBytes(header, suite.aeadSeal(key, dataNonce(label, seq), inner, header));
        expect(sealDataFrame(suite, key, label, { connId, seq }, frame, { ...options, rng: new SeededRng(seed) })).toEqual(reference);
        expect(sealDataPacket(suite, key, label, { connId, seq }, inner)).toEqual(reference);
      }),
      { numRuns: 40 },
    );
  });

  it("'variable' mode omits padding: length = 16 header + 3 inner + body + 16 tag", () => {
    const options = { wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'variable', rng } as const;
    const packet = sealDataFrame(suite, key, label, { connId, seq: 7 }, { type: PayloadType.DATA, body: new Uint8Array(10) }, options);
    expect(packet.length).toBe(16 + 3 + 10 + 16);
    expect(openDataFrame(suite, key, label, packet, options).ok).toBe(true);
  });

  it('two packets with the same body and seq still differ (random padding)', () => {
    const body = new Uint8Array(5);
    const a = sealDataFrame(suite, key, label, { connId, seq: 1 }, { type: PayloadType.PING, body }, { ...fixed, rng });
    const b = sealDataFrame(suite, key, label, { connId, seq: 1 }, { type: PayloadType.PING, body }, { ...fixed, rng });
    expect(a.subarray(0, 16 + 8)).toEqual(b.subarray(0, 16 + 8)); // header + CTR keystream over type/len/body
    expect(changed(a, b)).toBe(true);
  });

  it('rejects the wrong direction label, the wrong key and the wrong size', () => {
    const packet = sealDataFrame(suite, key, label, { connId, seq: 3 }, { type: PayloadType.DATA, body: new Uint8Array(1) }, { ...fixed, rng });
    expect(openDataFrame(suite, key, DIRECTION_LABEL.responderToInitiator, packet, fixed)).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    expect(openDataFrame(suite, rng.bytes(32), label, packet, fixed)).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    expect(openDataFrame(suite, key, label, packet.subarray(1), fixed)).toMatchObject({ ok: false, error: { code: 'wrong-size' } });
  });

  it('a flipped bit anywhere is detected: auth-failed (or a header-level error), never delivered (property)', () => {
    const packet = sealDataFrame(suite, key, label, { connId, seq: 42 }, { type: PayloadType.DATA, body: rng.bytes(100) }, { ...fixed, rng });
    fc.assert(
      fc.property(fc.nat(packet.length * 8 - 1), (bit) => {
        const bad = mutate(packet, { kind: 'flip', bit });
        const result = openDataFrame(suite, key, label, bad, fixed);
        expect(result.ok).toBe(false);
        // A flip in the top of the seq field can push it beyond 2^53: rejected before decryption.
        if (!result.ok) expect(['auth-failed', 'bad-seq']).toContain(result.error.code);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on random or mutated input; every failure has a code (fuzz)', () => {
    const valid = sealDataFrame(suite, key, label, { connId, seq: 9 }, { type: PayloadType.DHT, body: rng.bytes(40) }, { ...fixed, rng });
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 1300 }),
      fc.uint8Array({ minLength: DEFAULT_WIRE_SIZE, maxLength: DEFAULT_WIRE_SIZE }),
      mutationArb.map((m) => mutate(valid, m)),
    );
    fc.assert(
      fc.property(input, fc.constantFrom('fixed', 'variable'), (bytes, paddingMode) => {
        const options = { wireSize: DEFAULT_WIRE_SIZE, paddingMode } as const;
        const header = parseDataHeader(bytes, options);
        const result = openDataFrame(suite, key, label, bytes, options);
        if (changed(bytes, valid)) expect(result.ok).toBe(false);
        if (!result.ok) expect(['wrong-size', 'truncated', 'auth-failed', 'bad-seq']).toContain(result.error.code);
        if (!header.ok) expect(result.ok).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('throws PacketEncodeError for a bad key, connId or seq', () => {
    const inner = new Uint8Array(3);
    inner[0] = PayloadType.DATA;
    expect(() => sealDataPacket(suite, key.subarray(1), label, { connId, seq: 0 }, inner)).toThrow(PacketEncodeError);
    expect(() => sealDataPacket(suite, key, label, { connId: connId.subarray(1), seq: 0 }, inner)).toThrow(PacketEncodeError);
    expect(() => sealDataPacket(suite, key, label, { connId, seq: -1 }, inner)).toThrow(PacketEncodeError);
    expect(() => sealDataPacket(suite, key, label, { connId, seq: 2 ** 53 }, inner)).toThrow(PacketEncodeError);
  });
});
