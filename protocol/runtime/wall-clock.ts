import type { Clock, TimerId } from './clock.ts';

/** Wall-clock time and Node.js timers, for real nodes. */
export class WallClock implements Clock {
  private readonly timers = new Map<TimerId, NodeJS.Timeout>();
  private nextId = 1;

  now(): number {
    return Date.now();
  }

  setTimer(delayMs: number, fn: () => void): TimerId {
    if (!(delayMs >= 0)) throw new RangeError(`setTimer: delay must be >= 0 ms, got ${delayMs}`);
    const id = this.nextId++;
    const handle = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, delayMs);
    this.timers.set(id, handle);
    return id;
  }

  cancelTimer(id: TimerId): void {
    const handle = this.timers.get(id);
    if (handle === undefined) return;
    clearTimeout(handle);
    this.timers.delete(id);
  }

  /** Cancels every pending timer, so a stopped node lets the process exit. */
  cancelAll(): void {
    for (const handle of this.timers.values()) clearTimeout(handle);
    this.timers.clear();
  }
}
