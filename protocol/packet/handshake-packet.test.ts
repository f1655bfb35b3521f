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

  // Guards the one-buffer seal (plaintext and padding sealed in place after the head): the packet must be
  // byte for byte head || aeadSeal(plaintext || rng padding) || zero trailer, with the same Rng draws.
  it('equals head || aeadSeal(plaintext || padding) || zero trailer, with the same Rng draws, in both padding modes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.constantFrom('fixed', 'variable'), fc.constantFrom(0, 16), fc.integer({ min: 0, max: 200 }), (seed, paddingMode, trailerBytes, n) => {
        const options = { wireSize: DEFAULT_WIRE_SIZE, paddingMode } as const;
        const [r1, r2] = [new SeededRng(seed), new SeededRng(seed)];
        const head = r1.bytes(INIT_HEAD_BYTES);
        r2.bytes(INIT_HEAD_BYTES);
        const body = r1.bytes(n);
        r2.bytes(n);
        const packet = sealHandshakePacket(suite, key, head, body, { ...options, rng: r1, trailerBytes });
        const room = handshakePlaintextSize(DEFAULT_WIRE_SIZE, INIT_HEAD_BYTES) - trailerBytes;
        const padded = new Uint8Array(paddingMode === 'fixed' ? room : n);
        padded.set(body);
        if (padded.length > n) padded.set(r2.bytes(padded.length - n), n);
        const expected = new Uint8Array(head.length + padded.length + 16 + trailerBytes);
        expected.set(head);
        expected.set(suite.aeadSeal(key, new Uint8Array(12), padded, head), head.length);
        expect(Buffer.from(packet).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
        expect(r1.uniform()).toBe(r2.uniform());
      }),
      { numRuns: 30 },
    );
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
