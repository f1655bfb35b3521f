import { describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import { DEFAULT_WIRE_SIZE } from '../packet/constants.ts';
import { MAC2_BYTES, withMac2 } from '../packet/cookie-packet.ts';
import type { Rng } from '../runtime/rng.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { CookieChecker, openCookieReplyTo } from './cookie.ts';

const wire = { wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'fixed' } as const;
const lifetimeMs = 120_000;

/** A SeededRng that counts the bytes drawn from it. */
function countingRng(seed: string): { rng: Rng; drawn: () => number } {
  const inner = new SeededRng(seed);
  let drawn = 0;
  const rng: Rng = {
    bytes: (n) => ((drawn += n), inner.bytes(n)),
    fillBytes: (out) => ((drawn += out.length), inner.fillBytes(out)),
    uniform: () => inner.uniform(),
    int: (m) => inner.int(m),
    exponential: (m) => inner.exponential(m),
    fork: (name) => inner.fork(name),
  };
  return { rng, drawn: () => drawn };
}

describe('CookieChecker', () => {
  const rng = new SeededRng('cookie-test');
  const responder = nodeSuite.generateKeyPair(rng);
  const init = () => {
    const packet = rng.bytes(DEFAULT_WIRE_SIZE);
    packet.fill(0, DEFAULT_WIRE_SIZE - MAC2_BYTES);
    return packet;
  };
  /** What an initiator at `source` would send after the reply to `packet`. */
  function answer(checker: CookieChecker, source: string, packet: Uint8Array, nowMs: number): Uint8Array {
    const reply = checker.reply({ source, init: packet, responderStaticPub: responder.publicKey, nowMs });
    const cookie = openCookieReplyTo(nodeSuite, { init: packet, responderStaticPub: responder.publicKey }, reply, wire);
    if (!cookie.ok) throw new Error(cookie.error.message);
    return withMac2(nodeSuite, packet, cookie.value);
  }

  it('draws no randomness and validates nothing until it first hands out a cookie', () => {
    const counting = countingRng('lazy');
    const checker = new CookieChecker(nodeSuite, counting.rng, lifetimeMs, wire);
    expect(checker.hasValidMac2('alice', withMac2(nodeSuite, init(), new Uint8Array(16)), 0)).toBe(false);
    expect(counting.drawn()).toBe(0);
    answer(checker, 'alice', init(), 0);
    expect(counting.drawn()).toBeGreaterThan(0);
  });

  it("binds the cookie to the source address: mac2 from another address fails", () => {
    const checker = new CookieChecker(nodeSuite, new SeededRng('bind'), lifetimeMs, wire);
    const signed = answer(checker, 'alice', init(), 0);
    expect(checker.hasValidMac2('alice', signed, 1)).toBe(true);
    expect(checker.hasValidMac2('mallory', signed, 1)).toBe(false);
  });

  it('a cookie validates for at least one lifetime, across one rotation, and not after two lifetimes', () => {
    const checker = new CookieChecker(nodeSuite, new SeededRng('rotate'), lifetimeMs, wire);
    const early = answer(checker, 'alice', init(), 0);
    const late = answer(checker, 'alice', init(), lifetimeMs - 1); // same secret, handed out at its last ms
    answer(checker, 'bob', init(), lifetimeMs); // rotates: the first secret becomes the previous one
    expect(checker.hasValidMac2('alice', early, lifetimeMs)).toBe(true);
    expect(checker.hasValidMac2('alice', late, 2 * lifetimeMs - 2)).toBe(true);
    expect(checker.hasValidMac2('alice', late, 2 * lifetimeMs)).toBe(false); // secret born at 0 is 2 lifetimes old
  });

  it('its reply is the wire size and only opens for the init it answers, under the addressed key', () => {
    const checker = new CookieChecker(nodeSuite, new SeededRng('reply'), lifetimeMs, wire);
    const packet = init();
    const reply = checker.reply({ source: 'alice', init: packet, responderStaticPub: responder.publicKey, nowMs: 0 });
    expect(reply.length).toBe(DEFAULT_WIRE_SIZE);
    // Nothing of the init in clear (the hs-flood reply began with its connId): uniform wire format.
    expect(reply.subarray(0, 8)).not.toEqual(packet.subarray(0, 8));
    expect(openCookieReplyTo(nodeSuite, { init: init(), responderStaticPub: responder.publicKey }, reply, wire).ok).toBe(false);
    const otherKey = nodeSuite.generateKeyPair(rng).publicKey;
    expect(openCookieReplyTo(nodeSuite, { init: packet, responderStaticPub: otherKey }, reply, wire).ok).toBe(false);
  });
});
