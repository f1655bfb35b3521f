import { describe, expect, it } from 'vitest';
import { nobleSuite } from '../crypto/noble-suite.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { utf8 } from '../crypto/bytes.ts';
import { PayloadType } from '../packet/payload-type.ts';
import { CELL_BYTES, CellCmd, RELAY_BODY_MAX } from './constants.ts';
import { OnionNet, type TestNode } from './testing/onion-net.ts';
import type { BuildResult, Circuit, RelayEndpoint } from './types.ts';

const ECHO = 0x20;

/** A spying suite: records every AES-CTR input and output (each layer this node decrypted or encrypted). */
function spySuite(seen: Uint8Array[]): CryptoSuite {
  return {
    ...nodeSuite,
    aesCtr: (k, iv, d) => {
      const out = nodeSuite.aesCtr(k, iv, d);
      seen.push(d.slice(), out);
      return out;
    },
  };
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

function build(net: OnionNet, origin: TestNode, path: TestNode[]): BuildResult {
  let result: BuildResult | undefined;
  origin.onion.buildCircuit(path.map((n) => n.peer), (r) => {
    expect(result).toBeUndefined(); // cb exactly once
    result = r;
  });
  net.clock.advance(60_000);
  expect(result).toBeDefined();
  return result!;
}

function open(net: OnionNet, origin: TestNode, path: TestNode[]): Circuit {
  const r = build(net, origin, path);
  if (!r.ok) throw new Error(`build failed: ${r.reason} at hop ${r.hop}`);
  return r.circuit;
}

/** Last hop echoes every ECHO cell back, prefixed with "echo:". */
function echo(node: TestNode): RelayEndpoint[] {
  const endpoints: RelayEndpoint[] = [];
  node.onion.onRelayCommand(ECHO, (ep, body) => {
    endpoints.push(ep);
    ep.reply(ECHO, Uint8Array.from([...utf8('echo:'), ...body]));
  });
  return endpoints;
}

function fiveNodes(config = {}) {
  const net = new OnionNet();
  const [o, a, b, c, x] = ['origin', 'r1', 'r2', 'r3', 'outsider'].map((n) => net.add(n, config));
  return { net, o, a, b, c, x };
}

describe('OnionService circuits', () => {
  it('buildCircuit(3 hops) opens a circuit that carries relay cells both ways', () => {
    const { net, o, a, b, c } = fiveNodes();
    echo(c);
    const circuit = open(net, o, [a, b, c]);
    expect(circuit.isOpen).toBe(true);
    expect(circuit.path.map((p) => p.address)).toEqual([a, b, c].map((n) => n.peer.address));
    const got: string[] = [];
    circuit.onCell((cmd, body) => got.push(`${cmd}:${new TextDecoder().decode(body)}`));
    expect(circuit.send(ECHO, utf8('hello'))).toBe(true);
    expect(circuit.send(ECHO, new Uint8Array(RELAY_BODY_MAX - 5).fill(0x41))).toBe(true);
    net.clock.advance(1000);
    expect(got[0]).toBe(`${ECHO}:echo:hello`);
    expect(got[1]).toBe(`${ECHO}:echo:${'A'.repeat(RELAY_BODY_MAX - 5)}`);
    expect(o.onion.stats()).toMatchObject({ circuitsBuilt: 1, cellsDelivered: 2, dropped: {} });
    expect(c.onion.stats()).toMatchObject({ circuitsRelayed: 1, cellsDelivered: 2, dropped: {} });
    expect(b.onion.stats().cellsRelayed).toBeGreaterThanOrEqual(4);
    // Every onion message on the wire is one fixed-size cell.
    expect(new Set(net.log.filter((m) => m.type === PayloadType.ONION).map((m) => m.body.length))).toEqual(new Set([CELL_BYTES]));
    expect(() => circuit.send(0x03, new Uint8Array(0))).toThrow(RangeError);
    expect(circuit.send(ECHO, new Uint8Array(RELAY_BODY_MAX + 1))).toBe(false);
  });

  it('nodes on different crypto back ends build and use circuits together', () => {
    const net = new OnionNet('mixed');
    const o = net.add('origin', {}, nobleSuite);
    const a = net.add('r1');
    const b = net.add('r2', {}, nobleSuite);
    echo(b);
    const circuit = open(net, o, [a, b]);
    const got: Uint8Array[] = [];
    circuit.onCell((_c, body) => got.push(body));
    circuit.send(ECHO, utf8('mixed'));
    net.clock.advance(100);
    expect(new TextDecoder().decode(got[0])).toBe('echo:mixed');
  });

  it('a relay learns only its predecessor and successor, and forwards no plaintext', () => {
    const net = new OnionNet();
    const layers = new Map<string, Uint8Array[]>();
    const node = (name: string) => {
      const seen: Uint8Array[] = [];
      layers.set(name, seen);
      return net.add(name, {}, spySuite(seen));
    };
    const [o, a, b, c] = ['origin', 'r1', 'r2', 'r3'].map(node);
    const secret = utf8('attack at dawn, bring the secret sauce #4711');
    const replySecret = utf8('the eagle has landed, reply secret #0815');
    c.onion.onRelayCommand(ECHO, (ep) => ep.reply(ECHO, replySecret));
    const circuit = open(net, o, [a, b, c]);
    let back: Uint8Array | undefined;
    circuit.onCell((_cmd, body) => (back = body));
    circuit.send(ECHO, secret);
    net.clock.advance(1000);
    expect(back).toEqual(replySecret);

    const neighbours = (n: TestNode) => {
      const s = new Set<string>();
      for (const m of net.log) {
        if (m.type !== PayloadType.ONION) continue;
        if (m.from.address === n.peer.address) s.add(m.to.address);
        if (m.to.address === n.peer.address) s.add(m.from.address);
      }
      return [...s].sort();
    };
    expect(neighbours(a)).toEqual([o.peer.address, b.peer.address].sort());
    expect(neighbours(b)).toEqual([a.peer.address, c.peer.address].sort()); // never the origin, never... itself
    expect(neighbours(b)).not.toContain(o.peer.address);
    expect(neighbours(c)).toEqual([b.peer.address]);

    const sample = (s: Uint8Array) => s.subarray(0, 16);
    for (const relay of [a, b]) {
      // Neither on the wire nor in any layer it decrypted or encrypted.
      const wire = net.log.filter((m) => m.from.address === relay.peer.address || m.to.address === relay.peer.address).map((m) => m.body);
      for (const bytes of [...wire, ...layers.get(relay.name)!]) {
        expect(contains(bytes, sample(secret))).toBe(false);
        expect(contains(bytes, sample(replySecret))).toBe(false);
      }
    }
    // The last hop did see the forward plaintext (it is the endpoint), so the search above can find it.
    expect(layers.get('r3')!.some((l) => contains(l, sample(secret)))).toBe(true);
    expect(layers.get('r3')!.some((l) => contains(l, sample(replySecret)))).toBe(true);
  });

  it('a cell bit-flipped by hop 1 is dropped as unrecognized at the last hop', () => {
    const { net, o, a, b, c } = fiveNodes();
    const delivered: Uint8Array[] = [];
    c.onion.onRelayCommand(ECHO, (_ep, body) => delivered.push(body));
    const circuit = open(net, o, [a, b, c]);
    net.tap = (m) => {
      // Hop 1 (a malicious first relay) flips one bit of the layered part of the relay cell it forwards.
      if (m.from.address === a.peer.address && m.to.address === b.peer.address && m.body[4] === CellCmd.RELAY) m.body[5 + 16 + 40] ^= 0x01;
    };
    circuit.send(ECHO, utf8('tag me'));
    net.clock.advance(1000);
    expect(delivered).toHaveLength(0);
    expect(c.onion.stats().dropped).toEqual({ unrecognized: 1 });
    expect(b.onion.stats().dropped).toEqual({});
  });

  it('a replayed cell is dropped as replay at the first hop', () => {
    const { net, o, a, b, c } = fiveNodes();
    const delivered: Uint8Array[] = [];
    c.onion.onRelayCommand(ECHO, (_ep, body) => delivered.push(body));
    const circuit = open(net, o, [a, b, c]);
    const captured: Uint8Array[] = [];
    net.tap = (m) => void (m.to.address === a.peer.address && m.body[4] === CellCmd.RELAY && captured.push(m.body.slice()));
    circuit.send(ECHO, utf8('once'));
    net.clock.advance(1000);
    net.tap = undefined;
    net.inject(o.peer, a.peer, PayloadType.ONION, captured[0]);
    net.clock.advance(1000);
    expect(delivered).toHaveLength(1);
    expect(a.onion.stats().dropped).toEqual({ replay: 1 });
    expect(c.onion.stats().dropped).toEqual({});
  });

  it('a backward cell with a broken layer is dropped as bad-mac at the origin', () => {
    const { net, o, a, b, c } = fiveNodes();
    echo(c);
    const circuit = open(net, o, [a, b, c]);
    const got: Uint8Array[] = [];
    circuit.onCell((_c, body) => got.push(body));
    net.tap = (m) => void (m.from.address === b.peer.address && m.to.address === a.peer.address && (m.body[100] ^= 0x80));
    circuit.send(ECHO, utf8('x'));
    net.clock.advance(1000);
    expect(got).toHaveLength(0);
    expect(o.onion.stats().dropped).toEqual({ 'bad-mac': 1 });
  });

  it('close() propagates DESTROY along the path; endpoint close() reaches the origin', () => {
    const { net, o, a, b, c } = fiveNodes();
    const endpoints = echo(c);
    const circuit = open(net, o, [a, b, c]);
    circuit.send(ECHO, utf8('hi'));
    net.clock.advance(100);
    const reasons: string[] = [];
    circuit.onClose((r) => reasons.push(r));
    expect([a, b, c].map((n) => n.onion.stats().relayCircuits)).toEqual([1, 1, 1]);
    const endpointClosed: string[] = [];
    endpoints[0].onClose((r) => endpointClosed.push(r));
    circuit.close();
    net.clock.advance(100);
    expect(reasons).toEqual(['closed']);
    expect(endpointClosed).toEqual(['closed']);
    expect([a, b, c].map((n) => n.onion.stats().relayCircuits)).toEqual([0, 0, 0]);
    expect(circuit.isOpen).toBe(false);
    expect(circuit.send(ECHO, utf8('late'))).toBe(false);

    const second = open(net, o, [a, b, c]);
    const closed: string[] = [];
    second.onClose((r) => closed.push(r));
    second.send(ECHO, utf8('hi'));
    net.clock.advance(100);
    endpoints[1].close('refused');
    net.clock.advance(100);
    expect(closed).toEqual(['refused']);
    expect(o.onion.stats().originCircuits).toBe(0);
    expect([a, b, c].map((n) => n.onion.stats().relayCircuits)).toEqual([0, 0, 0]);
    for (const n of [o, a, b, c]) expect(n.clock.pending).toBe(0);
  });

  it('a hop that does not answer fails the build with that hop index; the built part is torn down', () => {
    const { net, o, a, b, c } = fiveNodes();
    net.setOnline(c.peer.address, false);
    const r = build(net, o, [a, b, c]);
    expect(r).toEqual({ ok: false, reason: 'timeout', hop: 2 });
    net.clock.advance(1000);
    expect([a, b].map((n) => n.onion.stats().relayCircuits)).toEqual([0, 0]);
    expect(o.onion.stats()).toMatchObject({ circuitsFailed: 1, buildFailures: { timeout: 1 }, originCircuits: 0 });
    net.setOnline(a.peer.address, false);
    expect(build(net, o, [a, b, c])).toEqual({ ok: false, reason: 'timeout', hop: 0 });
  });

  it('a relay whose key is not the path key fails ntor: bad-handshake at that hop', () => {
    const net = new OnionNet();
    const [o, a, b] = ['origin', 'r1', 'r2'].map((n) => net.add(n));
    // An impostor whose session key is the one the path names (the link layer is fooled) but which answers
    // CREATE with another identity: ntor is not fooled.
    const impostor = net.add('impostor', {}, undefined, true);
    expect(build(net, o, [a, impostor])).toEqual({ ok: false, reason: 'bad-handshake', hop: 1 });
    expect(build(net, o, [impostor])).toEqual({ ok: false, reason: 'bad-handshake', hop: 0 });
    expect(o.onion.stats().dropped).toEqual({ 'bad-handshake': 2 });
    net.clock.advance(1000);
    expect(a.onion.stats().relayCircuits).toBe(0);
    expect(build(net, o, [a, b, a])).toEqual({ ok: false, reason: 'bad-path', hop: 2 });
    expect(build(net, o, [a, b])).toMatchObject({ ok: true });
    expect(build(net, o, [a, a])).toEqual({ ok: false, reason: 'bad-path', hop: 1 });
    expect(build(net, o, [o, a])).toEqual({ ok: false, reason: 'bad-path', hop: 0 });
    expect(build(net, o, [])).toEqual({ ok: false, reason: 'bad-path', hop: 0 });
    expect(build(net, o, [a, { ...b, peer: { ...b.peer, address: 'x'.repeat(256) } }])).toEqual({ ok: false, reason: 'bad-path', hop: 1 });
    expect(RELAY_BODY_MAX).toBe(1157);
  });

  it('circuits expire after circuitLifetimeMs; keepalives hold relays that idle out otherwise', () => {
    const { net, o, a, b, c } = fiveNodes({ circuitLifetimeMs: 20 * 60_000, relayLifetimeMs: 30 * 60_000, relayIdleMs: 3 * 60_000, keepaliveMs: 60_000 });
    const circuit = open(net, o, [a, b, c]);
    const reasons: string[] = [];
    circuit.onClose((r) => reasons.push(r));
    net.clock.advance(15 * 60_000);
    expect(circuit.isOpen).toBe(true);
    expect(c.onion.stats().noise).toBeGreaterThanOrEqual(14);
    net.clock.advance(6 * 60_000);
    expect(reasons).toEqual(['expired']);
    expect([a, b, c].map((n) => n.onion.stats().relayCircuits)).toEqual([0, 0, 0]);

    const quiet = fiveNodes({ keepaliveMs: 60 * 60_000, relayIdleMs: 3 * 60_000 });
    const idle = open(quiet.net, quiet.o, [quiet.a, quiet.b, quiet.c]);
    const idleReasons: string[] = [];
    idle.onClose((r) => idleReasons.push(r));
    quiet.net.clock.advance(4 * 60_000);
    expect(idleReasons).toEqual(['idle']);
    expect(quiet.o.onion.stats().closeReasons).toEqual({ idle: 1 });

    // A relay does not keep a circuit past relayLifetimeMs, however busy its origin keeps it.
    const capped = fiveNodes({ circuitLifetimeMs: 60 * 60_000, relayLifetimeMs: 15 * 60_000 });
    const long = open(capped.net, capped.o, [capped.a, capped.b, capped.c]);
    const longReasons: string[] = [];
    long.onClose((r) => longReasons.push(r));
    capped.net.clock.advance(16 * 60_000);
    expect(longReasons).toEqual(['expired']);
    expect(capped.a.onion.stats().relayCircuitsClosed).toBe(1);
  });

  it('CREATEs beyond the per-hop rate and the relayed-circuit cap are refused and counted', () => {
    const { net, o, a, b } = fiveNodes({ createRatePerS: 1, createBurst: 3, maxRelayCircuits: 100 });
    const results: BuildResult[] = [];
    for (let i = 0; i < 5; i++) o.onion.buildCircuit([a.peer], (r) => results.push(r));
    net.clock.advance(1000);
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'refused', hop: 0 }, { ok: false, reason: 'refused', hop: 0 }]);
    expect(a.onion.stats().refused).toEqual({ 'rate-limited': 2 });

    const capped = fiveNodes({ maxRelayCircuits: 2 });
    const res: BuildResult[] = [];
    for (const from of [capped.o, capped.b, capped.c]) from.onion.buildCircuit([capped.a.peer], (r) => res.push(r));
    capped.net.clock.advance(1000);
    expect(res.map((r) => r.ok)).toEqual([true, true, false]);
    expect(capped.a.onion.stats().refused).toEqual({ 'circuit-limit': 1 });
  });

  it('a refusal further down comes back as TRUNCATED: the build fails at that hop, the hops before are freed', () => {
    const net = new OnionNet();
    const [o, a, b] = ['origin', 'r1', 'r2'].map((n) => net.add(n));
    const full = net.add('full', { maxRelayCircuits: 0 });
    expect(build(net, o, [a, b, full])).toEqual({ ok: false, reason: 'refused', hop: 2 });
    net.clock.advance(1000);
    expect([a, b].map((n) => n.onion.stats().relayCircuits)).toEqual([0, 0]);
    expect(full.onion.stats().refused).toEqual({ 'circuit-limit': 1 });
  });

  it('stop() fails pending builds with stopped, destroys every circuit and leaves no timers', () => {
    const { net, o, a, b, c } = fiveNodes();
    const open1 = open(net, o, [a, b, c]);
    const relayThrough = open(net, b, [a, c]); // o is not involved; a and c relay for b too
    const pending: BuildResult[] = [];
    o.onion.buildCircuit([a.peer, b.peer, c.peer], (r) => pending.push(r));
    net.clock.advance(7); // CREATE sent, not answered yet
    const closes: string[] = [];
    open1.onClose((r) => closes.push(r));
    o.onion.stop();
    a.onion.stop();
    expect(pending).toEqual([{ ok: false, reason: 'stopped', hop: 0 }]);
    expect(closes).toEqual(['stopped']);
    expect(o.clock.pending).toBe(0);
    expect(a.clock.pending).toBe(0);
    expect(a.onion.stats().relayCircuits).toBe(0);
    net.clock.advance(1000);
    expect(relayThrough.isOpen).toBe(false);
    for (const n of [b, c]) n.onion.stop();
    net.clock.runUntilIdle();
    expect(net.clock.pending()).toBe(0);
    o.onion.buildCircuit([a.peer], (r) => pending.push(r));
    expect(pending[1]).toEqual({ ok: false, reason: 'stopped', hop: 0 });
  });

  it('onRelayCommand handlers are multi-subscriber and unsubscribe; unhandled commands are counted', () => {
    const { net, o, a, b } = fiveNodes();
    const got: string[] = [];
    const off1 = b.onion.onRelayCommand(0x30, () => got.push('one'));
    b.onion.onRelayCommand(0x30, () => got.push('two'));
    const circuit = open(net, o, [a, b]);
    circuit.send(0x30, new Uint8Array(1));
    net.clock.advance(100);
    off1();
    circuit.send(0x30, new Uint8Array(1));
    circuit.send(0x31, new Uint8Array(1));
    net.clock.advance(100);
    expect(got).toEqual(['one', 'two', 'two']);
    expect(b.onion.stats().dropped).toEqual({ 'no-handler': 1 });
    expect(() => b.onion.onRelayCommand(0x0f, () => {})).toThrow(RangeError);
  });
});
