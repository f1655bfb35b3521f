import { describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import { PayloadType } from '../packet/payload-type.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import type { SessionConfig } from './constants.ts';
import { resolveSessionConfig } from './constants.ts';
import { Loopback, ManualClock, type Datagram } from './testing/loopback.ts';
import { makeNode, text, utf8 } from './testing/nodes.ts';

function setup(config: Partial<SessionConfig> = {}, latencyMs = 5) {
  const clock = new ManualClock();
  const net = new Loopback(clock, latencyMs);
  const alice = makeNode(net, 'alice', nodeSuite, config);
  const bob = makeNode(net, 'bob', nodeSuite, config);
  return { clock, net, alice, bob };
}

const isData = (d: Datagram) => d.label?.kind === 'data'; // the receiver's view: the bytes no longer tell

describe('SessionManager noise frames', () => {
  it('sealNoise() seals an empty NOISE frame of the wire size that the peer counts as noise, not as a message', () => {
    const { clock, net, alice, bob } = setup();
    expect(alice.manager.sealNoise('bob')).toBeUndefined(); // no session yet
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('hi'));
    clock.advance(100);
    expect(alice.manager.activePeers()).toEqual([bob.peer()]);
    const dummy = alice.manager.sealNoise('bob')!;
    expect(dummy.length).toBe(alice.manager.config.wireSize);
    expect(alice.manager.sealNoise('carol')).toBeUndefined();
    net.transport('alice').send('bob', dummy);
    clock.advance(100);
    const a = alice.manager.stats();
    const b = bob.manager.stats();
    expect(a).toMatchObject({ noiseSent: 1, noiseBytesSent: dummy.length, messagesSent: 1 });
    expect(a.realBytesSent).toBe(dummy.length); // the one DATA datagram
    expect(a.bytesSent).toBeGreaterThan(a.realBytesSent + a.noiseBytesSent); // + handshake and control
    expect(b).toMatchObject({ noiseReceived: 1, messagesDelivered: 1, dropped: {} });
    expect(bob.inbox.map((m) => text(m.body))).toEqual(['hi']);
  });

  it('counts a NOISE frame with a body as noise, garbage as a drop, and never buffers noise before msg3', () => {
    const { clock, net, alice, bob } = setup();
    // Lose msg3 once: Bob gets Alice's data and noise before confirmation.
    let confirmsSeen = 0;
    net.interceptor = (d) => (d.from === 'alice' && isData(d) && confirmsSeen++ === 0 ? [] : [d]);
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('early'));
    clock.advance(20);
    net.transport('alice').send('bob', alice.manager.sealNoise('bob')!);
    alice.manager.send(bob.peer(), PayloadType.NOISE, utf8('a noise body is ignored'));
    clock.advance(20);
    expect(bob.manager.stats()).toMatchObject({ noiseReceived: 2, messagesDelivered: 0 });
    clock.advance(2_000); // msg3 resent, 'early' delivered
    expect(bob.inbox.map((m) => text(m.body))).toEqual(['early']);
    const rng = new SeededRng('garbage');
    for (let i = 0; i < 20; i++) net.inject({ from: 'mallory', to: 'bob', bytes: rng.bytes(alice.manager.config.wireSize) });
    clock.advance(100);
    const b = bob.manager.stats();
    expect(b.noiseReceived).toBe(2);
    expect(Object.values(b.dropped).reduce((s, n) => s + (n ?? 0), 0)).toBe(20);
    expect(b.dropped.internal).toBeUndefined();
  });
});

describe.each(['handshake', 'in-session'] as const)('SessionManager rekeying (rekeyMethod %s)', (rekeyMethod) => {
  const inSession = rekeyMethod === 'in-session';
  it('rekeyAfterMs: fresh keys every period, messages in flight across each switch all arrive', () => {
    const { clock, net, alice, bob } = setup({ rekeyAfterMs: 10_000, idleSessionMs: 4_000, rekeyMethod }, 40);
    const sent: string[] = [];
    const back: string[] = [];
    // Every 15 ms both ways, 40 ms on the wire: some packets are always in flight when a session switches.
    for (let i = 0; i < 2_400; i++) {
      sent.push(`a${i}`);
      alice.manager.send(bob.peer(), PayloadType.DATA, utf8(`a${i}`));
      if (i > 10 && i % 2 === 0) {
        back.push(`b${i}`);
        bob.manager.send(alice.peer(), PayloadType.DATA, utf8(`b${i}`));
      }
      clock.advance(15);
    }
    clock.advance(2_000);
    expect(bob.inbox.map((m) => text(m.body))).toEqual(sent);
    expect(alice.inbox.map((m) => text(m.body))).toEqual(back);
    const a = alice.manager.stats();
    const b = bob.manager.stats();
    expect(a.rekeysTime).toBe(3); // at 10, 20 and 30 s of a 36 s run
    expect(a.rekeys).toBe(3);
    expect(b.rekeys).toBe(0); // the responder's 15 s limit never came: each new session replaced its own
    // In-session: one handshake at the start, then each new key from one ECDH inside the session it replaces.
    expect(b.handshakesAccepted).toBe(inSession ? 1 : 4);
    expect([a.rekeysOffered, b.rekeysAnswered, a.rekeysCompleted, b.rekeysCompleted]).toEqual(inSession ? [3, 3, 3, 3] : [0, 0, 0, 0]);
    for (const s of [a, b]) {
      expect(s.dropped).toEqual({});
      expect(s.sendDropped).toEqual({});
      expect(s.handshakesFailed).toBe(0);
      expect(s.rekeysFailed).toBe(0);
    }
    // Fresh keys: each session's packets head with another connId, and old sessions were erased once idle.
    const aliceConnIds = new Set(net.sent.filter((d) => d.from === 'alice' && isData(d)).map((d) => d.label?.connIdHex));
    expect(aliceConnIds.size).toBe(4);
    expect(a.sessionsExpired).toBe(3);
    expect(a.sessionsOpen).toBe(1);
  });

  it('a replay of an old session packet after the switch is dropped, never delivered twice', () => {
    const { clock, net, alice, bob } = setup({ rekeyAfterMs: 1_000, idleSessionMs: 5_000, rekeyMethod });
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('old'));
    clock.advance(100);
    const old = net.sent.filter((d) => d.from === 'alice' && isData(d)).at(-1)!;
    clock.advance(1_000);
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('trigger'));
    clock.advance(100);
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('new'));
    net.inject(old); // while the old session still receives: a replay
    clock.advance(10_000); // both sessions idle out
    net.inject(old); // now: a packet for no session
    clock.advance(100);
    expect(bob.inbox.map((m) => text(m.body))).toEqual(['old', 'trigger', 'new']);
    expect(alice.manager.stats().rekeysTime).toBe(1);
    const dropped = bob.manager.stats().dropped;
    expect(dropped.replay).toBe(1);
    expect(Object.values(dropped).reduce((s, n) => s + (n ?? 0), 0)).toBe(2);
  });

  it('rekeyAfterPackets rekeys either role on its count; the responder rekeys by time at 1.5x', () => {
    const { clock, alice, bob } = setup({ rekeyAfterPackets: 50, rekeyMethod });
    for (let i = 0; i < 120; i++) {
      alice.manager.send(bob.peer(), PayloadType.DATA, utf8(`m${i}`));
      clock.advance(20);
    }
    expect(bob.inbox).toHaveLength(120);
    expect(alice.manager.stats().rekeysPackets).toBe(2);

    const r = setup({ rekeyAfterMs: 2_000, rekeyMethod });
    r.alice.manager.send(r.bob.peer(), PayloadType.DATA, utf8('open'));
    r.clock.advance(100);
    for (let i = 0; i < 40; i++) {
      r.bob.manager.send(r.alice.peer(), PayloadType.DATA, utf8(`r${i}`)); // only the responder talks
      r.clock.advance(100);
    }
    expect(r.alice.inbox).toHaveLength(40);
    expect(r.bob.manager.stats().rekeysTime).toBe(1); // at 3 s; the new session is Bob's own (initiator) from then
    expect(r.alice.manager.stats().rekeys).toBe(0);
    expect(r.bob.manager.stats().rekeysCompleted).toBe(inSession ? 1 : 0);
  });
});

describe('SessionManager rekeying', () => {

  it('rekeyAfterMs is off by default (existing traces), and validated when set', () => {
    expect(resolveSessionConfig().rekeyAfterMs).toBeNull();
    expect(() => resolveSessionConfig({ rekeyAfterMs: 0 })).toThrow(RangeError);
    expect(() => resolveSessionConfig({ rekeyAfterPackets: 1.5 })).toThrow(RangeError);
  });
});
