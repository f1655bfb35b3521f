/**
 * The introduction-point and rendezvous-point roles under attack: who can send what, what fills up, what can be
 * replaced. An attacker is any node building a circuit to the relay and sending cells of its own making.
 */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../crypto/bytes.ts';
import { PERIOD_MS, RelayCommand } from './constants.ts';
import {
  decodeStatus,
  encodeEstablishIntro,
  encodeIntroduce,
  encodeRendezvous1,
  establishIntroSigningBytes,
  type Status,
} from './messages.ts';
import type { Circuit } from './onion-api.ts';
import { Harness } from './testing/harness.ts';

const START = 3 * PERIOD_MS;

function circuitTo(h: Harness, from: number, to: number): { circuit: Circuit; cells: [number, Uint8Array][] } {
  let circuit: Circuit | undefined;
  h.nodes[from].onion.buildCircuit([h.nodes[to].peer], (r) => {
    if (r.ok) circuit = r.circuit;
  });
  h.clock.advance(100);
  if (circuit === undefined) throw new Error('no circuit');
  const cells: [number, Uint8Array][] = [];
  circuit.onCell((c, b) => cells.push([c, b]));
  return { circuit, cells };
}

function lastStatus(cells: [number, Uint8Array][], command: number): Status | null {
  const found = cells.filter(([c]) => c === command);
  return found.length === 0 ? null : decodeStatus(found[found.length - 1][1]);
}

function establish(h: Harness, auth: { privateKey: Uint8Array; publicKey: Uint8Array }, issuedAtMs = h.clock.now()) {
  const signature = h.suite.sign(auth.privateKey, establishIntroSigningBytes(auth.publicKey, issuedAtMs));
  return encodeEstablishIntro({ authKey: auth.publicKey, issuedAtMs, signature });
}

describe('introduction point', () => {
  it('registers an auth key proven by its signature, and refuses a bad proof or a stale one', () => {
    const h = new Harness(4, { startMs: START });
    const auth = h.suite.generateKeyPair(h.rng);
    const { circuit, cells } = circuitTo(h, 1, 0);
    const other = h.suite.generateKeyPair(h.rng);
    const forged = encodeEstablishIntro({ authKey: auth.publicKey, issuedAtMs: START, signature: h.suite.sign(other.privateKey, establishIntroSigningBytes(auth.publicKey, START)) });
    circuit.send(RelayCommand.ESTABLISH_INTRO, forged);
    h.clock.advance(100);
    expect(lastStatus(cells, RelayCommand.INTRO_ESTABLISHED)).toBe('bad-proof');
    circuit.send(RelayCommand.ESTABLISH_INTRO, establish(h, auth, START - 10 * 60_000));
    h.clock.advance(100);
    expect(lastStatus(cells, RelayCommand.INTRO_ESTABLISHED)).toBe('stale');
    circuit.send(RelayCommand.ESTABLISH_INTRO, establish(h, auth));
    h.clock.advance(100);
    expect(lastStatus(cells, RelayCommand.INTRO_ESTABLISHED)).toBe('ok');
    expect(h.nodes[0].accounts.stats().relay.introRegistrations).toBe(1);
    expect(h.nodes[0].accounts.stats().drops).toMatchObject({ 'bad-proof': 1, stale: 1 });
  });

  it('a replayed ESTABLISH_INTRO cannot take a registration over; a newer one signed by the key can', () => {
    const h = new Harness(4, { startMs: START });
    const auth = h.suite.generateKeyPair(h.rng);
    const service = circuitTo(h, 1, 0);
    const proof = establish(h, auth);
    service.circuit.send(RelayCommand.ESTABLISH_INTRO, proof);
    h.clock.advance(100);
    // The attacker replays the exact bytes on its own circuit.
    const attacker = circuitTo(h, 2, 0);
    attacker.circuit.send(RelayCommand.ESTABLISH_INTRO, proof);
    h.clock.advance(100);
    expect(lastStatus(attacker.cells, RelayCommand.INTRO_ESTABLISHED)).toBe('stale');
    // Introductions still reach the service.
    const client = circuitTo(h, 3, 0);
    client.circuit.send(RelayCommand.INTRODUCE1, encodeIntroduce({ authKey: auth.publicKey, sealed: new Uint8Array(10) }));
    h.clock.advance(100);
    expect(service.cells.filter(([c]) => c === RelayCommand.INTRODUCE2)).toHaveLength(1);
    expect(attacker.cells.filter(([c]) => c === RelayCommand.INTRODUCE2)).toHaveLength(0);
    // The service re-establishes on a new circuit with a fresh proof: it takes over, the old circuit closes.
    h.clock.advance(1_000);
    const again = circuitTo(h, 1, 0);
    again.circuit.send(RelayCommand.ESTABLISH_INTRO, establish(h, auth));
    h.clock.advance(100);
    expect(lastStatus(again.cells, RelayCommand.INTRO_ESTABLISHED)).toBe('ok');
    expect(service.circuit.isOpen).toBe(false);
    expect(h.nodes[0].accounts.stats().relay.introRegistrations).toBe(1);
  });

  it('one registration per circuit, and a bounded table', () => {
    const h = new Harness(4, { startMs: START, config: { maxIntroRegistrations: 2 } });
    const a = circuitTo(h, 1, 0);
    a.circuit.send(RelayCommand.ESTABLISH_INTRO, establish(h, h.suite.generateKeyPair(h.rng)));
    a.circuit.send(RelayCommand.ESTABLISH_INTRO, establish(h, h.suite.generateKeyPair(h.rng)));
    h.clock.advance(100);
    expect(lastStatus(a.cells, RelayCommand.INTRO_ESTABLISHED)).toBe('circuit-in-use');
    for (let i = 0; i < 2; i++) {
      const c = circuitTo(h, 2, 0);
      c.circuit.send(RelayCommand.ESTABLISH_INTRO, establish(h, h.suite.generateKeyPair(h.rng)));
      h.clock.advance(100);
      expect(lastStatus(c.cells, RelayCommand.INTRO_ESTABLISHED)).toBe(i === 0 ? 'ok' : 'full');
    }
    // A closed circuit frees its slot.
    a.circuit.close();
    expect(h.nodes[0].accounts.stats().relay.introRegistrations).toBe(1);
  });

  it('INTRODUCE1: unknown keys refused, each registration forwards at most its token bucket', () => {
    const h = new Harness(4, { startMs: START, config: { introduceRatePerS: 1, introduceBurst: 3 } });
    const auth = h.suite.generateKeyPair(h.rng);
    const service = circuitTo(h, 1, 0);
    service.circuit.send(RelayCommand.ESTABLISH_INTRO, establish(h, auth));
    h.clock.advance(100);
    const client = circuitTo(h, 2, 0);
    client.circuit.send(RelayCommand.INTRODUCE1, encodeIntroduce({ authKey: h.suite.generateKeyPair(h.rng).publicKey, sealed: new Uint8Array(1) }));
    h.clock.advance(100);
    expect(lastStatus(client.cells, RelayCommand.INTRODUCE_ACK)).toBe('unknown-service');
    for (let i = 0; i < 10; i++) client.circuit.send(RelayCommand.INTRODUCE1, encodeIntroduce({ authKey: auth.publicKey, sealed: Uint8Array.of(i) }));
    h.clock.advance(100);
    expect(service.cells.filter(([c]) => c === RelayCommand.INTRODUCE2)).toHaveLength(3);
    expect(h.nodes[0].accounts.stats().drops['rate-limited']).toBe(7);
    h.clock.advance(2_000);
    client.circuit.send(RelayCommand.INTRODUCE1, encodeIntroduce({ authKey: auth.publicKey, sealed: Uint8Array.of(99) }));
    h.clock.advance(100);
    expect(service.cells.filter(([c]) => c === RelayCommand.INTRODUCE2)).toHaveLength(4);
  });
});

describe('rendezvous point', () => {
  const cookie = (n: number) => new Uint8Array(20).fill(n);

  it('never replaces a waiting cookie, bounds and expires cookies, one per circuit', () => {
    const h = new Harness(4, { startMs: START, config: { maxPendingCookies: 2, cookieTtlMs: 10_000 } });
    const alice = circuitTo(h, 1, 0);
    alice.circuit.send(RelayCommand.ESTABLISH_RENDEZVOUS, cookie(1));
    alice.circuit.send(RelayCommand.ESTABLISH_RENDEZVOUS, cookie(2));
    h.clock.advance(100);
    expect(lastStatus(alice.cells, RelayCommand.RENDEZVOUS_ESTABLISHED)).toBe('circuit-in-use');
    const mallory = circuitTo(h, 2, 0);
    mallory.circuit.send(RelayCommand.ESTABLISH_RENDEZVOUS, cookie(1));
    h.clock.advance(100);
    expect(lastStatus(mallory.cells, RelayCommand.RENDEZVOUS_ESTABLISHED)).toBe('cookie-in-use');
    const m2 = circuitTo(h, 2, 0);
    m2.circuit.send(RelayCommand.ESTABLISH_RENDEZVOUS, cookie(3));
    const m3 = circuitTo(h, 2, 0);
    m3.circuit.send(RelayCommand.ESTABLISH_RENDEZVOUS, cookie(4));
    h.clock.advance(100);
    expect(lastStatus(m3.cells, RelayCommand.RENDEZVOUS_ESTABLISHED)).toBe('full');
    expect(h.nodes[0].accounts.stats().relay.cookiesPending).toBe(2);
    h.clock.advance(10_000);
    expect(h.nodes[0].accounts.stats().relay.cookiesPending).toBe(0);
    // An expired cookie cannot be joined.
    const bob = circuitTo(h, 3, 0);
    bob.circuit.send(RelayCommand.RENDEZVOUS1, encodeRendezvous1({ cookie: cookie(1), tag: new Uint8Array(32) }));
    h.clock.advance(100);
    expect(lastStatus(bob.cells, RelayCommand.RENDEZVOUS_ESTABLISHED)).toBe('unknown-cookie');
  });

  it('joins once per cookie, relays DATA both ways one for one, and refuses DATA on unjoined circuits', () => {
    const h = new Harness(4, { startMs: START });
    const alice = circuitTo(h, 1, 0);
    alice.circuit.send(RelayCommand.ESTABLISH_RENDEZVOUS, cookie(7));
    alice.circuit.send(RelayCommand.DATA, utf8('too early'));
    h.clock.advance(100);
    const bob = circuitTo(h, 3, 0);
    const tag = new Uint8Array(32).fill(9);
    bob.circuit.send(RelayCommand.RENDEZVOUS1, encodeRendezvous1({ cookie: cookie(7), tag }));
    h.clock.advance(100);
    expect(lastStatus(bob.cells, RelayCommand.RENDEZVOUS_ESTABLISHED)).toBe('ok');
    expect(alice.cells.find(([c]) => c === RelayCommand.RENDEZVOUS2)?.[1]).toEqual(tag);
    const thief = circuitTo(h, 2, 0);
    thief.circuit.send(RelayCommand.RENDEZVOUS1, encodeRendezvous1({ cookie: cookie(7), tag }));
    h.clock.advance(100);
    expect(lastStatus(thief.cells, RelayCommand.RENDEZVOUS_ESTABLISHED)).toBe('unknown-cookie');
    alice.circuit.send(RelayCommand.DATA, utf8('a->b'));
    bob.circuit.send(RelayCommand.DATA, utf8('b->a'));
    h.clock.advance(100);
    expect(bob.cells.filter(([c]) => c === RelayCommand.DATA).map(([, b]) => new TextDecoder().decode(b))).toEqual(['a->b']);
    expect(alice.cells.filter(([c]) => c === RelayCommand.DATA).map(([, b]) => new TextDecoder().decode(b))).toEqual(['b->a']);
    const s = h.nodes[0].accounts.stats();
    expect(s.drops).toMatchObject({ 'not-joined': 1, 'unknown-cookie': 1 });
    expect(s.relay.cellsSpliced).toBe(2);
    bob.circuit.close();
    expect(alice.circuit.isOpen).toBe(false);
    expect(h.nodes[0].accounts.stats().relay.splices).toBe(0);
  });
});

describe('service and client against lying relays', () => {
  it('a replayed INTRODUCE2 is dropped by the service (replay cache)', () => {
    const h = new Harness(8, { startMs: START, allow: (p, j) => p !== 5 || j !== 0 });
    const bob = h.account('bob');
    h.nodes[0].accounts.host(bob, () => {});
    h.clock.advance(10_000);
    // A malicious intro point replays whatever INTRODUCE2 it forwarded: capture one by wrapping the circuit.
    let result: { ok: boolean } | undefined;
    h.nodes[5].accounts.connect(bob.publicKey, (r) => (result = r));
    h.clock.advance(30_000);
    expect(result?.ok).toBe(true);
    const introNode = h.nodes.find((n) => n.accounts.stats().relay.introducesForwarded > 0)!;
    const forwarded = introNode.onion.seen.filter((c) => c.command === RelayCommand.INTRODUCE2 && c.direction === 'out');
    expect(forwarded).toHaveLength(1);
    const endpoint = h.onion.circuits().find((c) => c.endpoint.key === forwarded[0].endpointKey)!;
    endpoint.endpoint.reply(RelayCommand.INTRODUCE2, forwarded[0].body);
    h.clock.advance(1_000);
    expect(h.nodes[0].accounts.stats().drops.replayed).toBe(1);
    expect(h.nodes[0].accounts.stats().service.introductionsReceived).toBe(1);
  });

  it('Alice drops a RENDEZVOUS2 whose tag the service did not make', () => {
    const h = new Harness(8, { startMs: START, allow: (p, j) => p !== 5 || j !== 0 });
    const bob = h.account('bob');
    h.nodes[0].accounts.host(bob, () => {});
    h.clock.advance(10_000);
    // Every node but Bob's is a lying rendezvous point: it answers ESTABLISH_RENDEZVOUS with a forged RENDEZVOUS2.
    for (const n of h.nodes.slice(1)) {
      n.onion.onRelayCommand(RelayCommand.ESTABLISH_RENDEZVOUS, (e) => e.reply(RelayCommand.RENDEZVOUS2, new Uint8Array(32)));
    }
    let result: { ok: boolean } | undefined;
    h.nodes[5].accounts.connect(bob.publicKey, (r) => (result = r));
    h.clock.advance(30_000);
    expect(h.nodes[5].accounts.stats().drops['bad-rendezvous-tag']).toBeGreaterThanOrEqual(1);
    expect(result?.ok).toBe(true); // the real RENDEZVOUS2 still arrives
  });
});
