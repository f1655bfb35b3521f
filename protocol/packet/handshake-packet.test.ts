import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { DEFAULT_WIRE_SIZE, INIT_HEAD_BYTES, RESPONSE_HEAD_BYTES } from './constants.ts';
import { handshakePlaintextSize, openHandshakePacket, parseHandshakeHead, sealHandshakePacket } from './handshake-packet.ts';
import { changed, mutate, mutationArb } from './testing/mutations.ts';

const fixed = { wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'fixed' } as const;

describe.each([nodeSuite, nobleSuite])('handshake packet ($name)', (suite) => {
  const rng = new SeededRng(`handshake-packet/${suite.name}`);
  const key = rng.bytes(32);
  const plaintext = rng.bytes(41);

  it.each([INIT_HEAD_BYTES, RESPONSE_HEAD_BYTES])('head of %i: exactly the wire size, opens to the plaintext plus random padding', (headBytes) => {
    const head = rng.bytes(headBytes);
    const a = sealHandshakePacket(suite, key, head, plaintext, { ...fixed, rng });
    const b = sealHandshakePacket(suite, key, head, plaintext, { ...fixed, rng });
    expect(a.length).toBe(DEFAULT_WIRE_SIZE);
    expect(parseHandshakeHead(a, headBytes, 41, fixed)).toEqual({ ok: true, value: head });
    const opened = openHandshakePacket(suite, key, a, headBytes);
    expect(opened.ok && opened.value.length).toBe(handshakePlaintextSize(DEFAULT_WIRE_SIZE, headBytes));
    expect(opened.ok && opened.value.subarray(0, 41)).toEqual(plaintext);
    expect(changed(a.subarray(headBytes + 41), b.subarray(headBytes + 41))).toBe(true); // padding differs
  });

  it('the head is authenticated: a changed head byte fails', () => {
    const head = rng.bytes(INIT_HEAD_BYTES);
    const packet = sealHandshakePacket(suite, key, head, plaintext, { ...fixed, rng });
    packet[5] ^= 1;
    expect(openHandshakePacket(suite, key, packet, INIT_HEAD_BYTES)).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
  });

  it('rejects any mutation (fuzz): typed error, no throw', () => {
    const packet = sealHandshakePacket(suite, key, rng.bytes(INIT_HEAD_BYTES), plaintext, { ...fixed, rng });
    fc.assert(
      fc.property(fc.oneof(mutationArb.map((m) => mutate(packet, m)), fc.uint8Array({ maxLength: 1300 })), (bytes) => {
        const parsed = parseHandshakeHead(bytes, INIT_HEAD_BYTES, 41, fixed);
        const opened = openHandshakePacket(suite, key, bytes, INIT_HEAD_BYTES);
        if (changed(bytes, packet)) expect(opened.ok).toBe(false);
        if (!parsed.ok) expect(['wrong-size', 'truncated']).toContain(parsed.error.code);
        if (!opened.ok) expect(['truncated', 'auth-failed']).toContain(opened.error.code);
      }),
      { numRuns: 300 },
    );
  });
});
