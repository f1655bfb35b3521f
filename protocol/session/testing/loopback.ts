/**
 * A minimal in-test network: a virtual clock whose timers run only when a test advances time, and a
 * loopback of Transports that delivers each datagram after a fixed latency, through an optional
 * interceptor (to drop, replay, modify or inject packets). Not the simulator (sim/ is); just enough to run
 * two or three SessionManagers deterministically without sleeping.
 */
import type { DatagramKind } from '../session-manager.ts';
import type { Clock, TimerId } from '../../runtime/clock.ts';
import type { Address, ReceiveHandler, Transport } from '../../runtime/transport.ts';

interface Timer {
  readonly id: TimerId;
  readonly atMs: number;
  readonly fn: () => void;
}

export class ManualClock implements Clock {
  private nowMs = 0;
  private nextId = 1;
  private readonly timers = new Map<TimerId, Timer>();

  now(): number {
    return this.nowMs;
  }

  setTimer(delayMs: number, fn: () => void): TimerId {
    if (!(delayMs >= 0)) throw new RangeError(`setTimer: delay must be >= 0, got ${delayMs}`);
    const id = this.nextId++;
    this.timers.set(id, { id, atMs: this.nowMs + delayMs, fn });
    return id;
  }

  cancelTimer(id: TimerId): void {
    this.timers.delete(id);
  }

  pending(): number {
    return this.timers.size;
  }

  /** Runs every timer due up to now + `ms`, in (time, creation) order, then sets the clock there. */
  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      const next = this.nextDue(end);
      if (!next) break;
      this.timers.delete(next.id);
      this.nowMs = next.atMs;
      next.fn();
    }
    this.nowMs = end;
  }

  /** Runs timers until none is left or `limitMs` of virtual time has passed; returns the time used. */
  runUntilIdle(limitMs = 3_600_000): number {
    const start = this.nowMs;
    for (;;) {
      const next = this.nextDue(start + limitMs);
      if (!next) return this.nowMs - start;
      this.timers.delete(next.id);
      this.nowMs = next.atMs;
      next.fn();
    }
  }

  private nextDue(endMs: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers.values()) {
      if (t.atMs > endMs) continue;
      if (!best || t.atMs < best.atMs || (t.atMs === best.atMs && t.id < best.id)) best = t;
    }
    return best;
  }
}

export interface Datagram {
  readonly from: Address;
  readonly to: Address;
  readonly bytes: Uint8Array;
  /**
   * What the receiving node's session layer made of it when it was sent (SessionManager.probe): ground truth
   * for tests, since nothing in the bytes tells a handshake from data any more. Set when the target registered
   * a probe (makeNode does).
   */
  label?: DatagramLabel;
}

/** data / response (msg2) / cookie (reply) / init (msg1, `mac2` when it carries a valid one, or garbage). */
export type DatagramLabel = DatagramKind;

/** Returns the datagrams to deliver instead of `d` ([] drops it; [d, d] duplicates it). */
export type Interceptor = (d: Datagram) => readonly Datagram[];

export class Loopback {
  private readonly handlers = new Map<Address, ReceiveHandler>();
  /** Every datagram handed to send(), before interception: what a global observer would see. */
  readonly sent: Datagram[] = [];
  interceptor?: Interceptor;
  /** Per address: how its node labels a datagram addressed to it (see Datagram.label). */
  readonly probes = new Map<Address, (bytes: Uint8Array, from: Address) => DatagramLabel>();

  constructor(
    readonly clock: ManualClock,
    readonly latencyMs = 5,
  ) {}

  transport(address: Address): Transport {
    return {
      localAddress: address,
      send: (to, bytes) => this.send({ from: address, to, bytes: bytes.slice() }),
      onReceive: (handler) => {
        this.handlers.set(address, handler);
      },
    };
  }

  /** Queues `d` for delivery after the latency, bypassing the interceptor (for tests that inject). */
  inject(d: Datagram): void {
    this.clock.setTimer(this.latencyMs, () => this.handlers.get(d.to)?.(d.from, d.bytes));
  }

  private send(d: Datagram): void {
    d.label = this.probes.get(d.to)?.(d.bytes, d.from);
    this.sent.push(d);
    for (const out of this.interceptor ? this.interceptor(d) : [d]) this.inject(out);
  }
}
