import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { DEFAULT_WIRE_SIZE } from './constants.ts';
import { handshakePlaintextSize, openHandshakePacket, parseHandshakeHeader, sealHandshakePacket } from './handshake-packet.ts';
import { changed, mutate, mutationArb } from './testing/mutations.ts';

const fixed = { wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'fixed' } as const;

describe.each([nodeSuite, nobleSuite])('handshake packet ($name)', (suite) => {
  const rng = new SeededRng(`handshake-packet/${suite.name}`);
  const key = rng.bytes(32);
  const header = { connId: rng.bytes(8), ephemeralPub: suite.generateKeyPair(rng).publicKey };
  const plaintext = rng.bytes(41);

  it('has exactly the wire size, opens to the plaintext plus random padding, and exposes only its header', () => {
    const a = sealHandshakePacket(suite, key, header, plaintext, { ...fixed, rng });
    const b = sealHandshakePacket(suite, key, header, plaintext, { ...fixed, rng });
    expect(a.length).toBe(DEFAULT_WIRE_SIZE);
    expect(parseHandshakeHeader(a, 41, fixed)).toEqual({ ok: true, value: header });
    const opened = openHandshakePacket(suite, key, a);
    expect(opened.ok && opened.value.length).toBe(handshakePlaintextSize(DEFAULT_WIRE_SIZE));
    expect(opened.ok && opened.value.subarray(0, 41)).toEqual(plaintext);
    expect(changed(a.subarray(41 + 41), b.subarray(41 + 41))).toBe(true); // padding differs
  });

  it('rejects any mutation (fuzz): typed error, no throw', () => {
    const packet = sealHandshakePacket(suite, key, header, plaintext, { ...fixed, rng });
    fc.assert(
      fc.property(fc.oneof(mutationArb.map((m) => mutate(packet, m)), fc.uint8Array({ maxLength: 1300 })), (bytes) => {
        const parsed = parseHandshakeHeader(bytes, 41, fixed);
        const opened = openHandshakePacket(suite, key, bytes);
        if (changed(bytes, packet)) expect(opened.ok).toBe(false);
        if (!parsed.ok) expect(['wrong-size', 'truncated']).toContain(parsed.error.code);
        if (!opened.ok) expect(['truncated', 'auth-failed']).toContain(opened.error.code);
      }),
      { numRuns: 300 },
    );
  });
});
