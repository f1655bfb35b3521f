import { describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import { toHex } from '../packet/bytes.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { totalDrops } from './stats.ts';
import { FakeChannelPair } from './testing/fake-channel.ts';
import { bytesOf, contains, World, type Party } from './testing/parties.ts';

const suite = nodeSuite;
const text = (s: string) => new TextEncoder().encode(s);

function pair(options: ConstructorParameters<typeof World>[0] extends infer O ? Partial<O> : never = {}) {
  const world = new World({ suite, ...options });
  const alice = world.party('alice');
  const bob = world.party('bob');
  return { world, alice, bob };
}

function expectClean(...parties: Party[]): void {
  for (const p of parties) expect(p.service.stats().dropped.internal ?? 0).toBe(0);
}

describe('ConversationService', () => {
  it('send() runs the handshake and both sides see pfs: true, ecmqv-e2e', () => {
    const { world, alice, bob } = pair();
    const sessions: string[] = [];
    alice.service.events.on('session', (e) => sessions.push(`alice:${e.role}:${e.change}:${e.protection.scheme}`));
    bob.service.events.on('session', (e) => sessions.push(`bob:${e.role}:${e.change}:${e.protection.scheme}`));
    const id = alice.service.send(bob.account.publicKey, text('hello bob'));
    expect(alice.service.pending()).toBe(1);
    world.clock.advance(1_000);
    expect(bob.inbox).toHaveLength(1);
    expect(bob.inbox[0]).toMatchObject({ messageId: id, protection: { pfs: true, scheme: 'ecmqv-e2e' } });
    expect(new TextDecoder().decode(bob.inbox[0].body)).toBe('hello bob');
    expect(toHex(bob.inbox[0].fromAccountPub)).toBe(toHex(alice.account.publicKey));
    expect(alice.outcomes).toEqual([{ kind: 'outcome', messageId: id, toAccountPub: bob.account.publicKey, outcome: { kind: 'delivered', latencyMs: expect.any(Number) } }]);
    expect(alice.service.pending()).toBe(0);
    expect(sessions).toEqual(expect.arrayContaining(['alice:initiator:established:ecmqv-e2e', 'bob:responder:established:ecmqv-e2e']));
    // Bob answers over the session Alice opened: no second channel.
    bob.service.send(alice.account.publicKey, text('hi alice'));
    world.clock.advance(1_000);
    expect(alice.inbox.map((m) => new TextDecoder().decode(m.body))).toEqual(['hi alice']);
    expect(world.pairs).toHaveLength(1);
    expect(totalDrops(alice.service.stats()) + totalDrops(bob.service.stats())).toBe(0);
  });

  it('a 10 kB message and its followers cross a 30 %-loss channel intact, in order, exactly once', () => {
    const { world, alice, bob } = pair({ channel: { lossRate: 0.3, maxPayloadBytes: 400 }, seed: 'lossy' });
    const bodies = [bytesOf(10_000, 1), text('two'), bytesOf(3_000, 3), text('four'), new Uint8Array(0)];
    const ids = bodies.map((b) => alice.service.send(bob.account.publicKey, b));
    world.clock.advance(120_000);
    expect(bob.inbox.map((m) => m.messageId)).toEqual(ids);
    bob.inbox.forEach((m, i) => expect(toHex(m.body)).toBe(toHex(bodies[i])));
    expect(alice.outcomes.map((o) => o.outcome.kind)).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered']);
    const s = alice.service.stats();
    expect(s.fragmentRetransmits).toBeGreaterThan(0);
    expect(s.messagesAcked).toBe(5);
    expect(bob.service.stats().messagesDelivered).toBe(5);
    expectClean(alice, bob);
  });

  it('a channel that dies mid-message is reopened and the message arrives once', () => {
    const { world, alice, bob } = pair({ channel: { maxPayloadBytes: 300 } });
    world.onPair = (p) => {
      if (world.pairs.length !== 1) return;
      let n = 0;
      p.interceptor = (_from, bytes) => {
        if (++n === 12) world.clock.setTimer(0, () => p.close('circuit died'));
        return [bytes];
      };
    };
    const body = bytesOf(8_000, 7);
    const id = alice.service.send(bob.account.publicKey, body);
    world.clock.advance(60_000);
    expect(world.pairs.length).toBeGreaterThanOrEqual(2);
    expect(world.pairs[0].closeReason).toBe('circuit died');
    expect(bob.inbox).toHaveLength(1);
    expect(bob.inbox[0].messageId).toBe(id);
    expect(toHex(bob.inbox[0].body)).toBe(toHex(body));
    expect(alice.outcomes.map((o) => o.outcome)).toEqual([{ kind: 'delivered', latencyMs: expect.any(Number) }]);
    expectClean(alice, bob);
  });

  it('a resend on a new session after a lost ack is suppressed as a duplicate', () => {
    const { world, alice, bob } = pair();
    // The first channel loses everything Bob sends after the handshake (his acks), then dies.
    world.onPair = (p) => {
      if (world.pairs.length !== 1) return;
      let fromB = 0;
      p.interceptor = (from, bytes) => (from === 'b' && ++fromB > 1 ? [] : [bytes]);
      world.clock.setTimer(3_000, () => p.close('circuit died'));
    };
    const id = alice.service.send(bob.account.publicKey, bytesOf(2_000));
    world.clock.advance(30_000);
    expect(bob.inbox.map((m) => m.messageId)).toEqual([id]);
    expect(bob.service.stats().duplicateFragments).toBeGreaterThan(0);
    expect(alice.outcomes.map((o) => o.outcome.kind)).toEqual(['delivered']);
  });

  it('a message to nobody fails with timeout; an unreachable account with channel-closed', () => {
    const w1 = new World({ suite, unknown: 'black-hole' });
    const alice = w1.party('alice');
    const nobody = suite.generateKeyPair(new SeededRng('nobody'));
    const id = alice.service.send(nobody.publicKey, text('anyone?'));
    w1.clock.advance(120_000);
    expect(alice.outcomes).toEqual([{ kind: 'outcome', messageId: id, toAccountPub: nobody.publicKey, outcome: { kind: 'failed', reason: 'timeout' } }]);
    expect(alice.service.stats().handshakesFailed).toBeGreaterThan(0);

    const w2 = new World({ suite, unknown: 'refuse' });
    const carol = w2.party('carol');
    carol.service.send(nobody.publicKey, text('anyone?'));
    w2.clock.advance(120_000);
    expect(carol.outcomes.map((o) => o.outcome)).toEqual([{ kind: 'failed', reason: 'channel-closed' }]);
    expect(carol.service.stats().channelOpenFailures).toBe(carol.service.config.maxChannelAttempts);
    expect(carol.service.pending()).toBe(0);
  });

  it('a peer behind the wrong account key fails the handshake', () => {
    const world = new World({ suite });
    const alice = world.party('alice', { messageTimeoutMs: 600_000 });
    const bob = world.party('bob');
    const impostor = suite.generateKeyPair(new SeededRng('impostor'));
    // Mallory's channel reaches Bob, who cannot open an init sealed to another key.
    (world as unknown as { parties: Map<string, Party> }).parties.set(toHex(impostor.publicKey), bob);
    alice.service.send(impostor.publicKey, text('for mallory'));
    world.clock.advance(600_000);
    expect(alice.outcomes.map((o) => o.outcome)).toEqual([{ kind: 'failed', reason: 'handshake-failed' }]);
    expect(bob.service.stats().dropped['auth-failed']).toBeGreaterThan(0);
    expect(bob.inbox).toHaveLength(0);
  });

  it('send() refuses too-large, bad-peer-key and queue-full after returning the id', () => {
    const world = new World({ suite });
    const alice = world.party('alice', { maxMessageBytes: 1_000, maxPendingMessages: 2 });
    const bob = world.party('bob');
    const big = alice.service.send(bob.account.publicKey, new Uint8Array(1_001));
    const bad = alice.service.send(new Uint8Array(33), text('x'));
    alice.service.send(bob.account.publicKey, text('1'));
    alice.service.send(bob.account.publicKey, text('2'));
    const full = alice.service.send(bob.account.publicKey, text('3'));
    expect(alice.outcomes).toHaveLength(0); // reported on the next tick, after the caller has the id
    world.clock.advance(1_000);
    const byId = new Map(alice.outcomes.map((o) => [o.messageId, o.outcome]));
    expect(byId.get(big)).toEqual({ kind: 'failed', reason: 'too-large' });
    expect(byId.get(bad)).toEqual({ kind: 'failed', reason: 'bad-peer-key' });
    expect(byId.get(full)).toEqual({ kind: 'failed', reason: 'queue-full' });
    expect(alice.outcomes).toHaveLength(5);
    expect(alice.service.stats().messagesSent).toBe(5);
  });

  it('stop() fails pending messages with stopped, closes channels and leaves no timers', () => {
    const { world, alice, bob } = pair({ channel: { lossRate: 0.5, maxPayloadBytes: 300 }, seed: 'stop' });
    for (let i = 0; i < 5; i++) alice.service.send(bob.account.publicKey, bytesOf(5_000, i));
    bob.service.send(alice.account.publicKey, text('late'));
    world.clock.advance(300);
    const pendingBefore = alice.service.pending();
    expect(pendingBefore).toBeGreaterThan(0);
    alice.service.stop();
    bob.service.stop();
    const stopped = alice.outcomes.filter((o) => o.outcome.kind === 'failed' && o.outcome.reason === 'stopped');
    expect(stopped).toHaveLength(pendingBefore);
    expect(alice.outcomes).toHaveLength(5);
    expect(alice.service.pending() + bob.service.pending()).toBe(0);
    world.clock.advance(100); // payloads and channel answers already in flight in the fake network
    expect(world.pairs.every((p) => !p.isOpen)).toBe(true);
    expect(world.clock.pending()).toBe(0);
    expect(alice.service.send(bob.account.publicKey, text('after'))).toMatch(/^[0-9a-f]{32}$/);
    world.clock.advance(10);
    expect(alice.outcomes.at(-1)?.outcome).toEqual({ kind: 'failed', reason: 'stopped' });
    expect(world.clock.pending()).toBe(0);
  });

  it("the relays never carry Alice's account key or any 16-byte run of a body", () => {
    const { world, alice, bob } = pair({ channel: { lossRate: 0.2 }, seed: 'relay' });
    const body = bytesOf(4_000, 9);
    alice.service.send(bob.account.publicKey, body);
    bob.service.send(alice.account.publicKey, bytesOf(500, 10));
    world.clock.advance(60_000);
    expect(bob.inbox).toHaveLength(1);
    const alicePub = alice.account.publicKey;
    for (const bytes of world.carried()) {
      expect(contains(bytes, alicePub.subarray(1))).toBe(false); // not even the x-coordinate
      for (let i = 0; i + 16 <= body.length; i += 97) expect(contains(bytes, body.subarray(i, i + 16))).toBe(false);
    }
  });
});

describe('ConversationService under attack', () => {
  function established() {
    const { world, alice, bob } = pair();
    const pairs: FakeChannelPair[] = [];
    world.onPair = (p) => pairs.push(p);
    alice.service.send(bob.account.publicKey, text('first'));
    world.clock.advance(1_000);
    expect(bob.inbox).toHaveLength(1);
    return { world, alice, bob, channel: pairs[0] };
  }

  it('tampered, replayed and injected payloads are dropped, counted and never delivered', () => {
    const { world, alice, bob, channel } = established();
    const fromA = channel.carried.filter((c) => c.from === 'a').map((c) => c.bytes);
    const before = totalDrops(bob.service.stats());
    let injected = 0;
    for (const bytes of fromA) {
      channel.inject('b', bytes); // exact replay
      const flipped = bytes.slice();
      flipped[flipped.length - 1] ^= 1;
      channel.inject('b', flipped); // tampered
      injected += 2;
    }
    channel.inject('b', new Uint8Array([0x04, 0, 0, 0, 0, 0, 0, 0, 99, ...new Uint8Array(40)])); // forged record
    channel.inject('b', new Uint8Array([0x09, 1, 2])); // unknown kind
    channel.inject('b', new Uint8Array(0));
    injected += 3;
    world.clock.advance(1_000);
    const s = bob.service.stats();
    // The confirm (msg3) replayed byte for byte gets a READY again (counted as a retransmission, not a drop).
    expect(totalDrops(s) - before + (s.handshakeRetransmits)).toBe(injected);
    expect(s.dropped.replay).toBeGreaterThan(0);
    expect(s.dropped['auth-failed']).toBeGreaterThan(0);
    expect(bob.inbox).toHaveLength(1);
    expectClean(alice, bob);
  });

  it('a replayed init on a new channel opens no session', () => {
    const { world, bob, channel } = established();
    const init = channel.carried[0].bytes;
    const mallory = new FakeChannelPair(world.clock);
    bob.service.accept(mallory.b);
    mallory.inject('b', init);
    world.clock.advance(100);
    expect(bob.service.stats().dropped['replayed-init']).toBe(1);
    expect(mallory.carried).toHaveLength(0); // Bob answered nothing
  });

  it('a channel that sends junk before its handshake is closed after maxHandshakeDrops', () => {
    const { world, bob } = established();
    const mallory = new FakeChannelPair(world.clock);
    bob.service.accept(mallory.b);
    const before = totalDrops(bob.service.stats());
    for (let i = 0; i < 40; i++) mallory.inject('b', bytesOf(124, i).map((b, j) => (j === 0 ? 0x01 : b)));
    world.clock.advance(100);
    expect(mallory.isOpen).toBe(false);
    expect(totalDrops(bob.service.stats()) - before).toBe(bob.service.config.maxHandshakeDrops);
  });

  it('an init outside the skew window is refused as stale', () => {
    const { world, bob, channel } = established();
    const init = channel.carried[0].bytes;
    world.clock.advance(bob.service.config.handshakeMaxSkewMs * 3);
    const mallory = new FakeChannelPair(world.clock);
    bob.service.accept(mallory.b);
    mallory.inject('b', init);
    world.clock.advance(100);
    expect(bob.service.stats().dropped['stale-handshake']).toBe(1);
  });

  it('strangers are bounded: maxSessions, maxConversations, the init cache', () => {
    const world = new World({ suite, config: { maxSessions: 3, maxConversations: 2, maxRecentHandshakes: 3, messageTimeoutMs: 5_000 } });
    const bob = world.party('bob');
    const strangers = ['s1', 's2', 's3', 's4'].map((n) => world.party(n));
    for (const s of strangers) s.service.send(bob.account.publicKey, text(`from ${s.name}`));
    world.clock.advance(1_000);
    // Two conversations fit; the third and fourth stranger are refused (and their channel closed).
    expect(bob.inbox).toHaveLength(2);
    expect(bob.service.stats().conversations).toBe(2);
    expect(bob.service.stats().dropped['conversation-limit']).toBeGreaterThan(0);
    // Idle half-open channels: the oldest is evicted when a new one arrives at the limit.
    for (let i = 0; i < 5; i++) bob.service.accept(new FakeChannelPair(world.clock).b);
    expect(bob.service.stats().sessionsOpen).toBeLessThanOrEqual(3);
    expect(bob.service.stats().dropped['session-limit']).toBeGreaterThan(0);
    world.clock.advance(600_000);
    for (const s of strangers) expect(s.service.pending()).toBe(0);
    expectClean(bob, ...strangers);
  });

  it('an idle conversation is evicted to make room for a new peer; a busy one never is', () => {
    const world = new World({ suite, config: { maxConversations: 1, idleSessionMs: 5_000, idleConversationMs: 10_000 } });
    const bob = world.party('bob');
    const [s1, s2] = ['s1', 's2'].map((n) => world.party(n));
    s1.service.send(bob.account.publicKey, text('one'));
    world.clock.advance(1_000);
    s2.service.send(bob.account.publicKey, text('two'));
    world.clock.advance(1_000);
    expect(bob.inbox.map((m) => new TextDecoder().decode(m.body))).toEqual(['one']);
    expect(bob.service.stats().dropped['conversation-limit']).toBeGreaterThan(0);
    world.clock.advance(40_000); // s1's session idles out, its conversation goes idle; s2 keeps retrying
    expect(bob.inbox.map((m) => new TextDecoder().decode(m.body))).toEqual(['one', 'two']);
    expect(bob.service.stats().conversationsEvicted).toBe(1);
    expect(s2.outcomes.map((o) => o.outcome.kind)).toEqual(['delivered']);
  });

  it('the init cache refuses new inits when full and recovers after the skew window', () => {
    const world = new World({ suite, config: { maxRecentHandshakes: 2, handshakeMaxSkewMs: 10_000, messageTimeoutMs: 300_000, idleConversationMs: 1 } });
    const bob = world.party('bob');
    const others = ['s1', 's2', 's3'].map((n) => world.party(n));
    for (const s of others) s.service.send(bob.account.publicKey, text(s.name));
    world.clock.advance(1_000);
    expect(bob.inbox).toHaveLength(2);
    expect(bob.service.stats().dropped['handshake-overload']).toBeGreaterThan(0);
    world.clock.advance(200_000); // entries expire; s3's channel retries get through
    expect(bob.inbox).toHaveLength(3);
  });
});
