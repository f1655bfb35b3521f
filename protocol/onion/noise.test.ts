import { describe, expect, it } from 'vitest';
import { PayloadType } from '../packet/payload-type.ts';
import type { OnionConfig } from './constants.ts';
import { OnionNet, type TestNode } from './testing/onion-net.ts';
import { totalDrops } from './stats.ts';
import type { Circuit } from './types.ts';

const PROBE = 0x20;

function network(origin: Partial<OnionConfig>, relays: Partial<OnionConfig>, seed = 'onion-noise') {
  const net = new OnionNet(seed);
  const o = net.add('origin', origin);
  const hops = ['r1', 'r2', 'r3'].map((n) => net.add(n, relays));
  return { net, o, hops };
}

function open(net: OnionNet, o: TestNode, hops: TestNode[]): Circuit {
  let circuit: Circuit | undefined;
  o.onion.buildCircuit(hops.map((h) => h.peer), (r) => {
    if (!r.ok) throw new Error(`build failed: ${r.reason} at hop ${r.hop}`);
    circuit = r.circuit;
  });
  net.clock.advance(30_000);
  expect(circuit?.isOpen).toBe(true);
  return circuit!;
}

/** ONION messages on the link from -> to in [fromMs, toMs), by send time. */
function cellsOn(net: OnionNet, times: number[], from: TestNode, to: TestNode, fromMs: number, toMs: number): number {
  return net.log.filter((m, i) => m.type === PayloadType.ONION && m.from.address === from.peer.address && m.to.address === to.peer.address && times[i] >= fromMs && times[i] < toMs).length;
}

function timeLog(net: OnionNet): number[] {
  const times: number[] = [];
  net.tap = () => void times.push(net.clock.now());
  return times;
}

describe('loop cover (loopRatePerS)', () => {
  it('an idle circuit carries LOOP cells both ways, counted as noise at the last hop and back at the origin', () => {
    const { net, o, hops } = network({ loopRatePerS: 2 }, {});
    const times = timeLog(net);
    open(net, o, hops);
    const start = net.clock.now();
    const before = o.onion.stats().loopsSent;
    net.clock.advance(60_000);
    const os = o.onion.stats();
    const last = hops[2].onion.stats();
    // ~120 loops in 60 s (sd ~11).
    expect(os.loopsSent - before).toBeGreaterThan(80);
    expect(os.loopsSent - before).toBeLessThan(160);
    // All came back but the one or two in flight (30 ms round trip) at the end.
    expect(os.loopsSent - last.loopsEchoed).toBeLessThanOrEqual(2);
    expect(last.loopsEchoed - os.loopsReturned).toBeLessThanOrEqual(2);
    expect(last.noise).toBe(last.loopsEchoed);
    expect(os.noise).toBe(os.loopsReturned);
    for (const n of [o, ...hops]) expect(n.onion.stats().dropped).toEqual({});
    // Both directions of the first link carry cells in every 10 s window, though the user sent nothing.
    for (let t = start; t < start + 60_000; t += 10_000) {
      expect(cellsOn(net, times, o, hops[0], t, t + 10_000)).toBeGreaterThan(0);
      expect(cellsOn(net, times, hops[0], o, t, t + 10_000)).toBeGreaterThan(0);
    }
  });

  it('loops stop with the circuit: no timer left', () => {
    const { net, o, hops } = network({ loopRatePerS: 5 }, {});
    const circuit = open(net, o, hops);
    net.clock.advance(1_000);
    circuit.close();
    net.clock.advance(1_000);
    expect(o.clock.pending).toBe(0);
    const sent = o.onion.stats().loopsSent;
    net.clock.advance(10_000);
    expect(o.onion.stats().loopsSent).toBe(sent);
  });
});

describe('mixing delay (mixDelayMeanMs)', () => {
  /** Forward latency of `n` PROBE cells sent 50 ms apart, origin to last-hop handler. */
  function probeLatencies(mixDelayMeanMs: number, n = 200): { latencies: number[]; net: OnionNet; nodes: TestNode[] } {
    const { net, o, hops } = network({}, { mixDelayMeanMs });
    const sentAt = new Map<number, number>();
    const latencies: number[] = [];
    hops[2].onion.onRelayCommand(PROBE, (_ep, body) => latencies.push(net.clock.now() - sentAt.get(body[0] | (body[1] << 8))!));
    const circuit = open(net, o, hops);
    for (let i = 0; i < n; i++) {
      sentAt.set(i, net.clock.now());
      circuit.send(PROBE, Uint8Array.of(i & 0xff, i >> 8));
      net.clock.advance(50);
    }
    net.clock.advance(10_000);
    return { latencies, net, nodes: [o, ...hops] };
  }

  it('adds about hops x mean to a cell latency (3 hops, mean 100 ms)', () => {
    const plain = probeLatencies(0).latencies;
    expect(new Set(plain)).toEqual(new Set([15])); // 3 links of 5 ms
    const { latencies, nodes } = probeLatencies(100);
    expect(latencies).toHaveLength(200);
    const mean = latencies.reduce((s, x) => s + x, 0) / latencies.length;
    // 15 + 3 x 100; the mean of 200 sums of 3 exponentials has sd ~12 ms.
    expect(mean).toBeGreaterThan(315 - 60);
    expect(mean).toBeLessThan(315 + 60);
    expect(Math.max(...latencies) - Math.min(...latencies)).toBeGreaterThan(300); // spread: cells leave reordered
    for (const n of nodes) expect(n.onion.stats().dropped).toEqual({});
    expect(nodes[1].onion.stats().cellsMixed).toBeGreaterThanOrEqual(200);
  });

  it('bounds held cells per circuit and drops them at teardown (counted), leaving no timer', () => {
    // Long hop timeout (EXTENDs wait in the mix too), no keepalive (it would take a held slot).
    const { net, o, hops } = network({ hopTimeoutMs: 600_000, keepaliveMs: 3_600_000 }, { mixDelayMeanMs: 10_000, mixMaxHeldCells: 8 });
    hops[2].onion.onRelayCommand(PROBE, () => undefined);
    let circuit: Circuit | undefined;
    o.onion.buildCircuit(hops.map((h) => h.peer), (r) => (circuit = r.ok ? r.circuit : undefined));
    while (circuit === undefined && net.clock.now() < 600_000) net.clock.advance(100);
    expect(circuit?.isOpen).toBe(true);
    for (let i = 0; i < 20; i++) circuit!.send(PROBE, Uint8Array.of(i));
    net.clock.advance(10);
    const first = hops[0].onion.stats();
    expect(first.dropped['mix-overflow']).toBe(12);
    for (const n of [o, ...hops]) n.onion.stop();
    net.clock.advance(100);
    expect(hops[0].onion.stats().dropped['mix-closed']).toBe(8);
    for (const n of [o, ...hops]) expect(n.clock.pending).toBe(0);
    // Every relay cell r1 held ended in one place: relayed, handled (its own EXTEND), or dropped at teardown.
    const s = hops[0].onion.stats();
    expect(s.cellsMixed).toBe(s.cellsRelayed + 1 + 8);
    expect(totalDrops(s)).toBe(20);
  });
});
