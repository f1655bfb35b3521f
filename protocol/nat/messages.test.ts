import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { decodeNatMessage, encodeNatMessage, MappingBehaviour, NatMessageType, type NatMessage } from './messages.ts';

const rng = new SeededRng('nat-messages');
const pub = nobleSuite.generateKeyPair(rng).publicKey;
const id = rng.bytes(8);
const nonce = rng.bytes(16);

const SAMPLES: NatMessage[] = [
  { kind: 'register', requestId: id, mapping: 'address-dependent' },
  { kind: 'registered', requestId: id, ttlMs: 600_000, observedAddress: '203.0.113.7:40000' },
  { kind: 'punch-request', requestId: id, targetPub: pub, mapping: 'unknown' },
  { kind: 'punch-ready', requestId: id, targetPub: pub, nonce, targetAddress: 'b:1', targetMapping: 'endpoint-independent', observedAddress: 'a' },
  { kind: 'punch-notify', nonce, requesterPub: pub, requesterAddress: 'a:2', requesterMapping: 'address-dependent' },
  { kind: 'refused', requestId: id, reason: 'rate-limited' },
  { kind: 'probe', requestId: id },
  { kind: 'probe-ack', requestId: id },
  { kind: 'relay', requestId: id, targetPub: pub, sealed: rng.bytes(300) },
  { kind: 'relayed', sourcePub: pub, sealed: rng.bytes(300) },
];

describe('NAT message codec', () => {
  it('round-trips every message kind, with type bytes in the range the DHT reserved (0x20-0x2f)', () => {
    expect(new Set(SAMPLES.map((m) => m.kind)).size).toBe(Object.keys(NatMessageType).length);
    for (const m of SAMPLES) {
      const bytes = encodeNatMessage(m);
      expect(bytes[0]).toBeGreaterThanOrEqual(0x20);
      expect(bytes[0]).toBeLessThanOrEqual(0x2f);
      expect(decodeNatMessage(bytes)).toEqual({ ok: true, message: m });
    }
  });

  it('rejects truncation, trailing bytes, unknown types and enum values with typed errors', () => {
    const ready = encodeNatMessage(SAMPLES[3]);
    expect(decodeNatMessage(ready.subarray(0, ready.length - 1))).toMatchObject({ ok: false, error: 'truncated' });
    expect(decodeNatMessage(Uint8Array.of(...ready, 0))).toMatchObject({ ok: false, error: 'bad-length' });
    expect(decodeNatMessage(Uint8Array.of(0x2f))).toMatchObject({ ok: false, error: 'unknown-type' });
    const reg = encodeNatMessage(SAMPLES[0]);
    reg[reg.length - 1] = MappingBehaviour.length;
    expect(decodeNatMessage(reg)).toMatchObject({ ok: false, error: 'bad-field' });
    const notify = encodeNatMessage(SAMPLES[4]);
    notify[17] = 0x04; // nodePub prefix of an uncompressed point: refused
    expect(decodeNatMessage(notify)).toMatchObject({ ok: false, error: 'bad-pub' });
    expect(decodeNatMessage(new Uint8Array(0))).toMatchObject({ ok: false, error: 'truncated' });
  });

  it('refuses to encode wrong-sized fields and unencodable addresses', () => {
    expect(() => encodeNatMessage({ kind: 'probe', requestId: new Uint8Array(7) })).toThrow(RangeError);
    expect(() => encodeNatMessage({ ...SAMPLES[1], observedAddress: '' } as NatMessage)).toThrow(RangeError);
    expect(() => encodeNatMessage({ ...SAMPLES[1], observedAddress: 'x'.repeat(65) } as NatMessage)).toThrow(RangeError);
  });

  it('never throws on arbitrary or mutated input', () => {
    const encoded = SAMPLES.map(encodeNatMessage);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        expect(typeof decodeNatMessage(bytes).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.nat(encoded.length - 1), fc.nat(), fc.integer({ min: 0, max: 255 }), (i, pos, v) => {
        const bytes = encoded[i].slice();
        bytes[pos % bytes.length] = v;
        const d = decodeNatMessage(bytes);
        if (d.ok) expect(decodeNatMessage(encodeNatMessage(d.message))).toEqual(d);
      }),
      { numRuns: 500 },
    );
  });
});
