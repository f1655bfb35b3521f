import { describe, expect, it } from 'vitest';
import { Simulator } from '../engine/simulator.ts';
import { SimNetwork } from './sim-network.ts';
import type { SimTransport } from './sim-transport.ts';
import type { NatType, NetworkConfig } from './types.ts';

const CONST_10: NetworkConfig['latency'] = { meanMs: 10, jitterMs: 0, distribution: 'constant' };

interface Rx {
  atMs: number;
  from: string;
  bytes: Uint8Array;
}

function setup(config: Partial<NetworkConfig> = {}, seed: string | number = 1) {
  const sim = new Simulator({ seed });
  const net = new SimNetwork(sim, { latency: CONST_10, ...config });
  const inbox = new Map<string, Rx[]>();
  const add = (name: string, opts = {}): SimTransport => {
    const t = net.addNode(name, opts);
    const rx: Rx[] = [];
    inbox.set(name, rx);
    t.onReceive((from, bytes) => rx.push({ atMs: sim.now(), from, bytes }));
    return t;
  };
  return { sim, net, inbox: (name: string) => inbox.get(name)!, add };
}

function totalDrops(s: SimNetwork['stats']): number {
  return s.droppedMtu + s.droppedLoss + s.droppedNat + s.droppedDown + s.droppedQueue + s.droppedUnknown + s.droppedNoHandler;
}

describe('SimNetwork delivery', () => {
  it('delivers after link latency plus both access latencies, from the sender name, as a private copy', () => {
    const { sim, add, inbox, net } = setup();
    const a = add('a', { accessLatencyMs: 2 });
    add('b', { accessLatencyMs: 3 });
    const buf = new Uint8Array([1, 2, 3]);
    a.send('b', buf);
    buf[0] = 99; // mutating after send must not change what is delivered
    sim.runUntilIdle();
    const [rx] = inbox('b');
    expect(rx).toMatchObject({ atMs: 15, from: 'a' });
    expect([...rx.bytes]).toEqual([1, 2, 3]);
    expect(rx.bytes).not.toBe(buf);
    expect(a.localAddress).toBe('a');
    expect(net.stats).toMatchObject({ sent: 1, transmitted: 1, delivered: 1, deliveredBytes: 3, tappedBytes: 3 });
  });

  it('uses the region-pair latency in both directions and the default otherwise', () => {
    const { sim, add, inbox } = setup({ regionLatency: { 'eu|us': { meanMs: 80, jitterMs: 0, distribution: 'constant' } } });
    const eu = add('eu1', { region: 'eu' });
    const us = add('us1', { region: 'us' });
    add('eu2', { region: 'eu' });
    eu.send('us1', new Uint8Array(1));
    us.send('eu1', new Uint8Array(1));
    us.send('eu2', new Uint8Array(1));
    eu.send('eu2', new Uint8Array(1));
    sim.runUntilIdle();
    expect(inbox('us1').map((r) => r.atMs)).toEqual([80]);
    expect(inbox('eu1').map((r) => r.atMs)).toEqual([80]);
    expect(inbox('eu2').map((r) => [r.from, r.atMs])).toEqual([['eu1', 10], ['us1', 80]]);
  });

  it('serialises on the uplink FIFO: a busy uplink delays later datagrams', () => {
    const { sim, add, inbox, net } = setup({ uplinkBytesPerS: 1000 });
    const a = add('a');
    add('b');
    add('c', { uplinkBytesPerS: null });
    const taps: number[] = [];
    net.onTap((t) => taps.push(t));
    for (let i = 0; i < 3; i++) a.send('b', new Uint8Array(100)); // 100 ms each at 1000 B/s
    sim.runUntil(150);
    a.send('b', new Uint8Array(50)); // queued behind the third: leaves at 350
    net.addNode('d'); // unlimited sender for contrast
    sim.runUntilIdle();
    expect(taps).toEqual([100, 200, 300, 350]);
    expect(inbox('b').map((r) => r.atMs)).toEqual([110, 210, 310, 360]);
  });

  it('drops datagrams that would overflow the uplink queue, and accepts again once it drains', () => {
    const { sim, add, inbox, net } = setup({ uplinkBytesPerS: 1000, queueLimitBytes: 250 });
    const a = add('a');
    add('b');
    a.send('b', new Uint8Array(100));
    a.send('b', new Uint8Array(100));
    a.send('b', new Uint8Array(100)); // backlog 200 + 100 > 250
    expect(net.stats.droppedQueue).toBe(1);
    sim.runUntil(150); // backlog now 50 bytes
    a.send('b', new Uint8Array(100)); // 50 + 100 <= 250: accepted, leaves at 300
    sim.runUntilIdle();
    expect(inbox('b').map((r) => r.atMs)).toEqual([110, 210, 310]);
  });

  it('drops datagrams over the MTU before they reach the link', () => {
    const { sim, add, inbox, net } = setup({ mtuBytes: 1280 });
    const a = add('a');
    add('b');
    let taps = 0;
    net.onTap(() => taps++);
    a.send('b', new Uint8Array(1281));
    a.send('b', new Uint8Array(1280));
    sim.runUntilIdle();
    expect(inbox('b').map((r) => r.bytes.length)).toEqual([1280]);
    expect(net.stats).toMatchObject({ droppedMtu: 1, delivered: 1 });
    expect(taps).toBe(1);
  });

  it('loses about lossRate of the datagrams, identically for the same seed', () => {
    const lossCount = (seed: number): number => {
      const { sim, add, net } = setup({ lossRate: 0.2 }, seed);
      const a = add('a');
      add('b');
      for (let i = 0; i < 20_000; i++) a.send('b', new Uint8Array(8));
      sim.runUntilIdle();
      expect(net.stats.droppedLoss + net.stats.delivered).toBe(20_000);
      return net.stats.droppedLoss;
    };
    const lost = lossCount(3);
    expect(Math.abs(lost / 20_000 - 0.2)).toBeLessThan(0.015); // 5 sd of a binomial(20000, 0.2)
    expect(lossCount(3)).toBe(lost);
  });

  it('drops for unknown destinations and at nodes without a handler', () => {
    const { sim, add, net } = setup();
    const a = add('a');
    net.addNode('silent');
    a.send('nobody', new Uint8Array(1));
    a.send('a:1', new Uint8Array(1));
    a.send('silent', new Uint8Array(1));
    sim.runUntilIdle();
    expect(net.stats).toMatchObject({ droppedUnknown: 2, droppedNoHandler: 1, delivered: 0 });
  });

  it('rejects bad configuration and node names', () => {
    const sim = new Simulator({ seed: 1 });
    expect(() => new SimNetwork(sim, { lossRate: 1 })).toThrow(RangeError);
    expect(() => new SimNetwork(sim, { mtuBytes: 0 })).toThrow(RangeError);
    expect(() => new SimNetwork(sim, { regionLatency: { eu: CONST_10 } })).toThrow(RangeError);
    const net = new SimNetwork(sim);
    net.addNode('n1');
    expect(() => net.addNode('n1')).toThrow(/duplicate/);
    expect(() => net.addNode('n1:2')).toThrow(RangeError);
    expect(() => net.addNode('x', { uplinkBytesPerS: 0 })).toThrow(RangeError);
    expect(() => net.setUp('ghost', false)).toThrow(RangeError);
  });
});

describe('SimNetwork churn (down nodes)', () => {
  it('drops sends from a down node, arrivals at a down node, and datagrams still queued when it went down', () => {
    const { sim, add, inbox, net } = setup({ uplinkBytesPerS: 1000 });
    const a = add('a');
    const b = add('b');
    net.setUp('a', false);
    expect([net.isUp('a'), a.up]).toEqual([false, false]);
    a.send('b', new Uint8Array(10)); // sender down
    net.setUp('a', true);
    b.send('a', new Uint8Array(10)); // leaves b at 10, arrives at 20
    sim.runUntil(15);
    net.setUp('a', false);
    sim.runUntil(25); // receiver down on arrival
    a.send('b', new Uint8Array(10)); // sender down again
    net.setUp('a', true);
    a.send('b', new Uint8Array(100)); // queued: leaves at 125
    sim.runUntil(50);
    net.setUp('a', false); // goes down with the datagram still in its uplink
    net.setUp('a', true);
    a.send('b', new Uint8Array(10)); // fresh uplink after the restart: leaves at 60, arrives at 70
    sim.runUntilIdle();
    expect(net.stats.droppedDown).toBe(4);
    expect(inbox('a')).toEqual([]);
    expect(inbox('b').map((r) => [r.atMs, r.bytes.length])).toEqual([[70, 10]]);
    expect(net.inFlight).toBe(0);
  });
});

const NATS: NatType[] = ['none', 'fullCone', 'restricted', 'symmetric'];

/**
 * Hole punching with a rendezvous server S (public): A and B register with S, S tells each the other's address
 * as S observed it, then both send to that address at the same time (twice, 100 ms apart). Anyone receiving
 * a punch replies to the address it came from. Returns whether each side heard from the other.
 */
function punch(natA: NatType, natB: NatType): { aHeardB: boolean; bHeardA: boolean; natDrops: number } {
  const { sim, net, add, inbox } = setup();
  const a = add('a', { nat: natA });
  const b = add('b', { nat: natB });
  const s = add('s');
  a.send('s', new Uint8Array([0]));
  b.send('s', new Uint8Array([0]));
  sim.runUntilIdle();
  const observed = new Map(inbox('s').map((r, i) => [i === 0 ? 'a' : 'b', r.from]));
  // Both sides also answer any punch (byte 1) with an ack (byte 2) to its observed source.
  for (const [t, name] of [[a, 'a'], [b, 'b']] as const) {
    t.onReceive((from, bytes) => {
      inbox(name).push({ atMs: sim.now(), from, bytes });
      if (bytes[0] === 1) t.send(from, new Uint8Array([2]));
    });
  }
  for (const delay of [0, 100]) {
    sim.after(delay, () => a.send(observed.get('b')!, new Uint8Array([1])));
    sim.after(delay, () => b.send(observed.get('a')!, new Uint8Array([1])));
  }
  sim.runUntilIdle();
  return { aHeardB: inbox('a').length > 0, bHeardA: inbox('b').length > 0, natDrops: net.stats.droppedNat };
}

describe('SimNetwork NAT', () => {
  it('gives a symmetric-NAT node one external address per destination, and routes replies back', () => {
    const { sim, add, inbox } = setup();
    const a = add('a', { nat: 'symmetric' });
    const b = add('b');
    add('c');
    a.send('b', new Uint8Array(1));
    a.send('c', new Uint8Array(1));
    a.send('b', new Uint8Array(1));
    sim.runUntilIdle();
    expect(inbox('b').map((r) => r.from)).toEqual(['a:1', 'a:1']);
    expect(inbox('c').map((r) => r.from)).toEqual(['a:2']);
    b.send('a:1', new Uint8Array([7]));
    b.send('a:2', new Uint8Array([8])); // mapping for c: filtered
    b.send('a', new Uint8Array([9])); // bare name of a symmetric node: filtered
    sim.runUntilIdle();
    expect(inbox('a').map((r) => [r.from, r.bytes[0]])).toEqual([['b', 7]]);
  });

  it('filters unsolicited inbound datagrams by NAT type', () => {
    for (const nat of NATS) {
      const { sim, add, inbox, net } = setup();
      add('target', { nat });
      const x = add('x');
      x.send('target', new Uint8Array(1));
      sim.runUntilIdle();
      expect([nat, inbox('target').length]).toEqual([nat, nat === 'none' ? 1 : 0]);
      expect(net.stats.droppedNat).toBe(nat === 'none' ? 0 : 1);
    }
  });

  it('fullCone opens to anyone once the node has sent; restricted only to the endpoints it sent to', () => {
    for (const nat of ['fullCone', 'restricted'] as const) {
      const { sim, add, inbox } = setup();
      const t = add('t', { nat });
      const x = add('x');
      const y = add('y');
      t.send('x', new Uint8Array(1));
      sim.runUntilIdle();
      x.send('t', new Uint8Array([1]));
      y.send('t', new Uint8Array([2]));
      sim.runUntilIdle();
      expect(inbox('t').map((r) => r.from)).toEqual(nat === 'fullCone' ? ['x', 'y'] : ['x']);
    }
  });

  it('hole punching through a rendezvous works unless symmetric meets symmetric or restricted', () => {
    for (const natA of NATS) {
      for (const natB of NATS) {
        const hard = (p: NatType, q: NatType): boolean => p === 'symmetric' && (q === 'symmetric' || q === 'restricted');
        const works = !hard(natA, natB) && !hard(natB, natA);
        const r = punch(natA, natB);
        expect({ natA, natB, works: r.aHeardB && r.bHeardA }).toEqual({ natA, natB, works });
        if (!works) expect(r.natDrops).toBeGreaterThan(0);
      }
    }
  });
});

describe('SimNetwork tap', () => {
  it('sees exactly one row per datagram that left an uplink, with host addresses (not NAT mappings) and sizes', () => {
    // Guards (issue 11, item 15): the tap printed a symmetric NAT's mapping (`a:1`) where the truth file says `a`.
    const { sim, add, net } = setup({ lossRate: 0.3, uplinkBytesPerS: 10_000, mtuBytes: 500 });
    const rows: [number, string, string, number][] = [];
    net.onTap((...row) => {
      expect(row).toHaveLength(4);
      rows.push(row);
    });
    const a = add('a', { nat: 'symmetric' });
    const b = add('b');
    add('c');
    const expected: [string, string, number][] = [];
    for (let i = 0; i < 200; i++) {
      const size = 1 + ((i * 37) % 600);
      const to = i % 3 === 0 ? 'c' : 'b';
      const sender = i % 2 === 0 ? a : b;
      if (sender === b && to === 'b') continue;
      sender.send(to, new Uint8Array(size));
      if (size > 500) continue; // over the MTU: never on the wire
      expected.push([sender === a ? 'a' : 'b', to, size]);
    }
    // b answers a at a's mapping for b (`a:2`, where a's datagrams to b came from; `a:1` is a's mapping for c).
    for (let i = 0; i < 5; i++) {
      b.send('a:2', new Uint8Array(50));
      expected.push(['b', 'a', 50]);
    }
    sim.runUntilIdle();
    expect(rows.length).toBe(net.stats.transmitted);
    expect(net.stats.droppedLoss).toBeGreaterThan(0); // lost datagrams were still on the wire
    expect(rows.map((r) => r.slice(1)).sort()).toEqual(expected.sort());
    expect(rows.reduce((s, r) => s + r[3], 0)).toBe(net.stats.tappedBytes);
    for (let i = 1; i < rows.length; i++) expect(rows[i][0]).toBeGreaterThanOrEqual(rows[i - 1][0]);
  });

  it('stops calling a removed listener', () => {
    const { sim, add, net } = setup();
    let n = 0;
    const off = net.onTap(() => n++);
    const a = add('a');
    add('b');
    a.send('b', new Uint8Array(1));
    off();
    a.send('b', new Uint8Array(1));
    sim.runUntilIdle();
    expect(n).toBe(1);
  });
});

describe('SimNetwork robustness and determinism', () => {
  it('survives a throwing receive handler: counted, traced, reported', () => {
    const { sim, add, net } = setup();
    const a = add('a');
    const b = add('b');
    b.onReceive(() => {
      throw new Error('protocol bug');
    });
    const reported: string[] = [];
    net.onHandlerError((node, e) => reported.push(`${node}: ${(e as Error).message}`));
    const before = sim.trace.count;
    a.send('b', new Uint8Array(1));
    a.send('b', new Uint8Array(1));
    sim.runUntilIdle();
    expect(net.stats.handlerErrors).toBe(2);
    expect(reported).toEqual(['b: protocol bug', 'b: protocol bug']);
    expect(sim.trace.count).toBeGreaterThan(before);
  });

  /** Random traffic among 20 mixed-NAT nodes; returns the trace hash and the stats. */
  function randomRun(seed: number, tamper = false) {
    const sim = new Simulator({ seed });
    const net = new SimNetwork(sim, { lossRate: 0.05, uplinkBytesPerS: 50_000, latency: { meanMs: 30, jitterMs: 20, distribution: 'normal' } });
    const rng = sim.rng('test-traffic');
    const nodes = Array.from({ length: 20 }, (_, i) =>
      net.addNode(`n${i}`, { nat: (['none', 'fullCone', 'restricted', 'none'] as const)[i % 4], region: i % 2 ? 'eu' : 'us' }),
    );
    for (const t of nodes) t.onReceive((from, bytes) => bytes[0] % 2 === 0 && t.send(from, bytes.subarray(0, 10)));
    for (let i = 0; i < 500; i++) {
      sim.after(rng.exponential(5), () => {
        const bytes = rng.bytes(1 + rng.int(300));
        if (tamper && i === 250) bytes[bytes.length - 1] ^= 1;
        nodes[rng.int(20)].send(`n${rng.int(20)}`, bytes);
      });
    }
    sim.runUntilIdle();
    expect(net.stats.sent).toBe(net.stats.delivered + totalDrops(net.stats));
    return { hash: sim.trace.hash(), stats: { ...net.stats } };
  }

  it('same seed => same traceHash and stats; another seed or one flipped payload bit => another hash', () => {
    const a = randomRun(1);
    expect(randomRun(1)).toEqual(a);
    expect(a.stats.delivered).toBeGreaterThan(100);
    expect(randomRun(2).hash).not.toBe(a.hash);
    const tampered = randomRun(1, true);
    expect(tampered.hash).not.toBe(a.hash);
  });
});
