/**
 * The trivial echo protocol of the spine: a node pings peers at exponential intervals and answers pings with
 * pongs. It exercises transport, clock and rng end to end; later protocols (DHT, onion) replace it.
 */
import type { Address } from '../runtime/transport.ts';
import type { Clock, TimerId } from '../runtime/clock.ts';
import type { Rng } from '../runtime/rng.ts';
import { decodePing, encodePing, PING, PONG } from './ping-codec.ts';

/** What the ping protocol needs from below: a Transport satisfies it, and so does a secure-session adapter. */
export interface PingChannel {
  send(to: Address, body: Uint8Array): void;
  onReceive(handler: (from: Address, body: Uint8Array) => void): void;
}

export interface PingConfig {
  intervalMs: number;
  timeoutMs: number;
  /** Peers this node pings, chosen uniformly per ping. */
  peers: readonly Address[];
}

/** Every ping sent ends in one of pongsReceived, timeouts, abandoned, or is still `outstanding` (PingNode.outstandingCount). */
export interface PingStats {
  pingsSent: number;
  pingsAnswered: number;
  pongsReceived: number;
  timeouts: number;
  /** Pings still waiting for their pong when the node was stopped: they can no longer be answered. */
  abandoned: number;
  malformed: number;
  unexpectedPongs: number;
}

/** Observer hooks, so the simulator can measure without the node knowing about metrics. */
export interface PingObserver {
  pingSent?(source: Address, target: Address, atMs: number): void;
  pingReceived?(source: Address, target: Address, oneWayMs: number): void;
  pongReceived?(source: Address, target: Address, rttMs: number): void;
}

export class PingNode {
  readonly stats: PingStats = { pingsSent: 0, pingsAnswered: 0, pongsReceived: 0, timeouts: 0, abandoned: 0, malformed: 0, unexpectedPongs: 0 };
  private readonly outstanding = new Map<number, { target: Address; timer: TimerId }>();
  private nextSeq = 1;
  private tick: TimerId | null = null;

  constructor(
    private readonly components: { channel: PingChannel; clock: Clock; rng: Rng; self: Address; observer?: PingObserver },
    private readonly config: PingConfig,
  ) {
    components.channel.onReceive((from, body) => this.receive(from, body));
  }

  start(): void {
    if (this.tick === null && this.config.peers.length > 0) this.scheduleNext();
  }

  stop(): void {
    const { clock } = this.components;
    if (this.tick !== null) clock.cancelTimer(this.tick);
    this.tick = null;
    for (const { timer } of this.outstanding.values()) clock.cancelTimer(timer);
    // Counted, not just forgotten: a stopped node's pings end here (a late pong is an unexpectedPong).
    this.stats.abandoned += this.outstanding.size;
    this.outstanding.clear();
  }

  /** Pings sent and still waiting for their pong or timeout. */
  get outstandingCount(): number {
    return this.outstanding.size;
  }

  private scheduleNext(): void {
    const { clock, rng } = this.components;
    this.tick = clock.setTimer(rng.exponential(this.config.intervalMs), () => {
      this.pingOnce();
      this.scheduleNext();
    });
  }

  private pingOnce(): void {
    const { clock, rng, channel, self, observer } = this.components;
    const target = this.config.peers[rng.int(this.config.peers.length)];
    const seq = this.nextSeq++ >>> 0;
    const now = clock.now();
    const timer = clock.setTimer(this.config.timeoutMs, () => {
      this.outstanding.delete(seq);
      this.stats.timeouts++;
    });
    this.outstanding.set(seq, { target, timer });
    this.stats.pingsSent++;
    observer?.pingSent?.(self, target, now);
    channel.send(target, encodePing({ kind: PING, seq, sentAtMs: now }));
  }

  private receive(from: Address, body: Uint8Array): void {
    const { clock, channel, self, observer } = this.components;
    const msg = decodePing(body);
    if (msg === null) {
      this.stats.malformed++;
      return;
    }
    const now = clock.now();
    if (msg.kind === PING) {
      this.stats.pingsAnswered++;
      observer?.pingReceived?.(from, self, now - msg.sentAtMs);
      channel.send(from, encodePing({ kind: PONG, seq: msg.seq, sentAtMs: msg.sentAtMs }));
      return;
    }
    const pending = this.outstanding.get(msg.seq);
    // A pong must answer a ping we sent to that very address; anything else is counted, not trusted.
    if (pending === undefined || pending.target !== from) {
      this.stats.unexpectedPongs++;
      return;
    }
    clock.cancelTimer(pending.timer);
    this.outstanding.delete(msg.seq);
    this.stats.pongsReceived++;
    observer?.pongReceived?.(self, from, now - msg.sentAtMs);
  }
}
