/**
 * Virtual clock for DHT tests: timers run in (time, insertion) order when the test steps the clock, so every
 * test is deterministic and never sleeps. A bound on the events per step turns a livelock into a failure.
 */
import type { Clock, TimerId } from '../../runtime/clock.ts';

interface Timer {
  id: TimerId;
  atMs: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  private nowMs: number;
  private nextId = 1;
  /** Binary min-heap by (atMs, id). */
  private readonly heap: Timer[] = [];
  /** Ids of timers that are queued and not cancelled. */
  private readonly live = new Set<TimerId>();
  /** Events run so far. */
  events = 0;

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimer(delayMs: number, fn: () => void): TimerId {
    const id = this.nextId++;
    this.live.add(id);
    this.push({ id, atMs: this.nowMs + Math.max(0, delayMs), fn });
    return id;
  }

  cancelTimer(id: TimerId): void {
    this.live.delete(id);
  }

  /** Timers still queued (cancelled ones excluded). */
  get pending(): number {
    return this.live.size;
  }

  /** Runs every timer due at or before `untilMs`, then sets the time to `untilMs`. */
  runUntil(untilMs: number, maxEvents = 10_000_000): void {
    let budget = maxEvents;
    while (this.heap.length > 0 && this.heap[0].atMs <= untilMs) {
      if (budget-- <= 0) throw new Error(`FakeClock: more than ${maxEvents} events before ${untilMs} ms`);
      this.step();
    }
    this.nowMs = Math.max(this.nowMs, untilMs);
  }

  advance(ms: number, maxEvents?: number): void {
    this.runUntil(this.nowMs + ms, maxEvents);
  }

  /** Runs until no timer is due within `horizonMs` of the current time (periodic timers stay queued). */
  runIdle(horizonMs = 60_000, maxEvents = 10_000_000): void {
    let budget = maxEvents;
    while (this.heap.length > 0 && this.heap[0].atMs <= this.nowMs + horizonMs) {
      if (budget-- <= 0) throw new Error(`FakeClock: more than ${maxEvents} events without going idle`);
      this.step();
    }
  }

  private step(): void {
    const t = this.pop();
    if (!this.live.delete(t.id)) return;
    this.nowMs = t.atMs;
    this.events++;
    t.fn();
  }

  private less(a: Timer, b: Timer): boolean {
    return a.atMs < b.atMs || (a.atMs === b.atMs && a.id < b.id);
  }

  private push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (!this.less(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): Timer {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
