import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { DEFAULT_WIRE_SIZE } from './constants.ts';
import { COOKIE_NONCE_BYTES, hasValidMac2, MAC2_BYTES, MIN_COOKIE_REPLY_BYTES, openCookieReply, sealCookieReply, withMac2 } from './cookie-packet.ts';
import { changed, mutate, mutationArb } from './testing/mutations.ts';

const fixed = { wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'fixed' } as const;

describe.each([nodeSuite, nobleSuite])('cookie reply and mac2 ($name)', (suite) => {
  const rng = new SeededRng(`cookie-packet/${suite.name}`);
  const keyMaterial = rng.bytes(32);
  const cookie = rng.bytes(16);
  const digest = rng.bytes(32);
  const header = () => ({ nonce: rng.bytes(COOKIE_NONCE_BYTES) });

  it('is exactly the wire size, opens to the cookie, and shows only a random nonce (no connId, no type byte)', () => {
    // Guards the uniform wire format: the hs-flood reply began with the initiator's connId in clear.
    const h = header();
    const reply = sealCookieReply(suite, keyMaterial, h, cookie, digest, fixed);
    expect(reply.length).toBe(DEFAULT_WIRE_SIZE);
    expect(reply.subarray(0, COOKIE_NONCE_BYTES)).toEqual(h.nonce);
    // Two replies for the same init and cookie share no byte positions beyond chance (nothing fixed in clear).
    const again = sealCookieReply(suite, keyMaterial, header(), cookie, digest, fixed);
    let same = 0;
    for (let i = 0; i < 64; i++) same += Number(reply[i] === again[i]);
    expect(same).toBeLessThan(6);
    expect(openCookieReply(suite, keyMaterial, reply, digest, fixed)).toEqual({ ok: true, value: cookie });
    // The cookie is not in clear anywhere (16 bytes; a chance match is negligible).
    const hex = Buffer.from(reply).toString('hex');
    expect(hex.includes(Buffer.from(cookie).toString('hex'))).toBe(false);
  });

  it('fails for another init (digest), another responder key, or any mutation: typed error, no throw', () => {
    const reply = sealCookieReply(suite, keyMaterial, header(), cookie, digest, fixed);
    const otherDigest = digest.slice();
    otherDigest[0] ^= 1;
    expect(openCookieReply(suite, keyMaterial, reply, otherDigest, fixed)).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    expect(openCookieReply(suite, rng.bytes(32), reply, digest, fixed)).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    fc.assert(
      fc.property(fc.oneof(mutationArb.map((m) => mutate(reply, m)), fc.uint8Array({ maxLength: 1300 })), (bytes) => {
        const opened = openCookieReply(suite, keyMaterial, bytes, digest, fixed);
        if (changed(bytes, reply)) expect(opened.ok).toBe(false);
        if (!opened.ok) expect(['wrong-size', 'truncated', 'auth-failed']).toContain(opened.error.code);
      }),
      { numRuns: 200 },
    );
  });

  it("is its minimum size in 'variable' mode, never larger than the smallest init it answers", () => {
    const variable = { wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'variable' } as const;
    const reply = sealCookieReply(suite, keyMaterial, header(), cookie, digest, variable);
    expect(reply.length).toBe(MIN_COOKIE_REPLY_BYTES);
    expect(MIN_COOKIE_REPLY_BYTES).toBeLessThan(64 + 33 + 8 + 8 + 32 + 16); // ES head + msg1 plaintext + tag
    expect(openCookieReply(suite, keyMaterial, reply, digest, variable)).toEqual({ ok: true, value: cookie });
  });

  it('mac2 covers every byte before it and only verifies under its cookie', () => {
    const packet = new Uint8Array(DEFAULT_WIRE_SIZE);
    packet.set(rng.bytes(DEFAULT_WIRE_SIZE - MAC2_BYTES));
    const signed = withMac2(suite, packet, cookie);
    expect(signed.length).toBe(DEFAULT_WIRE_SIZE);
    expect(signed.subarray(0, DEFAULT_WIRE_SIZE - MAC2_BYTES)).toEqual(packet.subarray(0, DEFAULT_WIRE_SIZE - MAC2_BYTES));
    expect(hasValidMac2(suite, signed, cookie)).toBe(true);
    expect(hasValidMac2(suite, packet, cookie)).toBe(false);
    expect(hasValidMac2(suite, signed, rng.bytes(16))).toBe(false);
    for (const at of [0, 500, DEFAULT_WIRE_SIZE - MAC2_BYTES - 1, DEFAULT_WIRE_SIZE - 1]) {
      const bent = signed.slice();
      bent[at] ^= 0x80;
      expect(hasValidMac2(suite, bent, cookie)).toBe(false);
    }
    expect(hasValidMac2(suite, new Uint8Array(MAC2_BYTES), cookie)).toBe(false);
  });
});
