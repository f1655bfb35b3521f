import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import { DEFAULT_WIRE_SIZE } from '../packet/constants.ts';
import { DIRECTION_LABEL } from '../packet/data-packet.ts';
import { toggleHeaderMask } from '../packet/header-protection.ts';
import { PayloadType } from '../packet/payload-type.ts';
import { mutate, mutationArb } from '../packet/testing/mutations.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { SendCipher } from './cipher-state.ts';
import {
  createInit,
  createResponse,
  openInit,
  openResponse,
  openResponseEnvelope,
  sealResponseEnvelope,
  verifyInitiatorTag,
  type HandshakeContext,
  type ReceivedInit,
} from './handshake.ts';
import { Loopback, ManualClock, type Datagram } from './testing/loopback.ts';
import { makeNode, utf8 } from './testing/nodes.ts';

describe.each([nodeSuite, nobleSuite])('handshake messages ($name)', (suite) => {
  const rng = new SeededRng(`handshake/${suite.name}`);
  const ctx: HandshakeContext = { suite, rng, wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'fixed' };
  const alice = suite.generateKeyPair(rng);
  const bob = suite.generateKeyPair(rng);
  const aliceHk = rng.bytes(32);
  const bobHk = rng.bytes(32);
  /** Alice's receive path unmasks msg2's header with her header key before the connId lookup. */
  const atAlice = (wire: Uint8Array) => toggleHeaderMask(suite, aliceHk, wire);

  it('init -> response -> confirm agree on keys and both tags verify', () => {
    const hs = createInit(ctx, { localConnId: rng.bytes(8), staticKey: alice, peerStaticPub: bob.publicKey, nowMs: 1234, headerKey: aliceHk });
    expect(hs.packet.length).toBe(DEFAULT_WIRE_SIZE);
    const init = openInit(ctx, bob, hs.packet);
    if (!init.ok) throw new Error(init.error.message);
    expect(init.value).toMatchObject({ initiatorStaticPub: alice.publicKey, timestampMs: 1234, initiatorConnId: hs.localConnId, initiatorHeaderKey: aliceHk });
    expect(hs.packet.subarray(0, 8)).not.toEqual(hs.localConnId); // cI travels encrypted now
    const response = createResponse(ctx, { init: init.value, staticKey: bob, localConnId: rng.bytes(8), headerKey: bobHk });
    if (!response.ok) throw new Error(response.error.message);
    expect(response.value.packet.length).toBe(DEFAULT_WIRE_SIZE);
    expect(response.value.packet.subarray(0, 8)).not.toEqual(hs.localConnId); // masked
    expect(atAlice(response.value.packet).subarray(0, 8)).toEqual(hs.localConnId);
    const done = openResponse(ctx, hs, atAlice(response.value.packet));
    if (!done.ok) throw new Error(done.error.message);
    expect(done.value.keys.initiatorToResponder).toEqual(response.value.keys.initiatorToResponder);
    expect(done.value.keys.sessionId).toEqual(response.value.keys.sessionId);
    expect(done.value.remoteConnId).toEqual(response.value.localConnId);
    expect(done.value.remoteHeaderKey).toEqual(bobHk);
    expect(verifyInitiatorTag(suite, response.value, done.value.confirmTag)).toBe(true);
    expect(verifyInitiatorTag(suite, response.value, rng.bytes(32))).toBe(false);
  });

  it('an init opens only under the static key it was made for', () => {
    const hs = createInit(ctx, { localConnId: rng.bytes(8), staticKey: alice, peerStaticPub: bob.publicKey, nowMs: 0, headerKey: aliceHk });
    expect(openInit(ctx, suite.generateKeyPair(rng), hs.packet)).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
  });

  it('a responder answering with another static key fails confirmation at the initiator', () => {
    const hs = createInit(ctx, { localConnId: rng.bytes(8), staticKey: alice, peerStaticPub: bob.publicKey, nowMs: 0, headerKey: aliceHk });
    // Mallory cannot open msg1, but Alice's public key is public: she fabricates the init she would have read.
    // (Here she is even handed cI and Alice's header key, which msg1 hides from her.)
    const fabricated = { initiatorConnId: hs.localConnId, initiatorHeaderKey: aliceHk, initiatorEphemeralPub: hs.ephemeral.publicKey, initiatorStaticPub: alice.publicKey, timestampMs: 0 };
    const forged = createResponse(ctx, { init: fabricated, staticKey: suite.generateKeyPair(rng), localConnId: rng.bytes(8), headerKey: bobHk });
    if (!forged.ok) throw new Error(forged.error.message);
    expect(openResponse(ctx, hs, atAlice(forged.value.packet))).toMatchObject({ ok: false, error: { code: 'bad-confirmation' } });
  });
});

describe('handshake decoders (fuzz)', () => {
  const suite = nodeSuite;
  const rng = new SeededRng('handshake-fuzz');
  const ctx: HandshakeContext = { suite, rng, wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'fixed' };
  const alice = suite.generateKeyPair(rng);
  const bob = suite.generateKeyPair(rng);
  const aliceHk = rng.bytes(32);
  const hs = createInit(ctx, { localConnId: rng.bytes(8), staticKey: alice, peerStaticPub: bob.publicKey, nowMs: 0, headerKey: aliceHk });
  const init = openInit(ctx, bob, hs.packet);
  if (!init.ok) throw new Error('setup');
  const response = createResponse(ctx, { init: init.value, staticKey: bob, localConnId: rng.bytes(8), headerKey: rng.bytes(32) });
  if (!response.ok) throw new Error('setup');
  const clearResponse = toggleHeaderMask(suite, aliceHk, response.value.packet);
  // Random bytes with a genuine ES encoding where msg2 carries one (and where msg1 does).
  const withPoint = fc.tuple(fc.integer(), fc.uint8Array({ minLength: DEFAULT_WIRE_SIZE, maxLength: DEFAULT_WIRE_SIZE })).map(([seed, bytes]) => {
    const ephemeral = createInit(ctx, { localConnId: bytes.slice(0, 8), staticKey: alice, peerStaticPub: bob.publicKey, nowMs: seed, headerKey: aliceHk });
    bytes.set(ephemeral.packet.subarray(0, 64), seed & 1 ? 0 : 16);
    return bytes;
  });
  const garbage = fc.oneof(
    fc.uint8Array({ maxLength: 1300 }),
    withPoint,
    mutationArb.map((m) => mutate(hs.packet, m)),
    mutationArb.map((m) => mutate(clearResponse, m)),
  );

  it('openInit and openResponse return typed errors for anything but the genuine packet, never throw', () => {
    fc.assert(
      fc.property(garbage, (bytes) => {
        const asInit = openInit(ctx, bob, bytes);
        const asResponse = openResponse(ctx, hs, bytes);
        if (asInit.ok) expect(bytes).toEqual(hs.packet);
        if (asResponse.ok) expect(bytes).toEqual(clearResponse);
      }),
      { numRuns: 300 },
    );
  });
});

describe('handshake under attack (SessionManager over loopback)', () => {
  function setup() {
    const clock = new ManualClock();
    const net = new Loopback(clock);
    const alice = makeNode(net, 'alice', nodeSuite);
    const bob = makeNode(net, 'bob', nodeSuite);
    return { clock, net, alice, bob };
  }

  it('a man in the middle who swaps the ephemeral keys fails key confirmation on both sides; Alice waits out her timeout', () => {
    const { clock, net, alice, bob } = setup();
    const mctx: HandshakeContext = { suite: nodeSuite, rng: new SeededRng('mallory'), wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'fixed' };
    let original: Datagram | undefined;
    let mallorysInit: ReturnType<typeof createInit> | undefined;
    let openedEnvelope = false;
    let secrets: ReceivedInit | undefined;
    net.interceptor = (d) => {
      if (d.from === 'alice') {
        // Replace Alice's msg1 (and each resend of it) by one with Mallory's ephemeral key; Alice's static key is public.
        original ??= d;
        // msg1 hides cI and Alice's header key; grant Mallory both (read with Bob's key) to test the last line.
        const aliceAsSeen = { publicKey: alice.key.publicKey, privateKey: new Uint8Array(32) };
        if (!mallorysInit) {
          const real = openInit(mctx, bob.key, d.bytes);
          if (!real.ok) return [d];
          secrets = real.value;
          mallorysInit = createInit(mctx, { localConnId: real.value.initiatorConnId, staticKey: aliceAsSeen, peerStaticPub: bob.key.publicKey, nowMs: clock.now(), headerKey: real.value.initiatorHeaderKey });
        }
        return [{ ...d, bytes: mallorysInit.packet }];
      }
      if (d.from === 'bob' && mallorysInit && secrets) {
        // Mallory can open Bob's msg2 envelope (ephemeral-ephemeral key) and re-seal it for Alice ...
        const envelope = openResponseEnvelope(mctx, mallorysInit.ephemeral, toggleHeaderMask(nodeSuite, secrets.initiatorHeaderKey, d.bytes));
        if (!envelope.ok) return [d];
        openedEnvelope = true;
        const bytes = sealResponseEnvelope(mctx, {
          initiatorConnId: secrets.initiatorConnId,
          initiatorHeaderKey: secrets.initiatorHeaderKey,
          initiatorEphemeralPub: secrets.initiatorEphemeralPub,
          ephemeral: nodeSuite.generateKeyPair(mctx.rng),
          content: envelope.value,
        });
        return [{ ...d, bytes }];
      }
      return [d];
    };
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('secret'));
    clock.advance(60_000);
    // ... but not Bob's confirmation tag, which needs Z: Alice rejects each forged msg2 (msg1 and its 4 resends
    // were answered) without giving up early, fails at her own timeout, and Bob never gets msg3.
    expect(openedEnvelope).toBe(true);
    expect(alice.manager.stats().dropped).toEqual({ 'forged-handshake-reply': 5 });
    expect(alice.manager.stats()).toMatchObject({ handshakesFailed: 1, handshakesCompleted: 0, sessionsOpen: 0 });
    expect(alice.manager.stats().sendDropped).toEqual({ 'handshake-failed': 1 });
    expect(bob.inbox).toEqual([]);
    expect(bob.manager.stats()).toMatchObject({ handshakesAccepted: 1, handshakesCompleted: 0, handshakesFailed: 1, sessionsOpen: 0 });
  });

  it('the responder drops a session whose msg3 carries a wrong confirmation tag, before any data flows', () => {
    const { clock, net, bob } = setup();
    // A hand-driven initiator that completes ECMQV correctly but sends a bad tag in msg3.
    const ctx: HandshakeContext = { suite: nodeSuite, rng: new SeededRng('sloppy'), wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'fixed' };
    const me = nodeSuite.generateKeyPair(ctx.rng);
    const myHk = ctx.rng.bytes(32);
    const hs = createInit(ctx, { localConnId: ctx.rng.bytes(8), staticKey: me, peerStaticPub: bob.key.publicKey, nowMs: clock.now(), headerKey: myHk });
    const replies: Uint8Array[] = [];
    net.interceptor = (d) => (d.to === 'me' ? (replies.push(d.bytes), []) : [d]);
    net.inject({ from: 'me', to: 'bob', bytes: hs.packet });
    clock.advance(10);
    const done = openResponse(ctx, hs, toggleHeaderMask(nodeSuite, myHk, replies[0]));
    if (!done.ok) throw new Error(done.error.message);
    const cipher = new SendCipher(nodeSuite, done.value.keys.initiatorToResponder, DIRECTION_LABEL.initiatorToResponder, done.value.remoteConnId, done.value.remoteHeaderKey, 10);
    const badTag = done.value.confirmTag.slice();
    badTag[0] ^= 1;
    const early = cipher.seal({ type: PayloadType.DATA, body: utf8('too early') }, ctx);
    net.inject({ from: 'me', to: 'bob', bytes: early });
    net.inject({ from: 'me', to: 'bob', bytes: cipher.seal({ type: PayloadType.HANDSHAKE_CONFIRM, body: badTag }, ctx) });
    net.inject({ from: 'me', to: 'bob', bytes: cipher.seal({ type: PayloadType.DATA, body: utf8('after') }, ctx) });
    clock.advance(10);
    expect(bob.inbox).toEqual([]);
    expect(bob.manager.stats()).toMatchObject({ handshakesAccepted: 1, handshakesCompleted: 0, handshakesFailed: 1, sessionsOpen: 0 });
    expect(bob.manager.stats().dropped).toEqual({ 'bad-confirmation': 1, 'unknown-session': 1, unconfirmed: 1 });
  });

  it('swapping only the ephemeral key in msg2 breaks its envelope: auth-failed, then retries succeed', () => {
    const { clock, net, alice, bob } = setup();
    let tampered = false;
    net.interceptor = (d) => {
      if (d.from !== 'bob' || tampered) return [d];
      tampered = true;
      // Bytes 32..80: the ES field past the header-protection sample (16..32), so msg2 still finds its session.
      const bytes = d.bytes.slice();
      bytes.set(new SeededRng('swap').bytes(48), 32);
      return [{ ...d, bytes }];
    };
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('eventually'));
    clock.advance(5_000);
    expect(alice.manager.stats().dropped).toEqual({ 'auth-failed': 1 });
    expect(bob.inbox.map((m) => new TextDecoder().decode(m.body))).toEqual(['eventually']);
  });
});
