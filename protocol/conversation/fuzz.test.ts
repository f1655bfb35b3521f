/**
 * Fuzzing every decoder and the receive path: whatever bytes the rendezvous point injects, nothing throws,
 * nothing is delivered that Alice did not send, and every payload ends in exactly one counted drop.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import { changed, mutate, mutationArb } from '../packet/testing/mutations.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { createInit, openInit, openResponse } from './handshake.ts';
import { totalDrops } from './stats.ts';
import { FakeChannelPair, type Side } from './testing/fake-channel.ts';
import { World } from './testing/parties.ts';
import { decodeConfirm, decodeFrame, decodeInitPlaintext, decodeResponse, INIT_BYTES, parseRecordHeader, PayloadKind } from './wire.ts';

const suite = nodeSuite;

describe('decoders (fuzz)', () => {
  it('never throw on arbitrary bytes', () => {
    const rng = new SeededRng('dec');
    const ctx = { suite, rng };
    const alice = suite.generateKeyPair(rng);
    const bob = suite.generateKeyPair(rng);
    const hs = createInit(ctx, { account: alice, peerAccountPub: bob.publicKey, nowMs: 0 });
    const decoders = [decodeFrame, decodeResponse, decodeConfirm, decodeInitPlaintext, parseRecordHeader, (b: Uint8Array) => openInit(ctx, bob, b), (b: Uint8Array) => openResponse(ctx, hs, b)];
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.tuple(fc.constantFrom(0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12), fc.uint8Array({ maxLength: 300 })).map(([k, rest]) => Uint8Array.of(k, ...rest)),
      fc.uint8Array({ minLength: 66, maxLength: 66 }).map((b) => (b.set([PayloadKind.RESPONSE, 0x02], 0), b)),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        for (const decode of decoders) expect(() => decode(b)).not.toThrow();
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('receive path (fuzz)', () => {
  function establishedWorld() {
    const world = new World({ suite, seed: 'fuzz' });
    const alice = world.party('alice');
    const bob = world.party('bob');
    alice.service.send(bob.account.publicKey, new Uint8Array(900).fill(1));
    world.clock.advance(1_000);
    bob.service.send(alice.account.publicKey, new Uint8Array(10).fill(2));
    world.clock.advance(1_000);
    expect([alice.inbox.length, bob.inbox.length]).toEqual([1, 1]);
    expect(world.pairs).toHaveLength(1);
    const channel = world.pairs[0];
    const valid = channel.carried.map((c) => c.bytes);
    // Sealed but never delivered: mutations of these get past the replay window to the AEAD check.
    channel.interceptor = () => [];
    alice.service.send(bob.account.publicKey, new Uint8Array(700).fill(3));
    bob.service.send(alice.account.publicKey, new Uint8Array(30).fill(4));
    world.clock.advance(100);
    const fresh = channel.carried.slice(valid.length).map((c) => c.bytes);
    expect(fresh.length).toBeGreaterThan(2);
    return { world, alice, bob, channel, genuine: [...valid, ...fresh] };
  }

  it('random and mutated payloads to either end or a stranger channel: no throw, no delivery, one drop each', () => {
    const { world, alice, bob, channel, genuine } = establishedWorld();
    const strangerChannel = () => {
      const pair = new FakeChannelPair(world.clock);
      bob.service.accept(pair.b);
      return pair;
    };
    // A plausible init: right kind and length, a valid ECIES point: Bob does ECDH, then AEAD fails.
    const init = fc.tuple(fc.integer(), fc.uint8Array({ minLength: INIT_BYTES, maxLength: INIT_BYTES })).map(([seed, out]) => {
      out[0] = PayloadKind.INIT;
      out.set(suite.generateKeyPair(new SeededRng(seed)).publicKey, 1);
      return out;
    });
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      init,
      fc.tuple(fc.constantFrom(0x01, 0x02, 0x03, 0x04), fc.uint8Array({ maxLength: 200 })).map(([k, rest]) => Uint8Array.of(k, ...rest)),
      fc
        .tuple(fc.constantFrom(...genuine), mutationArb)
        .map(([p, m]) => mutate(p, m))
        .filter((b) => genuine.every((g) => changed(g, b))),
    );
    const delivered = [alice.inbox.length, bob.inbox.length];
    const targets: { side: Side; pair: FakeChannelPair; service: typeof bob.service }[] = [
      { side: 'a', pair: channel, service: alice.service },
      { side: 'b', pair: channel, service: bob.service },
      { side: 'b', pair: strangerChannel(), service: bob.service },
    ];
    fc.assert(
      fc.property(input, fc.nat(2), (bytes, t) => {
        // A stranger's channel is closed after maxHandshakeDrops bad payloads: use a new one.
        if (!targets[2].pair.isOpen) targets[2].pair = strangerChannel();
        const { side, pair, service } = targets[t];
        const before = totalDrops(service.stats());
        pair.inject(side, bytes);
        expect(() => world.clock.advance(pair.latencyMs)).not.toThrow();
        const after = service.stats();
        expect(totalDrops(after)).toBe(before + 1);
        expect(after.dropped.internal).toBeUndefined();
      }),
      { numRuns: 800 },
    );
    expect([alice.inbox.length, bob.inbox.length]).toEqual(delivered);
    expect(bob.service.stats().handshakesAccepted).toBe(1);
  });

  it('a flipped bit anywhere in a record is detected and never delivered', () => {
    const { world, bob, channel, genuine } = establishedWorld();
    // Alice's last record was sealed while the channel dropped everything: Bob has never seen it.
    const fromA = channel.carried.filter((c) => c.from === 'a' && c.bytes[0] === PayloadKind.RECORD).map((c) => c.bytes);
    const unseen = fromA.at(-1)!;
    expect(genuine).toContain(unseen);
    fc.assert(
      fc.property(fc.nat(unseen.length * 8 - 1), (bit) => {
        const before = totalDrops(bob.service.stats());
        channel.inject('b', mutate(unseen, { kind: 'flip', bit }));
        world.clock.advance(channel.latencyMs);
        expect(totalDrops(bob.service.stats())).toBe(before + 1);
      }),
      { numRuns: 300 },
    );
    expect(bob.inbox).toHaveLength(1);
  });
});
