/**
 * NAT traversal against nodes that lie. A rendezvous can see and steer the coordination, but the punch tag is
 * keyed by the two endpoints' static-static secret (punch-datagram.ts) and the session that follows is an
 * authenticated ECMQV handshake, so a lie can make a connect fail, never make it reach the wrong node; every
 * lie that reaches an honest node is dropped and counted under a typed reason.
 */
import { describe, expect, it } from 'vitest';
import { decodeNatMessage, encodeNatMessage, type NatMessage } from '../../protocol/nat/messages.ts';
import type { ConnectResult } from '../../protocol/nat/nat-service.ts';
import { buildPunch, derivePunchKeys } from '../../protocol/nat/punch-datagram.ts';
import { sealRelayed } from '../../protocol/nat/relay-seal.ts';
import { PayloadType } from '../../protocol/packet/payload-type.ts';
import type { SessionMessage } from '../../protocol/session/session-manager.ts';
import type { Peer } from '../../protocol/session/session.ts';
import { NatTestbed, type NatTestNode } from './nat-testbed.ts';

type RawNode = Omit<NatTestNode, 'nat'>;

/** A node answering NAT messages with `policy`; REGISTER is answered honestly so nodes will accept it. */
function natActor(node: RawNode, policy: (from: Peer, m: NatMessage) => void): (to: Peer, m: NatMessage) => void {
  const send = (to: Peer, m: NatMessage): void => node.sessions.send(to, PayloadType.NAT, encodeNatMessage(m));
  node.sessions.onMessage(PayloadType.NAT, (msg: SessionMessage) => {
    const d = decodeNatMessage(msg.body);
    if (!d.ok) return;
    const from = { address: msg.from.address, nodePub: msg.from.nodePub };
    if (d.message.kind === 'register') {
      return send(from, { kind: 'registered', requestId: d.message.requestId, ttlMs: 600_000, observedAddress: from.address });
    }
    policy(from, d.message);
  });
  return send;
}

const pubOf = (n: { identity: { publicKey: Uint8Array } }) => n.identity.publicKey;

/** PUNCH_NOTIFY naming `requesterPub` at `requesterAddress`. */
function notifyOf(nonce: Uint8Array, requesterPub: Uint8Array, requesterAddress: string): NatMessage {
  return { kind: 'punch-notify', nonce, requesterPub, requesterAddress, requesterMapping: 'unknown' };
}

/** PUNCH_READY answering `requestId` about `targetPub` at `targetAddress`. */
function readyOf(requestId: Uint8Array, targetPub: Uint8Array, nonce: Uint8Array, targetAddress: string, observedAddress: string): NatMessage {
  return { kind: 'punch-ready', requestId, targetPub, nonce, targetAddress, targetMapping: 'unknown', observedAddress };
}

describe('NatService against lying and spoofing nodes', () => {
  it('drops a PUNCH_NOTIFY from a node it never registered with, and sends no punch for it', () => {
    const tb = new NatTestbed({ seed: 'spoofed-notify' });
    const b = tb.add('b', 'restricted');
    const victim = tb.add('victim');
    const m = tb.addRaw('m');
    const send = natActor(m, () => {});
    // B talks to M (so M's session reaches through B's NAT) but never registers with it.
    tb.await((cb) => b.nat.connect(m.peer, {}, cb));
    send({ address: 'b', nodePub: pubOf(b) }, notifyOf(tb.sim.rng('x').bytes(16), pubOf(victim), 'victim'));
    tb.runFor(5_000);
    const s = b.nat.stats();
    expect(s.dropped).toEqual({ 'not-rendezvous': 1 });
    expect([s.notifiesAccepted, s.punchesSent]).toEqual([0, 0]);
    expect(victim.sessions.stats().packetsReceived).toBe(0);
  });

  it('a rendezvous that points us at an accomplice: forged punches fail their tag, no session goes to it', () => {
    const tb = new NatTestbed({ seed: 'lying-ready', nat: { relay: false } });
    const a = tb.add('a', 'restricted');
    const b = tb.add('b', 'restricted');
    const liar = tb.addRaw('liar');
    const accomplice = tb.addRaw('accomplice');
    const send = natActor(liar, (from, msg) => {
      if (msg.kind !== 'punch-request') return;
      const nonce = tb.sim.rng('liar').bytes(16);
      send({ address: 'b', nodePub: pubOf(b) }, notifyOf(nonce, from.nodePub, from.address));
      send(from, readyOf(msg.requestId, msg.targetPub, nonce, 'accomplice', from.address));
      // The accomplice knows the nonce, so the ids, but not A and B's static secret: it can only guess a tag.
      const keys = derivePunchKeys(tb.suite, accomplice.identity.privateKey, pubOf(accomplice), pubOf(a), nonce, 'target', { punch: 10, ack: 4 });
      for (let i = 0; i < 5; i++) {
        tb.sim.after(100 + 150 * i, () => accomplice.port.sendRaw('a', buildPunch(tb.suite, tb.sim.rng('forger'), keys, 'punch', i, 1232)));
      }
    });
    for (const n of [a, b]) expect(tb.await<{ ok: boolean }>((cb) => n.nat.register(liar.peer, cb)).ok).toBe(true);
    const result = tb.await<ConnectResult>((cb) => a.nat.connect({ address: 'b', nodePub: pubOf(b) }, { via: liar.peer, direct: false }, cb));
    expect(result.ok ? result.path : result.reason).toBe('unpunchable');
    expect(a.nat.stats().dropped['bad-punch-auth']).toBeGreaterThanOrEqual(1);
    expect(a.nat.routeOf(pubOf(b))).toBeUndefined();
    expect(accomplice.sessions.stats().handshakesAccepted).toBe(0);
    expect(a.nat.stats().probesSent).toBe(0);
  });

  it('a rendezvous that names the wrong requester to the target: both ends reject the other side\'s punches', () => {
    const tb = new NatTestbed({ seed: 'lying-notify', nat: { relay: false } });
    const a = tb.add('a'); // public: B's punches reach it
    const b = tb.add('b', 'restricted');
    const stranger = tb.add('stranger');
    const liarNode = tb.addRaw('liar');
    const send = natActor(liarNode, (from, msg) => {
      if (msg.kind !== 'punch-request') return;
      const nonce = tb.sim.rng('liar').bytes(16);
      send({ address: 'b', nodePub: pubOf(b) }, notifyOf(nonce, pubOf(stranger), from.address));
      send(from, readyOf(msg.requestId, msg.targetPub, nonce, 'b', from.address));
    });
    const liar = liarNode.peer;
    for (const n of [a, b]) expect(tb.await<{ ok: boolean }>((cb) => n.nat.register(liar, cb)).ok).toBe(true);
    const result = tb.await<ConnectResult>((cb) => a.nat.connect({ address: 'b', nodePub: pubOf(b) }, { via: liar, direct: false }, cb));
    expect(result.ok ? result.path : result.reason).toBe('unpunchable');
    expect(a.nat.stats().dropped['bad-punch-auth']).toBeGreaterThanOrEqual(1);
    expect(b.nat.stats().dropped['bad-punch-auth']).toBeGreaterThanOrEqual(1);
    expect(a.nat.routeOf(pubOf(b))).toBeUndefined();
    expect(b.nat.routeOf(pubOf(stranger))).toBeUndefined();
  });

  it('drops replies it did not ask for, replies about another target, replayed and flooded notifies', () => {
    const tb = new NatTestbed({ seed: 'noise', nat: { relay: false, maxNotifiesPerWindow: 4 } });
    const a = tb.add('a');
    const b = tb.add('b', 'restricted');
    const other = tb.add('other');
    const raw = tb.addRaw('liar');
    const send = natActor(raw, (from, msg) => {
      if (msg.kind !== 'punch-request') return;
      // Answers about someone else.
      send(from, readyOf(msg.requestId, pubOf(other), new Uint8Array(16), 'other', from.address));
    });
    for (const n of [a, b]) expect(tb.await<{ ok: boolean }>((cb) => n.nat.register(raw.peer, cb)).ok).toBe(true);
    const result = tb.await<ConnectResult>((cb) => a.nat.connect({ address: 'b', nodePub: pubOf(b) }, { via: raw.peer, direct: false }, cb));
    expect(result.ok ? result.path : result.reason).toBe('rendezvous-refused');
    expect(a.nat.stats().dropped.mismatch).toBe(1);
    // An answer to nothing.
    send(a.peer, readyOf(new Uint8Array(8).fill(7), pubOf(b), new Uint8Array(16), 'b', 'a'));
    // The same nonce twice, then a flood of fresh ones from a registered rendezvous.
    const rng = tb.sim.rng('flood');
    const notify = (nonce: Uint8Array) => send({ address: 'b', nodePub: pubOf(b) }, notifyOf(nonce, pubOf(a), 'a'));
    const replayed = rng.bytes(16);
    notify(replayed);
    notify(replayed);
    for (let i = 0; i < 8; i++) notify(rng.bytes(16));
    tb.runFor(10_000);
    expect(a.nat.stats().dropped).toMatchObject({ mismatch: 1, unsolicited: 1 });
    const sb = b.nat.stats();
    expect(sb.dropped).toMatchObject({ duplicate: 1, 'rate-limited': 5 });
    expect(sb.notifiesAccepted).toBe(4);
    expect(sb.punchesSent).toBeLessThanOrEqual(4 * b.nat.config.punchAttempts);
  });

  it('relayed payloads: a forged source, a replay and a stale one are dropped; the genuine one is delivered once', () => {
    const tb = new NatTestbed({ seed: 'relay-forgery' });
    const a = tb.add('a');
    const b = tb.add('b');
    const forger = tb.add('forger');
    const send = natActor(tb.addRaw('relay'), () => {});
    const got: SessionMessage[] = [];
    b.nat.onMessage(PayloadType.DATA, (msg) => got.push(msg));
    const toB = { address: 'b', nodePub: pubOf(b) };
    const rng = tb.sim.rng('seal');
    const now = tb.sim.now();
    const genuine = sealRelayed(tb.suite, rng, a.identity, pubOf(b), now, PayloadType.DATA, new Uint8Array([1]));
    const forged = sealRelayed(tb.suite, rng, forger.identity, pubOf(b), now, PayloadType.DATA, new Uint8Array([2]));
    const stale = sealRelayed(tb.suite, rng, a.identity, pubOf(b), now + 3_600_000, PayloadType.DATA, new Uint8Array([3]));
    send(toB, { kind: 'relayed', sourcePub: pubOf(a), sealed: genuine });
    send(toB, { kind: 'relayed', sourcePub: pubOf(a), sealed: genuine });
    send(toB, { kind: 'relayed', sourcePub: pubOf(a), sealed: forged }); // claims A, sealed by the forger
    send(toB, { kind: 'relayed', sourcePub: pubOf(a), sealed: stale });
    tb.runFor(2_000);
    expect(got.map((m) => [m.body[0], m.protection.pfs])).toEqual([[1, false]]);
    expect(b.nat.stats().dropped).toEqual({ replay: 1, 'relay-auth-failed': 1, stale: 1 });
  });
});
