/**
 * Fuzzing SessionManager's receive path: whatever bytes arrive, nothing throws, nothing is delivered that
 * an honest peer did not send, and every datagram ends in exactly one counted drop.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import { DEFAULT_WIRE_SIZE } from '../packet/constants.ts';
import { PayloadType } from '../packet/payload-type.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { changed, mutate, mutationArb } from '../packet/testing/mutations.ts';
import { totalDrops } from './stats.ts';
import { Loopback, ManualClock } from './testing/loopback.ts';
import { makeNode, utf8, type TestNode } from './testing/nodes.ts';

/** Alice and Bob with an established session, and every datagram that crossed the wire to set it up. */
function establishedPair() {
  const clock = new ManualClock();
  const net = new Loopback(clock);
  const alice = makeNode(net, 'alice', nodeSuite);
  const bob = makeNode(net, 'bob', nodeSuite);
  alice.manager.send(bob.peer(), PayloadType.DATA, utf8('one'));
  clock.advance(100);
  bob.manager.send(alice.peer(), PayloadType.DATA, utf8('two'));
  alice.manager.send(bob.peer(), PayloadType.DATA, new Uint8Array(700));
  clock.advance(100);
  const valid = net.sent.map((d) => d.bytes); // msg1, msg2, msg3, data, ack, data, data
  expect(valid.length).toBe(7);
  // Packets sealed but never delivered: mutations of these get past the replay window to the AEAD check.
  net.interceptor = () => [];
  for (let i = 0; i < 4; i++) {
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8(`unsent ${i}`));
    bob.manager.send(alice.peer(), PayloadType.DATA, utf8(`unsent ${i}`));
  }
  net.interceptor = undefined;
  const fresh = net.sent.slice(valid.length).map((d) => d.bytes);
  return { clock, net, alice, bob, valid, fresh };
}

function inject(env: ReturnType<typeof establishedPair>, to: TestNode, bytes: Uint8Array): void {
  env.net.inject({ from: 'eve', to: to.address, bytes });
  env.clock.advance(env.net.latencyMs);
}

describe('SessionManager receive path (fuzz)', () => {
  it('survives random and mutated datagrams: never throws, never delivers, one counted drop each', () => {
    const env = establishedPair();
    const { alice, bob, valid, fresh } = env;
    const genuine = [...valid, ...fresh];
    const connIds = [valid[3].subarray(0, 8), valid[4].subarray(0, 8)]; // Bob's and Alice's receive connIds
    // Random ciphertext under a live connId and a plausible seq: reaches the AEAD check.
    const forged = fc
      .tuple(fc.constantFrom(...connIds), fc.nat(10_000), fc.uint8Array({ minLength: DEFAULT_WIRE_SIZE - 16, maxLength: DEFAULT_WIRE_SIZE - 16 }))
      .map(([connId, seq, rest]) => {
        const out = new Uint8Array(DEFAULT_WIRE_SIZE);
        out.set(connId);
        new DataView(out.buffer).setUint32(12, seq);
        out.set(rest, 16);
        return out;
      });
    // An unknown connId and a valid curve point where an init has its ephemeral key: ECDH, then AEAD fails.
    const strangerInit = fc.tuple(fc.integer(), fc.uint8Array({ minLength: DEFAULT_WIRE_SIZE, maxLength: DEFAULT_WIRE_SIZE })).map(([seed, out]) => {
      out.set(nodeSuite.generateKeyPair(new SeededRng(seed)).publicKey, 8);
      return out;
    });
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 1400 }),
      strangerInit,
      fc.uint8Array({ minLength: DEFAULT_WIRE_SIZE, maxLength: DEFAULT_WIRE_SIZE }),
      forged,
      fc
        .tuple(fc.constantFrom(...genuine), mutationArb)
        .map(([packet, m]) => mutate(packet, m))
        .filter((bytes) => genuine.every((g) => changed(g, bytes))),
    );
    const inboxBefore = [alice.inbox.length, bob.inbox.length];
    fc.assert(
      fc.property(input, fc.boolean(), (bytes, toBob) => {
        const target = toBob ? bob : alice;
        const before = target.manager.stats();
        expect(() => inject(env, target, bytes)).not.toThrow();
        const after = target.manager.stats();
        expect(after.packetsReceived).toBe(before.packetsReceived + 1);
        expect(totalDrops(after.dropped)).toBe(totalDrops(before.dropped) + 1);
        expect(after.dropped.internal).toBeUndefined();
        expect(after.handshakesAccepted).toBe(before.handshakesAccepted);
      }),
      { numRuns: 600 },
    );
    expect([alice.inbox.length, bob.inbox.length]).toEqual(inboxBefore);
    // The session survived the barrage.
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('still here'));
    env.clock.advance(100);
    expect(bob.inbox.length).toBe(inboxBefore[1] + 1);
  });

  it('a flipped bit anywhere in an encrypted data packet is detected and never delivered', () => {
    const env = establishedPair();
    const { bob } = env;
    // A packet Bob has not seen yet, so only the mutation can make him reject it.
    const held: Uint8Array[] = [];
    env.net.interceptor = (d) => (d.from === 'alice' ? (held.push(d.bytes), []) : [d]);
    env.alice.manager.send(bob.peer(), PayloadType.DATA, utf8('fresh'));
    env.net.interceptor = undefined;
    const packet = held[0];
    expect(packet.length).toBe(DEFAULT_WIRE_SIZE);
    fc.assert(
      fc.property(fc.nat(packet.length * 8 - 1), (bit) => {
        const before = bob.manager.stats();
        const flipped = mutate(packet, { kind: 'flip', bit });
        expect(changed(packet, flipped)).toBe(true);
        inject(env, bob, flipped);
        const after = bob.manager.stats();
        const byte = bit >>> 3;
        const [reason] = Object.entries(after.dropped).filter(([k, v]) => v !== before.dropped[k as keyof typeof before.dropped]);
        // Ciphertext, tag and the low seq bytes are covered by AES-GCM; a changed connId finds no session, and
        // so does a change in bytes 16..32, the header-protection sample (the whole header unmasks differently);
        // a changed high seq byte may be rejected by the replay window or the 2^53 limit before any AEAD work.
        if (byte >= 32) expect(reason[0]).toBe('auth-failed');
        else if (byte < 8 || byte >= 16) expect(reason[0]).toBe('unknown-session');
        else expect(['auth-failed', 'too-old', 'replay', 'bad-seq']).toContain(reason[0]);
      }),
      { numRuns: 400 },
    );
    expect(bob.inbox.map((m) => new TextDecoder().decode(m.body))).toEqual(['one', '\0'.repeat(700)]);
    inject(env, bob, packet); // the untouched packet still opens: nothing above advanced the window
    expect(bob.inbox.length).toBe(3);
  });
});
