import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { DEFAULT_WIRE_SIZE } from '../packet/constants.ts';
import { PacketEncodeError } from '../packet/errors.ts';
import { maxBodyBytes } from '../packet/inner-codec.ts';
import { PayloadType } from '../packet/payload-type.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import type { SessionConfig } from './constants.ts';
import { Loopback, ManualClock, type Datagram } from './testing/loopback.ts';
import { makeNode, text, utf8 } from './testing/nodes.ts';

function setup(suite: CryptoSuite = nodeSuite, config: Partial<SessionConfig> = {}) {
  const clock = new ManualClock();
  const net = new Loopback(clock);
  const alice = makeNode(net, 'alice', suite, config);
  const bob = makeNode(net, 'bob', suite, config);
  return { clock, net, alice, bob };
}

const bodies = (inbox: { body: Uint8Array }[]) => inbox.map((m) => text(m.body));
const isHandshake = (d: Datagram) => d.label?.kind !== 'data'; // the receiver's view: the bytes no longer tell

describe.each([nodeSuite, nobleSuite])('SessionManager end to end ($name)', (suite) => {
  it('completes a handshake and carries messages both ways with protection.pfs === true', () => {
    const { clock, net, alice, bob } = setup(suite);
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('hello bob'));
    clock.advance(100);
    bob.manager.send(alice.peer(), PayloadType.DATA, utf8('hello alice'));
    clock.advance(100);

    expect(bodies(bob.inbox)).toEqual(['hello bob']);
    expect(bodies(alice.inbox)).toEqual(['hello alice']);
    expect(bob.inbox[0].protection).toEqual({ pfs: true, scheme: 'ecmqv-session' });
    expect(bob.inbox[0].from.nodePub).toEqual(alice.key.publicKey);
    expect(alice.inbox[0].from).toEqual({ address: 'bob', nodePub: bob.key.publicKey });
    for (const node of [alice, bob]) {
      const s = node.manager.stats();
      expect(s.handshakesCompleted).toBe(1);
      expect(s.handshakesFailed).toBe(0);
      expect(s.dropped).toEqual({});
    }
    // Bob reuses the session Alice opened: one handshake in all.
    expect(alice.manager.stats().handshakesStarted + bob.manager.stats().handshakesStarted).toBe(1);
    // msg1, msg2, msg3 + data, ack, bob's data: every datagram exactly the wire size.
    expect(net.sent.length).toBe(6);
    for (const d of net.sent) expect(d.bytes.length).toBe(DEFAULT_WIRE_SIZE);
  });
});

describe('SessionManager', () => {
  it('queues messages during the handshake (bounded, overflow counted) and delivers them in order', () => {
    const { clock, alice, bob } = setup(nodeSuite, { maxQueuedMessages: 8 });
    for (let i = 0; i < 10; i++) alice.manager.send(bob.peer(), PayloadType.DATA, utf8(`m${i}`));
    clock.advance(100);
    expect(bodies(bob.inbox)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    expect(alice.manager.stats().sendDropped).toEqual({ 'queue-overflow': 2 });
  });

  it('send() throws PacketEncodeError for a body too large or a session-control type', () => {
    const { alice, bob } = setup();
    const tooBig = new Uint8Array(maxBodyBytes(DEFAULT_WIRE_SIZE) + 1);
    expect(() => alice.manager.send(bob.peer(), PayloadType.DATA, tooBig)).toThrow(PacketEncodeError);
    expect(() => alice.manager.send(bob.peer(), PayloadType.HANDSHAKE_CONFIRM, new Uint8Array(1))).toThrow(PacketEncodeError);
    expect(alice.manager.stats().handshakesStarted).toBe(0);
  });

  it('delivers each packet once: a duplicated data packet is counted as a replay', () => {
    const { clock, net, alice, bob } = setup();
    net.interceptor = (d) => (d.from === 'alice' && !isHandshake(d) ? [d, d] : [d]);
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('once'));
    clock.advance(100);
    expect(bodies(bob.inbox)).toEqual(['once']);
    // msg3 and the data packet were both duplicated.
    expect(bob.manager.stats().dropped).toEqual({ replay: 2 });
  });

  it('accepts packets reordered within the replay window and rejects those beyond it', () => {
    const { clock, net, alice, bob } = setup(nodeSuite, { replayWindow: 32 });
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('open'));
    clock.advance(100);
    const held: Datagram[] = [];
    net.interceptor = (d) => (d.from === 'alice' ? (held.push(d), []) : [d]);
    for (let i = 0; i < 40; i++) alice.manager.send(bob.peer(), PayloadType.DATA, utf8(`r${i}`));
    net.interceptor = undefined;
    // Deliver r39 first, then r38 ... r0: the last 32 fit in the window, the oldest 8 do not.
    for (const d of held.reverse()) net.inject(d);
    clock.advance(100);
    const got = bodies(bob.inbox).slice(1);
    expect(got).toEqual(Array.from({ length: 32 }, (_, i) => `r${39 - i}`));
    expect(bob.manager.stats().dropped).toEqual({ 'too-old': 8 });
  });

  it('resends msg1 after a timeout; the responder answers the copy from its cache', () => {
    const { clock, net, alice, bob } = setup();
    let dropped = 0;
    net.interceptor = (d) => (d.from === 'bob' && dropped++ === 0 ? [] : [d]); // lose the first msg2
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('late'));
    clock.advance(2_000);
    expect(bodies(bob.inbox)).toEqual(['late']);
    expect(bob.manager.stats()).toMatchObject({ handshakesAccepted: 1, handshakesCompleted: 1, handshakeRetransmits: 1 });
    expect(alice.manager.stats()).toMatchObject({ handshakesStarted: 1, handshakesCompleted: 1, handshakeRetransmits: 1 });
  });

  it('buffers data that overtakes a lost msg3 and delivers it once msg3 is resent', () => {
    const { clock, net, alice, bob } = setup();
    let fromAlice = 0;
    net.interceptor = (d) => (d.from === 'alice' && ++fromAlice === 2 ? [] : [d]); // msg1 passes, msg3 lost
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('a'));
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('b'));
    clock.advance(100);
    expect(bob.inbox).toEqual([]);
    clock.advance(2_000);
    expect(bodies(bob.inbox)).toEqual(['a', 'b']);
    expect(bob.manager.stats().handshakesCompleted).toBe(1);
    expect(alice.manager.stats().handshakesCompleted).toBe(1);
  });

  it('gives up after the retries, counts the failure and drops the queue', () => {
    const { clock, net, alice, bob } = setup(nodeSuite, { handshakeRetries: 2, handshakeTimeoutMs: 500 });
    net.interceptor = (d) => (d.from === 'alice' ? [] : [d]);
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('lost'));
    clock.advance(10_000);
    expect(alice.manager.stats()).toMatchObject({ handshakesStarted: 1, handshakesFailed: 1, handshakeRetransmits: 2, sessionsOpen: 0 });
    expect(alice.manager.stats().sendDropped).toEqual({ 'handshake-failed': 1 });
    expect(net.sent.length).toBe(3);
  });

  it('a responder with the wrong static key never completes, and the initiator counts the failure', () => {
    const clock = new ManualClock();
    const net = new Loopback(clock);
    const alice = makeNode(net, 'alice', nodeSuite);
    const mallory = makeNode(net, 'bob', nodeSuite, {}, 'mallory'); // at Bob's address, with her own key
    const bobKey = nodeSuite.generateKeyPair(new SeededRng('real bob'));
    alice.manager.send({ address: 'bob', nodePub: bobKey.publicKey }, PayloadType.DATA, utf8('for bob only'));
    clock.advance(60_000);
    expect(mallory.inbox).toEqual([]);
    // msg1 and its 4 resends; an init for another key cannot be told from garbage: 'unknown-session'.
    expect(mallory.manager.stats().dropped).toEqual({ 'unknown-session': 5 });
    expect(alice.manager.stats()).toMatchObject({ handshakesFailed: 1, handshakesCompleted: 0 });
  });

  it('keeps sessions with one address but different NodeIDs apart, and follows a rotated NodeID', () => {
    const { clock, alice, bob } = setup();
    const oldBob = bob.peer();
    alice.manager.send(oldBob, PayloadType.DATA, utf8('to old key'));
    clock.advance(100);
    bob.key = nodeSuite.generateKeyPair(new SeededRng('bob rotated'));
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('to new key'));
    alice.manager.send(oldBob, PayloadType.DATA, utf8('old session still up'));
    clock.advance(100);
    expect(bodies(bob.inbox)).toEqual(['to old key', 'old session still up', 'to new key']);
    expect(alice.manager.stats()).toMatchObject({ handshakesStarted: 2, handshakesCompleted: 2 });
    bob.manager.send(alice.peer(), PayloadType.DATA, utf8('reply'));
    clock.advance(100);
    // Bob's newest session with Alice is the one under his new key, and the reply says so.
    expect(alice.inbox.map((m) => m.from.nodePub)).toEqual([bob.key.publicKey]);
  });

  it('uses the rotated key for new handshakes as initiator', () => {
    const { clock, alice, bob } = setup();
    alice.key = nodeSuite.generateKeyPair(new SeededRng('alice rotated'));
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('hi'));
    clock.advance(100);
    expect(bob.inbox[0].from.nodePub).toEqual(alice.key.publicKey);
  });

  it('rekeys with a new handshake when a send key reaches maxPacketsPerKey', () => {
    const { clock, alice, bob } = setup(nodeSuite, { maxPacketsPerKey: 4 });
    for (let i = 0; i < 10; i++) {
      alice.manager.send(bob.peer(), PayloadType.DATA, utf8(`k${i}`));
      clock.advance(50);
    }
    expect(bodies(bob.inbox)).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`));
    const s = alice.manager.stats();
    expect(s.rekeys).toBeGreaterThanOrEqual(2);
    expect(s.handshakesCompleted).toBe(s.handshakesStarted);
    // What started each handshake: the first DATA message, then every key that ran out.
    expect(s.handshakesByTrigger).toEqual({ DATA: 1, rekey: s.rekeys });
    expect(s.handshakesStarted).toBe(1 + s.rekeys);
  });

  it('handshakesByTrigger names the layer that needed each session, and sums to handshakesStarted', () => {
    const { clock, net, alice, bob } = setup(nodeSuite, { idleSessionMs: 10_000 });
    const carol = makeNode(net, 'carol', nodeSuite);
    alice.manager.send(bob.peer(), PayloadType.DHT, utf8('find'));
    alice.manager.send(carol.peer(), PayloadType.ONION, utf8('cell'));
    alice.manager.send(carol.peer(), PayloadType.DHT, utf8('queued behind the same handshake'));
    clock.advance(30_000); // both idle out
    alice.manager.send(bob.peer(), PayloadType.PING, utf8('again'));
    clock.advance(100);
    const s = alice.manager.stats();
    expect(s.handshakesByTrigger).toEqual({ DHT: 1, ONION: 1, PING: 1 });
    expect(s.handshakesStarted).toBe(3);
    expect(bob.manager.stats().handshakesByTrigger).toEqual({});
  });

  it('expires idle sessions and erases them; a later send starts a fresh handshake', () => {
    const { clock, alice, bob } = setup(nodeSuite, { idleSessionMs: 10_000 });
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('1'));
    clock.advance(30_000);
    expect(alice.manager.stats()).toMatchObject({ sessionsOpen: 0, sessionsExpired: 1 });
    expect(bob.manager.stats()).toMatchObject({ sessionsOpen: 0, sessionsExpired: 1 });
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('2'));
    clock.advance(100);
    expect(bodies(bob.inbox)).toEqual(['1', '2']);
    expect(alice.manager.stats().handshakesStarted).toBe(2);
  });

  it('rejects a replayed handshake init: no second session, and a stale one by its timestamp', () => {
    const { clock, net, alice, bob } = setup(nodeSuite, { handshakeMaxSkewMs: 30_000, idleSessionMs: 1_000_000 });
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('x'));
    clock.advance(100);
    const msg1 = net.sent[0];
    net.inject(msg1);
    clock.advance(100);
    expect(bob.manager.stats()).toMatchObject({ handshakesAccepted: 1, sessionsOpen: 1 });
    expect(bob.manager.stats().dropped).toEqual({ replay: 1 });
    clock.advance(120_000); // the guard forgot the ephemeral key, but the timestamp is now too old
    net.inject(msg1);
    clock.advance(100);
    expect(bob.manager.stats()).toMatchObject({ handshakesAccepted: 1, sessionsOpen: 1 });
    expect(bob.manager.stats().dropped).toEqual({ replay: 1, 'stale-handshake': 1 });
  });

  it("'variable' padding mode shows the size of each message on the wire", () => {
    const { clock, net, alice, bob } = setup(nodeSuite, { paddingMode: 'variable' });
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('short'));
    alice.manager.send(bob.peer(), PayloadType.DATA, new Uint8Array(500));
    clock.advance(100);
    expect(bob.inbox.length).toBe(2);
    const sizes = new Set(net.sent.map((d) => d.bytes.length));
    expect(sizes.has(16 + 3 + 5 + 16)).toBe(true);
    expect(sizes.has(16 + 3 + 500 + 16)).toBe(true);
  });

  it('close() cancels every timer and drops later traffic', () => {
    const { clock, alice, bob } = setup();
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('a'));
    clock.advance(100);
    alice.manager.close();
    bob.manager.close();
    expect(clock.pending()).toBe(0);
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('b'));
    expect(alice.manager.stats().sendDropped).toEqual({ closed: 1 });
  });

  it('survives a simultaneous open: both handshakes complete and every message arrives', () => {
    const { clock, alice, bob } = setup();
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('a1'));
    bob.manager.send(alice.peer(), PayloadType.DATA, utf8('b1'));
    clock.advance(100);
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('a2'));
    bob.manager.send(alice.peer(), PayloadType.DATA, utf8('b2'));
    clock.advance(100);
    expect(bodies(bob.inbox)).toEqual(['a1', 'a2']);
    expect(bodies(alice.inbox)).toEqual(['b1', 'b2']);
    for (const node of [alice, bob]) expect(node.manager.stats()).toMatchObject({ handshakesStarted: 1, handshakesAccepted: 1, handshakesCompleted: 2 });
  });

  it('counts an invalid peer key as a failed handshake, without throwing', () => {
    const { alice } = setup();
    alice.manager.send({ address: 'bob', nodePub: new Uint8Array(33) }, PayloadType.DATA, utf8('x'));
    alice.manager.send({ address: 'bob', nodePub: new Uint8Array(12) }, PayloadType.DATA, utf8('x'));
    expect(alice.manager.stats()).toMatchObject({ handshakesFailed: 1, sessionsOpen: 0, sendDropped: { 'bad-peer-key': 2 } });
  });

  it('keeps every peer at one address (a NodeID rotation) reachable, and forgets each alone when it idles out', () => {
    // Guards the per-address index (byAddress holds one peer bare and an array only for a second one, issue 14):
    // the peers of an address must be found in insertion order, and removing one must leave the other(s) found,
    // whether the address goes back from two peers to one or from one to none.
    const { clock, net, alice, bob } = setup(nodeSuite, { idleSessionMs: 10_000 });
    const key1 = bob.peer();
    alice.manager.send(key1, PayloadType.DATA, utf8('to key 1'));
    clock.advance(100);
    bob.key = nodeSuite.generateKeyPair(new SeededRng('bob rotated'));
    const key2 = bob.peer();
    alice.manager.send(key2, PayloadType.DATA, utf8('to key 2'));
    clock.advance(100);
    expect(alice.manager.activePeers()).toEqual([key1, key2]);
    const noiseBefore = bob.manager.stats().noiseReceived;
    expect(alice.manager.sealNoise('bob')).toBeDefined(); // the newest peer's session seals it
    // Only key 2 stays in use: key 1's session idles out, and the address is left with key 2 alone.
    for (let t = 0; t < 8; t++) {
      alice.manager.send(key2, PayloadType.DATA, utf8(`k2 ${t}`));
      clock.advance(2_000);
    }
    expect(alice.manager.activePeers()).toEqual([key2]);
    expect(alice.manager.stats().sessionsExpired).toBe(1);
    net.transport('alice').send('bob', alice.manager.sealNoise('bob')!);
    clock.advance(100);
    expect(bob.manager.stats().noiseReceived).toBe(noiseBefore + 1); // sealed under key 2's live session
    // A third key makes two peers again; then both idle out and the address knows nobody.
    bob.key = nodeSuite.generateKeyPair(new SeededRng('bob rotated again'));
    const key3 = bob.peer();
    alice.manager.send(key3, PayloadType.DATA, utf8('to key 3'));
    clock.advance(100);
    expect(alice.manager.activePeers()).toEqual([key2, key3]);
    clock.advance(30_000);
    expect(alice.manager.activePeers()).toEqual([]);
    expect(alice.manager.sealNoise('bob')).toBeUndefined();
    expect(bodies(bob.inbox)).toEqual(['to key 1', 'to key 2', ...Array.from({ length: 8 }, (_, t) => `k2 ${t}`), 'to key 3']);
  });

  it('counts an authentic message of a type without a handler as no-handler', () => {
    const { clock, alice, bob } = setup();
    alice.manager.send(bob.peer(), PayloadType.DHT, utf8('find'));
    clock.advance(100);
    expect(bob.manager.stats().dropped).toEqual({ 'no-handler': 1 });
  });
});
