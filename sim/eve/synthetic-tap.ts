/**
 * A synthetic tap with known answers, for Eve's tests and benchmark, without running the protocol stack.
 * Nodes n0..n(2k-1) are users in k conversations (n0-n1, n2-n3, ...); the rest relay. Each user has a circuit of
 * `hops` relays; a conversation's messages travel user -> its circuit -> a rendezvous relay -> the partner's
 * circuit (reversed) -> partner, one datagram per link with latency ~ N(latencyMs, jitterMs), and an ack travels
 * back the same way. Traffic modes:
 *   - `onoff`: each conversation alternates exponential on/off periods; while on, messages arrive as a Poisson
 *     process and either end sends; every user also exchanges a keepalive with its first relay;
 *   - `constant`: every user sends one datagram to its first relay and gets one back every `periodMs`, all in
 *     phase (or, with `constantJitterMs`, each at its own phase with jitter), and nothing else: traffic that
 *     carries no information (the ideal of constant-rate cover).
 * Sizes are `wireSize` bytes (`fixed`) or 100 + uniform[0, 1100) for messages and 80 for acks (`variable`).
 */
import { SeededRng } from '../../protocol/runtime/seeded-rng.ts';
import type { GroundTruth } from '../tap/tap-writer.ts';
import { TapBuilder, type TapColumns } from './tap-reader.ts';

export interface SyntheticTapOptions {
  nodes: number;
  conversations: number;
  durationS: number;
  seed?: number;
  traffic?: 'onoff' | 'constant';
  paddingMode?: 'fixed' | 'variable';
  wireSize?: number;
  hops?: number;
  latencyMs?: number;
  jitterMs?: number;
  meanOnS?: number;
  meanOffS?: number;
  messagesPerMin?: number;
  keepaliveMs?: number;
  periodMs?: number;
  /** constant: each user's own random phase in [0, periodMs) and per-datagram jitter of +-this (0 = all in phase). */
  constantJitterMs?: number;
  /** Datagrams per second between random relays (the rest of the network's traffic). */
  relayNoisePerS?: number;
}

export function syntheticTap(options: SyntheticTapOptions): { tap: TapColumns; truth: GroundTruth } {
  const o = {
    seed: 1, traffic: 'onoff', paddingMode: 'fixed', wireSize: 1232, hops: 3, latencyMs: 40, jitterMs: 5,
    meanOnS: 20, meanOffS: 40, messagesPerMin: 12, keepaliveMs: 15_000, periodMs: 200, constantJitterMs: 0, relayNoisePerS: 0,
    ...options,
  };
  const users = 2 * o.conversations;
  const relays = o.nodes - users;
  if (relays < o.hops + 1) throw new Error(`syntheticTap: ${o.nodes} nodes leave too few relays for ${o.conversations} conversations`);
  const rng = new SeededRng(`eve/synthetic/${o.seed}`);
  const b = new TapBuilder();
  for (let n = 0; n < o.nodes; n++) b.id(`n${n}`); // ids = node numbers
  const endMs = o.durationS * 1000;
  const relay = (): number => users + rng.int(relays);
  const circuit = Array.from({ length: users }, () => Array.from({ length: o.hops }, relay));
  const latency = (): number => Math.max(1, o.latencyMs + o.jitterMs * (2 * rng.uniform() - 1) * 1.7);
  const send = (path: number[], t0: number, bytes: number): void => {
    let t = t0;
    for (let k = 0; k + 1 < path.length; k++) {
      if (t >= endMs) return;
      b.addIds(t, path[k], path[k + 1], bytes);
      t += latency();
    }
  };
  const truth: GroundTruth = { conversations: [], malicious: [] };

  if (o.traffic === 'constant') {
    const j = o.constantJitterMs;
    const jitter = (): number => (j ? j * (2 * rng.uniform() - 1) : 0);
    for (let u = 0; u < users; u++) {
      const phase = j ? rng.uniform() * o.periodMs : 0;
      for (let t = phase; t < endMs - j - 1; t += o.periodMs) {
        b.addIds(Math.max(0, t + jitter()), u, circuit[u][0], o.wireSize);
        b.addIds(Math.max(0, t + 1 + jitter()), circuit[u][0], u, o.wireSize);
      }
    }
    for (let k = 0; k < o.conversations; k++) truth.conversations.push({ source: `n${2 * k}`, target: `n${2 * k + 1}`, startMs: 0, endMs });
  } else {
    const msgSize = (): number => (o.paddingMode === 'fixed' ? o.wireSize : 100 + rng.int(1100));
    const ackSize = o.paddingMode === 'fixed' ? o.wireSize : 80;
    for (let k = 0; k < o.conversations; k++) {
      const [a, z] = [2 * k, 2 * k + 1];
      const rendezvous = relay();
      const forward = [a, ...circuit[a], rendezvous, ...circuit[z].slice().reverse(), z];
      const backward = forward.slice().reverse();
      let first = Infinity;
      let last = 0;
      let t = rng.exponential(o.meanOffS * 1000);
      while (t < endMs) {
        const onEnd = t + rng.exponential(o.meanOnS * 1000);
        for (t += rng.exponential(60_000 / o.messagesPerMin); t < Math.min(onEnd, endMs); t += rng.exponential(60_000 / o.messagesPerMin)) {
          const path = rng.uniform() < 0.5 ? forward : backward;
          send(path, t, msgSize());
          send(path.slice().reverse(), t + 8 * o.latencyMs, ackSize);
          first = Math.min(first, t);
          last = t;
        }
        t = onEnd + rng.exponential(o.meanOffS * 1000);
      }
      if (first < Infinity) truth.conversations.push({ source: `n${a}`, target: `n${z}`, startMs: Math.round(first), endMs: Math.round(last) });
    }
    if (o.keepaliveMs > 0) {
      for (let u = 0; u < users; u++) {
        for (let t = rng.uniform() * o.keepaliveMs; t < endMs; t += o.keepaliveMs) send([u, circuit[u][0], u], t, o.wireSize);
      }
    }
  }
  const noise = Math.round(o.relayNoisePerS * o.durationS);
  for (let i = 0; i < noise; i++) b.addIds(rng.uniform() * endMs, relay(), relay(), o.wireSize);
  return { tap: b.build(), truth };
}
