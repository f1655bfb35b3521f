/** traffic.series on its own: bucket widths, and the truth tap's noise flag (sim/observers/traffic-series.ts). */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../engine/simulator.ts';
import { SimNetwork } from '../network/sim-network.ts';
import { MAX_SERIES_BUCKETS, seriesBucketMs, TrafficSeries } from './traffic-series.ts';

const CONST_10 = { meanMs: 10, jitterMs: 0, distribution: 'constant' as const };

describe('seriesBucketMs', () => {
  it('picks the smallest nice whole-second width that keeps a run within 240 buckets', () => {
    expect(seriesBucketMs(70_000)).toBe(1_000);
    expect(seriesBucketMs(240_000)).toBe(1_000);
    expect(seriesBucketMs(241_000)).toBe(2_000);
    expect(seriesBucketMs(3_600_000)).toBe(15_000);
    expect(seriesBucketMs(86_400_000)).toBe(600_000);
    expect(seriesBucketMs(30 * 86_400_000)).toBe(3 * 3_600_000);
    for (const d of [1, 999, 61_000, 1_234_567, 7_777_777, 1e9]) {
      const b = seriesBucketMs(d);
      expect(b % 1000, String(d)).toBe(0);
      expect(Math.ceil(d / b), String(d)).toBeLessThanOrEqual(MAX_SERIES_BUCKETS);
    }
  });
});

describe('TrafficSeries', () => {
  it('counts a datagram marked as noise as noise when it leaves the uplink, even after waiting in a queue', () => {
    // Guards: the noise flag must travel with the datagram (it is taken at send, the tap sees it later).
    const sim = new Simulator({ seed: 1 });
    const net = new SimNetwork(sim, { latency: CONST_10, uplinkBytesPerS: 10_000 }); // 100 bytes = 10 ms
    const series = new TrafficSeries(net, 10_000, 5); // 2 s buckets
    const a = net.addNode('a');
    net.addNode('b').onReceive(() => {});
    const adversaryRows: unknown[][] = [];
    net.onTap((...row) => adversaryRows.push(row));
    const noise = new Uint8Array(100);
    net.markNoise(noise);
    a.send('b', new Uint8Array(100)); // real, leaves at 10 ms
    a.send('b', noise); // noise, queued behind it
    sim.at(3_000, () => a.send('b', new Uint8Array(50)));
    sim.at(9_999, () => a.send('b', new Uint8Array(100))); // leaves at 10 009 ms: past the end, last bucket
    sim.runUntil(11_000);
    const v = series.view(1);
    expect(v.bucketMs).toBe(2_000);
    expect(v.t).toEqual([0, 2_000, 4_000, 6_000, 8_000]);
    expect(v.realPackets).toEqual([1, 1, 0, 0, 1]);
    expect(v.noisePackets).toEqual([1, 0, 0, 0, 0]);
    expect(v.realBytes).toEqual([100, 50, 0, 0, 100]);
    expect(v.noiseBytes).toEqual([100, 0, 0, 0, 0]);
    expect(v.noiseNotOnWire).toBe(0);
    // The adversary's tap is unchanged: four columns, no flag.
    expect(adversaryRows.every((r) => r.length === 4)).toBe(true);
  });

  it('places messages by the time the driver gives, and says how much counted noise never reached a link', () => {
    const sim = new Simulator({ seed: 1 });
    const net = new SimNetwork(sim);
    const series = new TrafficSeries(net, 4_000);
    series.sent(0);
    series.sent(1_500);
    series.delivered(1_999.9);
    series.delivered(4_000); // the run's last instant
    const v = series.view(3);
    expect(v.t).toHaveLength(4);
    expect(v.messagesSent).toEqual([1, 1, 0, 0]);
    expect(v.messagesDelivered).toEqual([0, 1, 0, 1]);
    expect(v.noiseNotOnWire).toBe(3);
  });
});
