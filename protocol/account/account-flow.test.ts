import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../crypto/bytes.ts';
import type { Channel } from '../messenger/channel.ts';
import { blindPublicKey, descriptorKey } from './blinding.ts';
import { PERIOD_MS, RECORD_TYPE_DESCRIPTOR, RelayCommand } from './constants.ts';
import { Harness } from './testing/harness.ts';

function connectSync(h: Harness, from: number, accountPub: Uint8Array, runMs = 120_000) {
  let result: { ok: true; channel: Channel } | { ok: false; reason: string } | undefined;
  let calls = 0;
  h.nodes[from].accounts.connect(accountPub, (r) => {
    calls++;
    result = r;
  });
  expect(result).toBeUndefined(); // never inside connect()
  h.clock.advance(runMs);
  expect(calls).toBe(1);
  return result!;
}

function hostBob(h: Harness, node = 0) {
  const bob = h.account('bob');
  const incoming: Channel[] = [];
  h.nodes[node].accounts.host(bob, (c) => incoming.push(c));
  h.clock.advance(10_000);
  return { bob, incoming };
}

describe('AccountService: introduction and rendezvous', () => {
  it('Alice connects to Bob’s account and a payload goes both ways', () => {
    const h = new Harness(10, { startMs: 20_000 * PERIOD_MS + 1 });
    const { bob, incoming } = hostBob(h);
    expect(h.nodes[0].accounts.stats().service.introPointsReady).toBe(3);
    const r = connectSync(h, 5, bob.publicKey, 30_000);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(incoming).toHaveLength(1);
    const bobGot: string[] = [];
    const aliceGot: string[] = [];
    incoming[0].onReceive((p) => {
      bobGot.push(new TextDecoder().decode(p));
      incoming[0].send(utf8('hello alice'));
    });
    r.channel.onReceive((p) => aliceGot.push(new TextDecoder().decode(p)));
    expect(r.channel.send(utf8('hello bob'))).toBe(true);
    h.clock.advance(1_000);
    expect(bobGot).toEqual(['hello bob']);
    expect(aliceGot).toEqual(['hello alice']);
    expect(r.channel.maxPayloadBytes).toBeGreaterThan(0);
    expect(r.channel.send(new Uint8Array(r.channel.maxPayloadBytes + 1))).toBe(false);
    expect(h.nodes[5].accounts.stats().drops['payload-too-large']).toBe(1);
    // Closing one end closes the other (R tears the splice down).
    const closed: string[] = [];
    incoming[0].onClose((reason) => closed.push(reason));
    r.channel.close();
    h.clock.advance(1_000);
    expect(closed).toHaveLength(1);
    expect(incoming[0].isOpen).toBe(false);
    expect(h.nodes[5].accounts.stats().client).toMatchObject({ connects: 1, connected: 1, connectsActive: 0 });
  });

  it('the rendezvous point sees a cookie, a tag and the payloads: never the account, A′, or either end', () => {
    // Alice (5) may not pick Bob's node (0) as a relay here; the local case has its own test.
    const h = new Harness(10, { startMs: 5 * PERIOD_MS, allow: (picker, j) => picker !== 5 || j !== 0 });
    const { bob, incoming } = hostBob(h, 0);
    const r = connectSync(h, 5, bob.publicKey, 30_000);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    r.channel.send(utf8('payload'));
    h.clock.advance(1_000);
    expect(incoming).toHaveLength(1);
    const rendezvous = h.nodes.find((n) => n.onion.seen.some((c) => c.command === RelayCommand.RENDEZVOUS1))!;
    expect(rendezvous).toBeDefined();
    const seenHex = rendezvous.onion.seen.map((c) => toHex(c.body)).join('|');
    const secrets = [
      bob.publicKey,
      blindPublicKey(h.suite, bob.publicKey, 5),
      h.nodes[0].peer.nodePub,
      h.nodes[5].peer.nodePub,
      utf8(h.nodes[0].peer.address),
      utf8(h.nodes[5].peer.address),
    ];
    for (const s of secrets) expect(seenHex).not.toContain(toHex(s));
    // Its cells are exactly the rendezvous vocabulary.
    const commands = new Set(rendezvous.onion.seen.map((c) => c.command));
    for (const c of commands) {
      expect([RelayCommand.ESTABLISH_RENDEZVOUS, RelayCommand.RENDEZVOUS_ESTABLISHED, RelayCommand.RENDEZVOUS1, RelayCommand.RENDEZVOUS2, RelayCommand.DATA]).toContain(c);
    }
  });

  it('an introduction point never sees the rendezvous point or the cookie in clear (it is sealed)', () => {
    const h = new Harness(10, { startMs: 5 * PERIOD_MS });
    const { bob } = hostBob(h, 0);
    const r = connectSync(h, 5, bob.publicKey, 30_000);
    expect(r.ok).toBe(true);
    const intro = h.nodes.find((n) => n.onion.seen.some((c) => c.command === RelayCommand.INTRODUCE1))!;
    const rend = h.nodes.find((n) => n.onion.seen.some((c) => c.command === RelayCommand.ESTABLISH_RENDEZVOUS))!;
    const cookie = rend.onion.seen.find((c) => c.command === RelayCommand.ESTABLISH_RENDEZVOUS)!.body;
    const introHex = intro.onion.seen.map((c) => toHex(c.body)).join('|');
    expect(introHex).not.toContain(toHex(rend.peer.nodePub));
    expect(introHex).not.toContain(toHex(utf8(rend.peer.address)));
    expect(introHex).not.toContain(toHex(cookie));
    expect(introHex).not.toContain(toHex(bob.publicKey));
  });

  it('joins locally when the client picks the service’s own node as rendezvous point, or its own node as intro point', () => {
    // Bob's node 0 serves only as intro points 1-3; Alice (4) may pick only node 0 as rendezvous point and hop.
    const h = new Harness(5, { startMs: 5 * PERIOD_MS, config: { hopsPerCircuit: 1 }, allow: (p, j) => (p === 0 ? j >= 1 && j <= 3 : p === 4 ? j === 0 : true) });
    const { bob, incoming } = hostBob(h, 0);
    const r = connectSync(h, 4, bob.publicKey, 30_000);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(incoming).toHaveLength(1);
    const got: string[] = [];
    incoming[0].onReceive((p) => (got.push(new TextDecoder().decode(p)), incoming[0].send(p)));
    const back: string[] = [];
    r.channel.onReceive((p) => back.push(new TextDecoder().decode(p)));
    r.channel.send(utf8('via local rendezvous'));
    h.clock.advance(1_000);
    expect(got).toEqual(['via local rendezvous']);
    expect(back).toEqual(['via local rendezvous']);
    expect(h.nodes[0].accounts.stats().relay.splices).toBe(1);
    r.channel.close();
    h.clock.advance(1_000);
    expect(incoming[0].isOpen).toBe(false);

    // Now Alice is an intro point of Bob's: node 1 connects, and may use itself as intro point.
    const r2 = connectSync(h, 1, bob.publicKey, 60_000);
    expect(r2.ok).toBe(true);
    expect(h.nodes[1].accounts.stats().relay.introducesForwarded).toBe(1); // introduced through itself
  });

  it('an unknown account fails with no-descriptor', () => {
    const h = new Harness(6, { startMs: PERIOD_MS * 3 });
    const r = connectSync(h, 1, h.account('nobody').publicKey);
    expect(r).toEqual({ ok: false, reason: 'no-descriptor' });
  });

  it('a bad account key fails with bad-account-key', () => {
    const h = new Harness(4);
    expect(connectSync(h, 1, new Uint8Array(33))).toEqual({ ok: false, reason: 'bad-account-key' });
  });

  it('intro points that died fail over to the next; all dead gives intro-failed', () => {
    const h = new Harness(12, { startMs: PERIOD_MS * 3 + 1 });
    const { bob } = hostBob(h, 0);
    const introNodes = h.nodes.filter((n) => n.onion.seen.some((c) => c.command === RelayCommand.ESTABLISH_INTRO));
    expect(introNodes).toHaveLength(3);
    // Drop two intro points' registrations silently (their relay forgets: as if they restarted).
    introNodes[0].accounts.stop();
    introNodes[1].accounts.stop();
    const ok = connectSync(h, 11, bob.publicKey, 60_000);
    // Either the live intro point was tried within maxIntroAttempts, or all three were dead-ended.
    expect(ok.ok).toBe(true);
    introNodes[2].accounts.stop();
    const h11 = h.nodes.findIndex((n) => !introNodes.includes(n) && n.index !== 0 && n.index !== 11);
    const bad = connectSync(h, h11, bob.publicKey, 120_000);
    expect(bad).toEqual({ ok: false, reason: 'intro-failed' });
  });

  it('descriptors follow the period: the next period is published before the boundary, old keys unpublished', () => {
    const start = 7 * PERIOD_MS;
    const h = new Harness(8, { startMs: start });
    const { bob } = hostBob(h, 0);
    const key7 = blindPublicKey(h.suite, bob.publicKey, 7);
    const key8 = blindPublicKey(h.suite, bob.publicKey, 8);
    const offeredFor = (blinded: Uint8Array) => h.dht.offered.filter((o) => toHex(o.record.value).includes(toHex(blinded))).length;
    expect(offeredFor(key7)).toBeGreaterThan(0);
    expect(offeredFor(key8)).toBe(0);
    h.clock.runUntil(start + PERIOD_MS - 30 * 60_000); // inside the overlap
    expect(offeredFor(key8)).toBeGreaterThan(0);
    // A client whose clock is already in period 8 finds Bob.
    expect(h.nodes[0].published.size).toBe(2);
    h.clock.runUntil(start + PERIOD_MS + 10 * 60_000);
    const only8 = [...h.nodes[0].published];
    expect(only8).toEqual([`${toHex(descriptorKey(h.suite, key8))}/${RECORD_TYPE_DESCRIPTOR}`]);
    expect(connectSync(h, 4, bob.publicKey, 60_000).ok).toBe(true);
    expect(h.dht.rejected).toEqual([]);
    expect(h.nodes[0].accounts.stats().service.descriptorsPublished).toBeGreaterThan(24);
  });

  it('intro circuits that expire are re-established on the same relay with the same keys (proof by the key)', () => {
    const h = new Harness(10, { startMs: PERIOD_MS });
    const { bob } = hostBob(h, 0);
    const published = h.nodes[0].accounts.stats().service.descriptorsPublished;
    // Expire every intro circuit Bob holds, twice.
    for (let round = 0; round < 2; round++) {
      for (const c of h.onion.circuits()) if (c.origin === h.nodes[0].onion) c.close('expired');
      h.clock.advance(5_000);
    }
    const s = h.nodes[0].accounts.stats().service;
    expect(s.introPointsReady).toBe(3);
    expect(s.introsEstablished).toBe(9);
    expect(s.introRelaysRotated).toBe(0);
    // No new descriptor was needed (beyond the timer-driven ones: none within 10 s).
    expect(s.descriptorsPublished).toBe(published);
    expect(connectSync(h, 6, bob.publicKey, 30_000).ok).toBe(true);
  });

  it('an intro relay that crashes is replaced and the descriptor republished', () => {
    const h = new Harness(10, { startMs: PERIOD_MS });
    const { bob } = hostBob(h, 0);
    const before = h.nodes[0].accounts.stats().service.descriptorsPublished;
    const victim = h.nodes.find((n) => n.onion.seen.some((c) => c.command === RelayCommand.ESTABLISH_INTRO))!;
    victim.onion.crash();
    victim.accounts.stop();
    h.clock.advance(60_000);
    const s = h.nodes[0].accounts.stats().service;
    expect(s.introRelaysRotated).toBe(1);
    expect(s.introPointsReady).toBe(3);
    expect(s.descriptorsPublished).toBeGreaterThan(before);
    expect(connectSync(h, victim.index === 6 ? 7 : 6, bob.publicKey, 30_000).ok).toBe(true);
  });

  it('stop() fails pending connects with stopped, closes circuits and channels, and leaves no timers', () => {
    const h = new Harness(8, { startMs: PERIOD_MS });
    const { bob, incoming } = hostBob(h, 0);
    const r = connectSync(h, 3, bob.publicKey, 30_000);
    expect(r.ok).toBe(true);
    let pending: unknown;
    h.nodes[4].accounts.connect(bob.publicKey, (x) => (pending = x));
    h.clock.advance(30);
    for (const n of h.nodes) n.accounts.stop();
    expect(pending).toEqual({ ok: false, reason: 'stopped' });
    for (const n of h.nodes) expect(n.accounts.pendingTimers).toBe(0);
    expect(h.nodes[0].published.size).toBe(0); // descriptors unpublished (they expire at the holders)
    expect(incoming[0].isOpen).toBe(false);
    h.clock.advance(PERIOD_MS); // nothing left to run, nothing throws
    expect(h.onion.circuits().filter((c) => c.isOpen)).toHaveLength(0);
    let after: unknown;
    h.nodes[4].accounts.connect(bob.publicKey, (x) => (after = x));
    expect(after).toEqual({ ok: false, reason: 'stopped' });
    for (const n of h.nodes) {
      const c = n.accounts.stats().client;
      const failed = Object.values(c.failures).reduce((a, b) => a + (b ?? 0), 0);
      expect(c.connects).toBe(c.connected + failed + c.connectsActive);
    }
  });

  it('replays the same run bit for bit from the seed', () => {
    const trace = () => {
      const h = new Harness(8, { seed: 'replay', startMs: PERIOD_MS });
      const { bob } = hostBob(h, 0);
      connectSync(h, 3, bob.publicKey, 30_000);
      return h.dht.offered.map((o) => toHex(o.record.value)).join() + JSON.stringify(h.nodes.map((n) => n.accounts.stats()));
    };
    expect(trace()).toBe(trace());
  });
});
