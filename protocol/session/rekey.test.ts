/**
 * In-session rekeying (rekey.ts): the key derivation against an independent HKDF and ECDH, the offer codec, and
 * the exchange between two SessionManagers: no handshake datagram on the wire, each message lost once, a peer
 * that lost its state, both sides offering at once, and an authenticated peer abusing the offer.
 */
import { p256 } from '@noble/curves/nist.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import { asciiBytes, concatBytes } from '../packet/bytes.ts';
import { PayloadType } from '../packet/payload-type.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import type { SessionConfig } from './constants.ts';
import { decodeRekeyOffer, deriveRekeyedKeys, encodeRekeyOffer, REKEY_LABEL, REKEY_OFFER_BYTES } from './rekey.ts';
import { Loopback, ManualClock, type Datagram } from './testing/loopback.ts';
import { makeNode, text, utf8, type TestNode } from './testing/nodes.ts';

describe.each([nobleSuite, nodeSuite])('deriveRekeyedKeys ($name)', (suite) => {
  it('matches HKDF-SHA256 over the ECDH of the two ephemerals, computed independently (@noble), from either side', () => {
    const rng = new SeededRng('rekey-kat');
    const a = suite.generateKeyPair(rng.fork('a'));
    const b = suite.generateKeyPair(rng.fork('b'));
    const chain = { initiatorToResponder: rng.bytes(32), responderToInitiator: rng.bytes(32) };
    const initiatorOffer = { connId: rng.bytes(8), ephemeralPub: a.publicKey.slice() };
    const responderOffer = { connId: rng.bytes(8), ephemeralPub: b.publicKey.slice() };
    const dh = p256.getSharedSecret(a.privateKey, b.publicKey, true).slice(1);
    const info = concatBytes(asciiBytes(REKEY_LABEL), Uint8Array.of(0), a.publicKey, b.publicKey, initiatorOffer.connId, responderOffer.connId);
    const expected = hkdf(sha256, dh, concatBytes(chain.initiatorToResponder, chain.responderToInitiator), info, 64);
    const aSecret = a.privateKey.slice();
    const fromA = deriveRekeyedKeys(suite, { ownEphemeral: a, initiatorOffer, responderOffer, chain, weInitiated: true });
    const fromB = deriveRekeyedKeys(suite, { ownEphemeral: b, initiatorOffer, responderOffer, chain, weInitiated: false });
    expect(concatBytes(fromA.initiatorToResponder, fromA.responderToInitiator)).toEqual(expected);
    expect(concatBytes(fromB.initiatorToResponder, fromB.responderToInitiator)).toEqual(expected);
    // The ephemeral secrets are gone once used (forward secrecy), and the chain keys were only read.
    expect(a.privateKey.every((x) => x === 0) && b.privateKey.every((x) => x === 0)).toBe(true);
    expect(aSecret.some((x) => x !== 0)).toBe(true);
    // Another chain (another session), same ephemerals: other keys.
    const other = deriveRekeyedKeys(suite, {
      ownEphemeral: { privateKey: aSecret, publicKey: a.publicKey },
      initiatorOffer,
      responderOffer,
      chain: { ...chain, responderToInitiator: new Uint8Array(32) },
      weInitiated: true,
    });
    expect(other.initiatorToResponder).not.toEqual(fromA.initiatorToResponder);
  });
});

describe('rekey offer codec', () => {
  it('round-trips connId and key; any other length is a counted bad-handshake, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ minLength: 33, maxLength: 33 }), (connId, key) => {
        const decoded = decodeRekeyOffer(encodeRekeyOffer(connId, key));
        expect(decoded.ok && decoded.value).toEqual({ connId, ephemeralPub: key });
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }).filter((b) => b.length !== REKEY_OFFER_BYTES), (body) => {
        const decoded = decodeRekeyOffer(body);
        expect(!decoded.ok && decoded.error.code).toBe('bad-handshake');
      }),
    );
  });
});

// ---- the exchange between two managers -------------------------------------------------------------------

const REKEY_MS = 5_000;

function pair(config: Partial<SessionConfig> = {}, bobConfig: Partial<SessionConfig> = config) {
  const clock = new ManualClock();
  const net = new Loopback(clock, 20);
  const alice = makeNode(net, 'alice', nodeSuite, { rekeyAfterMs: REKEY_MS, ...config });
  const bob = makeNode(net, 'bob', nodeSuite, { rekeyAfterMs: REKEY_MS, ...bobConfig });
  return { clock, net, alice, bob };
}

/** Alice opens a session to Bob and both say something, so both sides confirmed it. */
function open(env: ReturnType<typeof pair>): void {
  env.alice.manager.send(env.bob.peer(), PayloadType.DATA, utf8('open'));
  env.clock.advance(200);
  env.bob.manager.send(env.alice.peer(), PayloadType.DATA, utf8('hello'));
  env.clock.advance(200);
}

const isHandshake = (d: Datagram) => d.label?.kind !== 'data';

/** Drops the `n`-th datagram (0-based) `from` sends from now on, once. */
function loseOnce(env: ReturnType<typeof pair>, from: string, n: number): void {
  let seen = 0;
  env.net.interceptor = (d) => (d.from === from && seen++ === n ? [] : [d]);
}

/** Seals a session-control frame on `node`'s current session to `to` (what only an authenticated peer can do). */
function sendControl(node: TestNode, to: string, type: PayloadType, body: Uint8Array): void {
  const m = node.manager as unknown as { peersAt(address: string): readonly { current?: unknown }[]; transmit(s: unknown, f: unknown): void };
  const session = m.peersAt(to)[0]?.current;
  if (!session) throw new Error(`no session from ${node.address} to ${to}`);
  m.transmit(session, { type, body });
}

function stats(node: TestNode) {
  return node.manager.stats();
}

describe('SessionManager in-session rekey', () => {
  it('renews the keys with no handshake datagram on the wire: the new session heads with new connIds', () => {
    const env = pair();
    const { clock, net, alice, bob } = env;
    open(env);
    const before = net.sent.length;
    clock.advance(REKEY_MS);
    for (let i = 0; i < 10; i++) {
      alice.manager.send(bob.peer(), PayloadType.DATA, utf8(`m${i}`));
      clock.advance(100);
    }
    const after = net.sent.slice(before);
    expect(after.filter(isHandshake)).toEqual([]);
    expect(net.sent.filter(isHandshake)).toHaveLength(2); // msg1 and msg2 of the first session, nothing since
    expect(new Set(after.filter((d) => d.from === 'alice').map((d) => d.label?.connIdHex)).size).toBe(2); // old, then new
    expect(bob.inbox.map((m) => text(m.body))).toEqual(['open', ...Array.from({ length: 10 }, (_, i) => `m${i}`)]);
    expect(stats(alice)).toMatchObject({ rekeysOffered: 1, rekeysCompleted: 1, rekeysFailed: 0, handshakesStarted: 1, dropped: {} });
    expect(stats(bob)).toMatchObject({ rekeysAnswered: 1, rekeysCompleted: 1, rekeysFailed: 0, handshakesAccepted: 1, dropped: {} });
    // The old session receives what was in flight for rekeyGraceMs, then is erased on both sides.
    expect(stats(alice).sessionsOpen).toBe(2);
    clock.advance(alice.manager.config.rekeyGraceMs);
    expect([stats(alice).sessionsOpen, stats(bob).sessionsOpen]).toEqual([1, 1]);
  });

  // Alice's datagrams after the trigger: 0 'trigger' (old session), 1 REKEY_INIT, then (after Bob's answer)
  // 2 the confirm on the new session. Bob's: 0 REKEY_RESP, 1 the ack on the new session.
  it.each([
    ['REKEY_INIT', 'alice', 1],
    ['REKEY_RESP', 'bob', 0],
    ['the confirm', 'alice', 2],
    ['the ack', 'bob', 1],
  ] as const)('survives losing %s once: same keys renewed, no fallback handshake, every message arrives', (_, from, n) => {
    const env = pair();
    const { clock, alice, bob } = env;
    open(env);
    clock.advance(REKEY_MS);
    loseOnce(env, from, n);
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('trigger'));
    clock.advance(3_000); // past a resend
    env.net.interceptor = undefined;
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('after'));
    bob.manager.send(alice.peer(), PayloadType.DATA, utf8('back'));
    clock.advance(200);
    expect(bob.inbox.map((m) => text(m.body))).toEqual(['open', 'trigger', 'after']);
    expect(alice.inbox.map((m) => text(m.body))).toEqual(['hello', 'back']);
    for (const node of [alice, bob]) {
      expect(stats(node)).toMatchObject({ rekeysCompleted: 1, rekeysFailed: 0, handshakesStarted: node === alice ? 1 : 0, dropped: {} });
    }
    expect(stats(alice).handshakeRetransmits + stats(bob).handshakeRetransmits).toBeGreaterThanOrEqual(1);
  });

  it('falls back to a full handshake when the peer lost its session (restart): the offer goes unanswered', () => {
    const env = pair();
    const { clock, net, alice } = env;
    open(env);
    // Bob restarts with the same key and address: he knows nothing of the session.
    const bob2 = makeNode(net, 'bob', nodeSuite, { rekeyAfterMs: REKEY_MS }, 'restart');
    bob2.key = env.bob.key;
    clock.advance(REKEY_MS);
    alice.manager.send(bob2.peer(), PayloadType.DATA, utf8('lost: old session')); // Bob2 drops it (unknown-session)
    clock.advance(2_500); // the offer and its resend unanswered, then a full handshake
    alice.manager.send(bob2.peer(), PayloadType.DATA, utf8('after'));
    clock.advance(200);
    expect(bob2.inbox.map((m) => text(m.body))).toEqual(['after']);
    expect(stats(alice)).toMatchObject({ rekeysOffered: 1, rekeysFailed: 1, rekeysCompleted: 0, handshakesStarted: 2, handshakesCompleted: 2 });
    // 'lost', the offer and its one resend; then the handshake (2 s after the offer, not after all handshake retries).
    expect(stats(bob2).dropped).toEqual({ 'unknown-session': 3 });
  });

  it('after a NodeID rotation a session under the old key renews by a full handshake, offered or answered', () => {
    // Guards: in-session rekeys need no static key, so without the check a session would carry a rotated-out
    // NodeID on for as long as it is used; handshake rekeys end it with the key's grace period.
    for (const rotating of ['offerer', 'answerer'] as const) {
      const env = pair();
      const { clock, alice, bob } = env;
      open(env);
      const rotated = rotating === 'offerer' ? alice : bob;
      const bobAsKnown = bob.peer(); // Alice keeps sending to the key she knows
      rotated.key = nodeSuite.generateKeyPair(new SeededRng(`rotated-${rotating}`));
      clock.advance(REKEY_MS);
      alice.manager.send(bobAsKnown, PayloadType.DATA, utf8('after rotation'));
      clock.advance(3_000);
      expect(bob.inbox.map((m) => text(m.body))).toEqual(['open', 'after rotation']);
      const a = stats(alice);
      if (rotating === 'offerer') {
        // Alice never offers: her next key comes from a handshake under her new NodeID, which Bob accepts.
        expect(a).toMatchObject({ rekeysOffered: 0, handshakesStarted: 2, handshakesCompleted: 2 });
      } else {
        // Bob refuses; Alice's fallback handshake goes to Bob's old key, which he no longer holds (no grace here).
        expect(a).toMatchObject({ rekeysOffered: 1, rekeysFailed: 1, handshakesStarted: 2 });
        expect(stats(bob).dropped['rekey-refused']).toBe(2);
        expect(stats(bob).rekeysAnswered).toBe(0);
      }
    }
  });

  it('an offer whose session another session replaced meanwhile is withdrawn: no failure, no fallback handshake', () => {
    // Bob (responder) offers; his offers are lost; meanwhile Alice's key runs out and her fresh handshake replaces
    // the session. Guards: the unanswered offer counted a failure and started a needless full handshake.
    const env = pair({ rekeyAfterMs: null, maxPacketsPerKey: 6 }, { rekeyAfterMs: 2_000 });
    const { clock, net, alice, bob } = env;
    open(env); // Alice: msg3 + 'open' sealed
    clock.advance(3_000);
    net.interceptor = (d) => (d.from === 'bob' ? [] : [d]);
    bob.manager.send(alice.peer(), PayloadType.DATA, utf8('lost, and triggers the offer'));
    for (let i = 0; i < 5; i++) alice.manager.send(bob.peer(), PayloadType.DATA, utf8(`a${i}`)); // 4 fit, then a handshake
    clock.advance(100);
    net.interceptor = undefined;
    clock.advance(5_000);
    expect(bob.inbox.map((m) => text(m.body))).toEqual(['open', 'a0', 'a1', 'a2', 'a3', 'a4']);
    expect(stats(alice)).toMatchObject({ handshakesStarted: 2, rekeysKeyExhausted: 1 });
    expect(stats(bob)).toMatchObject({ rekeysOffered: 1, rekeysFailed: 0, handshakesStarted: 0 });
  });

  it('both sides offering at once: the session initiator\'s offer wins, one successor per round, nothing lost', () => {
    const env = pair({ rekeyAfterMs: null, rekeyAfterPackets: 20 });
    const { clock, alice, bob } = env;
    open(env);
    clock.advance(1_000);
    for (let i = 0; i < 40; i++) {
      alice.manager.send(bob.peer(), PayloadType.DATA, utf8(`a${i}`));
      bob.manager.send(alice.peer(), PayloadType.DATA, utf8(`b${i}`)); // both counts reach 20 in the same instant
      clock.advance(50);
    }
    clock.advance(2_000);
    expect(bob.inbox).toHaveLength(41);
    expect(alice.inbox).toHaveLength(41);
    // Two rounds (at 20 packets on each key), each a collision that Alice's offer wins.
    expect(stats(alice).dropped).toEqual({ 'rekey-collision': 2 });
    expect(stats(bob).dropped).toEqual({});
    for (const node of [alice, bob]) expect(stats(node)).toMatchObject({ rekeysCompleted: 2, rekeysFailed: 0, handshakesStarted: node === alice ? 1 : 0 });
    expect([stats(alice).rekeysOffered, stats(alice).rekeysAnswered, stats(bob).rekeysOffered, stats(bob).rekeysAnswered]).toEqual([2, 0, 2, 2]);
  });

  it('an authenticated peer that abuses the offer: malformed and off-curve offers are counted drops, repeats refused', () => {
    const env = pair({ rekeyAfterMs: null });
    const { clock, alice, bob } = env;
    open(env);
    clock.advance(2_000);
    sendControl(alice, 'bob', PayloadType.REKEY_INIT, new Uint8Array(REKEY_OFFER_BYTES - 1));
    const offCurve = new Uint8Array(REKEY_OFFER_BYTES);
    offCurve[8] = 0x02;
    offCurve.fill(0xff, 9); // x = 2^256 - 1 >= p: no point
    sendControl(alice, 'bob', PayloadType.REKEY_INIT, offCurve);
    sendControl(alice, 'bob', PayloadType.REKEY_RESP, new Uint8Array(REKEY_OFFER_BYTES)); // an answer to no offer
    clock.advance(200);
    expect(stats(bob).dropped).toEqual({ 'bad-handshake': 2, 'duplicate-handshake': 1 });
    const valid = (seed: string) => encodeRekeyOffer(new SeededRng(seed).bytes(8), nodeSuite.generateKeyPair(new SeededRng(seed)).publicKey);
    sendControl(alice, 'bob', PayloadType.REKEY_INIT, valid('one')); // answered (Alice has no offer out: she drops the answer)
    sendControl(alice, 'bob', PayloadType.REKEY_INIT, valid('two')); // a second offer on the same session: refused
    clock.advance(200);
    expect(stats(bob)).toMatchObject({ rekeysAnswered: 1, dropped: { 'bad-handshake': 2, 'duplicate-handshake': 1, 'rekey-refused': 1 } });
    expect(stats(alice).dropped).toEqual({ 'duplicate-handshake': 1 });
    // The successor Bob made for the unanswered rekey is never confirmed: erased after his patience.
    expect(stats(bob).sessionsOpen).toBe(2);
    clock.advance(30_000);
    expect(stats(bob)).toMatchObject({ sessionsOpen: 1, rekeysFailed: 1 });
    bob.manager.send(alice.peer(), PayloadType.DATA, utf8('still fine'));
    clock.advance(200);
    expect(alice.inbox.map((m) => text(m.body))).toEqual(['hello', 'still fine']);
  });

  it('bounds a peer that rekeys as fast as it can: one answer per session per minRekeyIntervalMs, old sessions erased', () => {
    // Mallory rekeys after every packet and never waits; Bob keeps the defaults. Guards what an authenticated
    // peer can fill: each answer costs Bob a key generation, an ECDH and a session held for rekeyGraceMs.
    const env = pair({ rekeyAfterMs: null, rekeyAfterPackets: 1, minRekeyIntervalMs: 1 }, { rekeyAfterMs: null });
    const { clock, alice: mallory, bob } = env;
    open(env);
    const { minRekeyIntervalMs, rekeyGraceMs, idleSessionMs } = bob.manager.config;
    let maxOpen = 0;
    const runMs = 60_000;
    for (let t = 0; t < runMs; t += 10) {
      mallory.manager.send(bob.peer(), PayloadType.DATA, utf8(`${t}`));
      clock.advance(10);
      maxOpen = Math.max(maxOpen, stats(bob).sessionsOpen);
    }
    clock.advance(100);
    const b = stats(bob);
    expect(b.rekeysAnswered).toBeLessThanOrEqual(runMs / minRekeyIntervalMs + 1);
    expect(b.rekeysAnswered).toBeGreaterThan(10); // the bound is what limits Mallory, not something else
    // Live sessions: the current one, a successor awaiting confirmation, and those in their grace period.
    expect(maxOpen).toBeLessThanOrEqual(rekeyGraceMs / minRekeyIntervalMs + 3);
    expect(maxOpen).toBeLessThan(idleSessionMs / minRekeyIntervalMs); // without the grace period: one per answer for 180 s
    expect(b.dropped.internal).toBeUndefined();
    expect(bob.inbox.length).toBe(runMs / 10 + 1);
  });
});

describe('SessionManager in-session rekey under loss', () => {
  it('5 % loss both ways: rekeys complete, no message arrives twice or from nowhere, nothing throws', () => {
    const env = pair({ rekeyAfterMs: 2_000 });
    const { clock, net, alice, bob } = env;
    const rng = new SeededRng('lossy-rekey');
    let lostToBob = 0;
    net.interceptor = (d) => {
      if (rng.uniform() >= 0.05) return [d];
      if (d.to === 'bob') lostToBob++;
      return [];
    };
    const sent: string[] = [];
    for (let i = 0; i < 600; i++) {
      sent.push(`m${i}`);
      alice.manager.send(bob.peer(), PayloadType.DATA, utf8(`m${i}`));
      if (i % 3 === 0) bob.manager.send(alice.peer(), PayloadType.DATA, utf8(`r${i}`));
      clock.advance(50);
    }
    net.interceptor = undefined;
    clock.advance(20_000);
    expect(stats(alice).rekeysCompleted).toBeGreaterThanOrEqual(10);
    const got = bob.inbox.map((m) => text(m.body));
    expect(new Set(got).size).toBe(got.length);
    expect(got.every((m) => sent.includes(m))).toBe(true);
    expect(got.length).toBeGreaterThan(0.9 * sent.length);
    expect(stats(bob).packetsReceived).toBe(net.sent.filter((d) => d.to === 'bob').length - lostToBob);
    for (const node of [alice, bob]) expect(stats(node).dropped.internal).toBeUndefined();
  });
});
