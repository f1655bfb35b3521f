/**
 * One-shot queries (one-shot.ts): the packet against an independent derivation (@noble HKDF, ECDH, AES-GCM), and
 * the exchange between two SessionManagers: delivered without a handshake, replayed, tampered, forged, answered
 * once, too large, under load (cookie, then a handshake), to a rotated-out key, and bounded.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { p256 } from '@noble/curves/nist.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { elligatorSquaredDecode } from '../crypto/elligator-squared.ts';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import type { KeyPair } from '../crypto/suite.ts';
import { asciiBytes, concatBytes } from '../packet/bytes.ts';
import { toggleHeaderMask } from '../packet/header-protection.ts';
import { PayloadType } from '../packet/payload-type.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { SessionManager } from './session-manager.ts';
import type { SessionConfig } from './constants.ts';
import { createQuery, maxQueryBodyBytes, ONE_SHOT_LABEL, openReply, sealReply } from './one-shot.ts';
import { Loopback, ManualClock, type Datagram } from './testing/loopback.ts';
import { makeNode, text, utf8, type TestNode } from './testing/nodes.ts';

const WIRE = 1232;

describe.each([nobleSuite, nodeSuite])('one-shot packets ($name)', (suite) => {
  it('a query opens under keys derived independently (@noble): IK e, es, s, ss; the reply under kr', () => {
    const rng = new SeededRng('one-shot-kat');
    const asker = suite.generateKeyPair(rng.fork('i'));
    const asked = suite.generateKeyPair(rng.fork('r'));
    const ctx = { suite, rng: rng.fork('ctx'), wireSize: WIRE, paddingMode: 'fixed' as const };
    const replyConnId = rng.bytes(8);
    const headerKey = rng.bytes(32);
    const frame = { type: PayloadType.DHT, body: utf8('find-node 42') };
    const { packet, replyKey } = createQuery(ctx, { staticKey: asker, peerStaticPub: asked.publicKey, nowMs: 1234.7, replyConnId, headerKey, frame });
    expect(packet.length).toBe(WIRE);

    const salt = asciiBytes(ONE_SHOT_LABEL);
    const e = elligatorSquaredDecode(packet.subarray(0, 64));
    const es = p256.getSharedSecret(asked.privateKey, e, true).slice(1);
    const ss = p256.getSharedSecret(asked.privateKey, asker.publicKey, true).slice(1);
    const k1 = hkdf(sha256, es, salt, concatBytes(asciiBytes('query'), Uint8Array.of(0), e, asked.publicKey), 32);
    const identity = gcm(k1, new Uint8Array(12), packet.subarray(0, 64)).decrypt(packet.subarray(64, 64 + 81 + 16));
    expect(identity.subarray(0, 33)).toEqual(asker.publicKey);
    expect(Number(new DataView(identity.buffer, identity.byteOffset + 33, 8).getBigUint64(0))).toBe(1234);
    expect(identity.subarray(41, 49)).toEqual(replyConnId);
    expect(identity.subarray(49, 81)).toEqual(headerKey);
    expect(identity.length).toBe(81);
    const okm = hkdf(sha256, concatBytes(es, ss), salt, concatBytes(asciiBytes('query-body'), Uint8Array.of(0), e, asked.publicKey, asker.publicKey), 64);
    const inner = gcm(okm.subarray(0, 32), new Uint8Array(12), packet.subarray(0, 161)).decrypt(packet.subarray(161));
    expect(inner[0]).toBe(PayloadType.DHT);
    expect(text(inner.subarray(3, 3 + ((inner[1] << 8) | inner[2])))).toBe('find-node 42');
    expect(replyKey).toEqual(okm.subarray(32, 64));

    const reply = sealReply(ctx, { replyKey, replyConnId, replyHeaderKey: headerKey, frame: { type: PayloadType.DHT, body: utf8('nodes') } });
    expect(reply.length).toBe(WIRE);
    const clear = toggleHeaderMask(suite, headerKey, reply);
    expect(clear.subarray(0, 8)).toEqual(replyConnId);
    const opened = openReply(ctx, replyKey, clear);
    expect(opened.ok && text(opened.value.body)).toBe('nodes');
    // Any other key, or any flipped bit, fails authentication.
    expect(openReply(ctx, okm.subarray(0, 32), clear).ok).toBe(false);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: WIRE - 1 }), fc.integer({ min: 0, max: 7 }), (at, bit) => {
        const bad = clear.slice();
        bad[at] ^= 1 << bit;
        expect(openReply(ctx, replyKey, bad).ok).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it("'variable' padding: a query and a reply are only as long as their bodies", () => {
    const rng = new SeededRng('one-shot-variable');
    const ctx = { suite, rng, wireSize: WIRE, paddingMode: 'variable' as const };
    const a = suite.generateKeyPair(rng.fork('a'));
    const b = suite.generateKeyPair(rng.fork('b'));
    const frame = { type: PayloadType.DHT, body: new Uint8Array(10) };
    const q = createQuery(ctx, { staticKey: a, peerStaticPub: b.publicKey, nowMs: 0, replyConnId: rng.bytes(8), headerKey: rng.bytes(32), frame });
    expect(q.packet.length).toBe(64 + 81 + 16 + 3 + 10 + 16);
    expect(sealReply(ctx, { replyKey: q.replyKey, replyConnId: rng.bytes(8), replyHeaderKey: rng.bytes(32), frame }).length).toBe(16 + 3 + 10 + 16);
  });
});

// ---- between two managers ---------------------------------------------------------------------------------

const ONE_SHOT: Partial<SessionConfig> = { oneShotTypes: [PayloadType.DHT], oneShotsPerPeer: null };

interface Pair {
  clock: ManualClock;
  net: Loopback;
  alice: TestNode;
  bob: TestNode;
  /** DHT messages each side received, with their sender and protection. */
  got: Record<'alice' | 'bob', Array<{ from: string; nodePub: Uint8Array; body: string; scheme: string }>>;
}

function pair(config: Partial<SessionConfig> = ONE_SHOT, bobConfig: Partial<SessionConfig> = config, bobReplies = true): Pair {
  const clock = new ManualClock();
  const net = new Loopback(clock, 20);
  const alice = makeNode(net, 'alice', nodeSuite, config);
  const bob = makeNode(net, 'bob', nodeSuite, bobConfig);
  const got: Pair['got'] = { alice: [], bob: [] };
  alice.manager.onMessage(PayloadType.DHT, (m) => got.alice.push({ from: m.from.address, nodePub: m.from.nodePub, body: text(m.body), scheme: m.protection.scheme }));
  bob.manager.onMessage(PayloadType.DHT, (m) => {
    got.bob.push({ from: m.from.address, nodePub: m.from.nodePub, body: text(m.body), scheme: m.protection.scheme });
    if (bobReplies) bob.manager.send(m.from, PayloadType.DHT, utf8(`re: ${text(m.body)}`));
  });
  return { clock, net, alice, bob, got };
}

const dht = (p: Pair, body: string) => p.alice.manager.send(p.bob.peer(), PayloadType.DHT, utf8(body));

describe('one-shot queries between two managers', () => {
  it('ski rental: after oneShotsPerPeer queries to a peer, the next message opens a session', () => {
    const p = pair({ ...ONE_SHOT, oneShotsPerPeer: 3 });
    for (let i = 0; i < 5; i++) {
      dht(p, `q${i}`);
      p.clock.advance(100);
    }
    expect(p.got.bob.map((m) => m.scheme)).toEqual(['ik-one-shot', 'ik-one-shot', 'ik-one-shot', 'ecmqv-session', 'ecmqv-session']);
    expect(p.alice.manager.stats()).toMatchObject({ oneShotsSent: 3, handshakesStarted: 1 });
    expect(p.got.alice.length).toBe(5);
  });

  it('a DHT request and its reply take two datagrams, no handshake, no session; the asker is authenticated', () => {
    const p = pair();
    dht(p, 'ping');
    p.clock.runUntilIdle();
    expect(p.got.bob).toEqual([{ from: 'alice', nodePub: p.alice.key.publicKey, body: 'ping', scheme: 'ik-one-shot' }]);
    expect(p.got.alice).toEqual([{ from: 'bob', nodePub: p.bob.key.publicKey, body: 're: ping', scheme: 'ik-one-shot' }]);
    expect(p.net.sent.map((d) => [d.to, d.bytes.length, d.label?.kind])).toEqual([['bob', WIRE, 'init'], ['alice', WIRE, 'response']]);
    for (const node of [p.alice, p.bob]) {
      const s = node.manager.stats();
      expect([s.handshakesStarted, s.handshakesAccepted, s.sessionsOpen]).toEqual([0, 0, 0]);
      expect(s.dropped).toEqual({});
    }
    expect(p.alice.manager.stats()).toMatchObject({ oneShotsSent: 1, oneShotRepliesReceived: 1, messagesSent: 1, messagesDelivered: 1 });
    expect(p.bob.manager.stats()).toMatchObject({ oneShotsAccepted: 1, oneShotRepliesSent: 1, messagesSent: 1, messagesDelivered: 1 });
  });

  it('off by default, and for types not listed: the first message to a peer takes a handshake', () => {
    for (const config of [{}, { oneShotTypes: [PayloadType.ONION] }]) {
      const p = pair(config);
      dht(p, 'x');
      p.clock.runUntilIdle();
      expect(p.alice.manager.stats()).toMatchObject({ handshakesStarted: 1, oneShotsSent: 0 });
      expect(p.got.alice.map((m) => [m.body, m.scheme])).toEqual([['re: x', 'ecmqv-session']]);
    }
  });

  it('a replayed query is refused (replay memory of its ES field): delivered once, answered once', () => {
    const p = pair();
    p.net.interceptor = (d) => (d.to === 'bob' ? [d, d] : [d]);
    dht(p, 'once');
    p.clock.runUntilIdle();
    expect(p.got.bob.length).toBe(1);
    expect(p.got.alice.length).toBe(1);
    expect(p.bob.manager.stats().dropped).toEqual({ replay: 1 });
  });

  it('a tampered query is a counted drop, never a delivery; a mutated identity part reads as garbage', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: WIRE - 1 }), fc.integer({ min: 0, max: 7 }), (at, bit) => {
        const p = pair();
        p.net.interceptor = (d) => {
          const bytes = d.bytes.slice();
          if (d.to === 'bob') bytes[at] ^= 1 << bit;
          return [{ ...d, bytes }];
        };
        dht(p, 'tamper');
        p.clock.runUntilIdle();
        expect(p.got.bob).toEqual([]);
        const dropped = p.bob.manager.stats().dropped;
        expect(Object.values(dropped).reduce((a, b) => a + (b ?? 0), 0)).toBe(1);
        expect(dropped.internal).toBeUndefined();
        if (at >= 161) expect(dropped['bad-handshake']).toBe(1);
      }),
      { numRuns: 40 },
    );
  });

  it("a query claiming another node's key without it (ss is wrong) is refused: 'bad-handshake'", () => {
    const p = pair();
    const mallory = nodeSuite.generateKeyPair(new SeededRng('mallory'));
    const rng = new SeededRng('forge');
    const ctx = { suite: nodeSuite, rng, wireSize: WIRE, paddingMode: 'fixed' as const };
    // Mallory seals the body under ss = ECDH(sM, SR) but names Alice as the sender in the identity part.
    const forged = createQuery(ctx, { staticKey: { privateKey: mallory.privateKey, publicKey: p.alice.key.publicKey } as KeyPair, peerStaticPub: p.bob.key.publicKey, nowMs: 0, replyConnId: rng.bytes(8), headerKey: rng.bytes(32), frame: { type: PayloadType.DHT, body: utf8('forged') } });
    p.net.inject({ from: 'mallory', to: 'bob', bytes: forged.packet });
    p.clock.runUntilIdle();
    expect(p.got.bob).toEqual([]);
    expect(p.bob.manager.stats().dropped).toEqual({ 'bad-handshake': 1 });
  });

  it('a forged reply is dropped and the real one still accepted; a reply is accepted once', () => {
    const p = pair();
    let reply: Datagram | undefined;
    p.net.interceptor = (d) => {
      if (d.to !== 'alice') return [d];
      reply = d;
      const forged = { ...d, bytes: d.bytes.slice() };
      forged.bytes[100] ^= 1;
      return [forged, d, d];
    };
    dht(p, 'q');
    p.clock.runUntilIdle();
    expect(reply).toBeDefined();
    expect(p.got.alice.map((m) => m.body)).toEqual(['re: q']);
    // The forgery fails authentication; the duplicate finds no pending query any more (its connId is unknown).
    expect(p.alice.manager.stats().dropped).toEqual({ 'auth-failed': 1, 'unknown-session': 1 });
  });

  it('one reply per query: a second message to the asker takes a handshake (the channel is used up)', () => {
    // Bob sends no one-shots himself, so his second message needs a session.
    const p = pair(ONE_SHOT, {});
    p.bob.manager.onMessage(PayloadType.DHT, (m) => p.bob.manager.send(m.from, PayloadType.DHT, utf8('second')));
    dht(p, 'q');
    p.clock.runUntilIdle();
    expect(p.got.alice.map((m) => [m.body, m.scheme])).toEqual([['re: q', 'ik-one-shot'], ['second', 'ecmqv-session']]);
    expect(p.bob.manager.stats()).toMatchObject({ handshakesStarted: 1, oneShotRepliesSent: 1 });
  });

  it('a reply channel wins over a stale session the responder still holds (the asker has none)', () => {
    const p = pair();
    // Both hold a session; Alice loses hers (restart), Bob keeps his.
    p.alice.manager.send(p.bob.peer(), PayloadType.DATA, utf8('hello'));
    p.clock.advance(1_000);
    expect(p.bob.manager.stats().sessionsOpen).toBe(1);
    const net = p.net;
    // Another seed: a restarted node draws other ephemeral keys (the same ES field would be a replay, rightly).
    const fresh = makeNode(net, 'alice', nodeSuite, ONE_SHOT, 'restarted');
    fresh.key = p.alice.key;
    const got: string[] = [];
    fresh.manager.onMessage(PayloadType.DHT, (m) => got.push(`${text(m.body)} ${m.protection.scheme}`));
    fresh.manager.send(p.bob.peer(), PayloadType.DHT, utf8('again'));
    p.clock.advance(1_000);
    expect(got).toEqual(['re: again ik-one-shot']);
  });

  it('a reply channel carries only a message of its query\'s type: another type takes a session', () => {
    const p = pair(ONE_SHOT, {});
    p.bob.manager.onMessage(PayloadType.DHT, (m) => p.bob.manager.send(m.from, PayloadType.DATA, utf8('data, not dht')));
    dht(p, 'q');
    p.clock.advance(1_000);
    expect(p.alice.inbox.map((m) => [text(m.body), m.protection.scheme])).toEqual([['data, not dht', 'ecmqv-session']]);
    expect(p.got.alice.map((m) => m.scheme)).toEqual(['ik-one-shot']);
  });

  it('a body too large for a query takes a handshake', () => {
    const p = pair();
    const body = new Uint8Array(maxQueryBodyBytes(WIRE) + 1);
    p.alice.manager.send(p.bob.peer(), PayloadType.DHT, body);
    p.clock.runUntilIdle();
    expect(p.alice.manager.stats()).toMatchObject({ handshakesStarted: 1, oneShotsSent: 0 });
    expect(p.got.bob.length).toBe(1);
  });

  it('a responder under load answers with a cookie; the query goes on as a handshake and is delivered once', () => {
    // handshakeLoadHalfOpen 1 and a half-open handshake from Carol put Bob under load.
    const p = pair(ONE_SHOT, { ...ONE_SHOT, handshakeLoadHalfOpen: 1 });
    const carol = makeNode(p.net, 'carol', nodeSuite);
    p.net.interceptor = (d) => (d.from === 'bob' && d.to === 'carol' ? [] : [d]);
    carol.manager.send(p.bob.peer(), PayloadType.DATA, utf8('half-open'));
    p.clock.advance(30);
    dht(p, 'loaded');
    p.clock.runUntilIdle();
    expect(p.got.bob.map((m) => [m.body, m.scheme])).toEqual([['loaded', 'ecmqv-session']]);
    expect(p.got.alice.map((m) => m.body)).toEqual(['re: loaded']);
    expect(p.alice.manager.stats()).toMatchObject({ oneShotsSent: 1, oneShotFallbacks: 1, handshakesStarted: 1, handshakesCompleted: 1, messagesSent: 1 });
    expect(p.bob.manager.stats().cookieRepliesSent).toBeGreaterThanOrEqual(1);
    // Alice's probe (the wire's ground truth) tells the cookie reply to her query for what it is.
    expect(p.net.sent.filter((d) => d.to === 'alice').map((d) => d.label?.kind)[0]).toBe('cookie');
  });

  it('a query to a NodeID key still in its grace period is answered under that key', () => {
    const clock = new ManualClock();
    const net = new Loopback(clock, 20);
    const rng = new SeededRng('rotation');
    const oldKey = nodeSuite.generateKeyPair(rng.fork('old'));
    const newKey = nodeSuite.generateKeyPair(rng.fork('new'));
    const alice = makeNode(net, 'alice', nodeSuite, ONE_SHOT);
    const bobManager = new SessionManager(
      { transport: net.transport('bob'), clock, rng: rng.fork('bob'), suite: nodeSuite, identity: () => newKey, liveIdentities: () => [newKey, oldKey] },
      ONE_SHOT,
    );
    const got: string[] = [];
    bobManager.onMessage(PayloadType.DHT, (m) => bobManager.send(m.from, PayloadType.DHT, utf8('old key ok')));
    alice.manager.onMessage(PayloadType.DHT, (m) => got.push(text(m.body)));
    alice.manager.send({ address: 'bob', nodePub: oldKey.publicKey }, PayloadType.DHT, utf8('q'));
    clock.runUntilIdle();
    expect(got).toEqual(['old key ok']);
  });

  it('bounded: an asker remembers at most maxPendingOneShots queries (the newest), a responder maxReplyChannels channels', () => {
    const asker = pair({ ...ONE_SHOT, maxPendingOneShots: 4 }, { ...ONE_SHOT, maxReplyChannels: 100 }, false);
    for (let i = 0; i < 10; i++) dht(asker, `q${i}`);
    asker.clock.runUntilIdle();
    for (let i = 0; i < 10; i++) asker.bob.manager.send(asker.alice.peer(), PayloadType.DHT, utf8(`r${i}`));
    asker.clock.runUntilIdle();
    expect(asker.bob.manager.stats().oneShotRepliesSent).toBe(10);
    expect(asker.alice.manager.stats().oneShotRepliesReceived).toBe(4);
    expect(asker.alice.manager.stats().dropped).toEqual({ 'unknown-session': 6 });

    const responder = pair(ONE_SHOT, { ...ONE_SHOT, maxReplyChannels: 3 }, false);
    for (let i = 0; i < 10; i++) dht(responder, `q${i}`);
    responder.clock.runUntilIdle();
    for (let i = 0; i < 10; i++) responder.bob.manager.send(responder.alice.peer(), PayloadType.DHT, utf8(`r${i}`));
    responder.clock.runUntilIdle();
    // Three channels left (the newest): three replies go on them; the other seven are queries of Bob's own.
    expect(responder.bob.manager.stats()).toMatchObject({ oneShotRepliesSent: 3, oneShotsSent: 7, handshakesStarted: 0 });
    expect(responder.got.alice.length).toBe(10);
  });
});
