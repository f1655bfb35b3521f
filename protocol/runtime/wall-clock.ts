import type { Clock, TimerId } from './clock.ts';

/** Node's setTimeout fires after 1 ms for any delay above 2^31 - 1 ms (~24.8 days): longer delays are chained. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

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
    this.arm(id, Date.now() + delayMs, delayMs, fn);
    return id;
  }

  /** Waits `delayMs`, in chunks of at most MAX_TIMEOUT_MS until `dueMs` when it is longer. */
  private arm(id: TimerId, dueMs: number, delayMs: number, fn: () => void): void {
    const chunked = delayMs > MAX_TIMEOUT_MS;
    const handle = setTimeout(
      () => {
        if (chunked) return this.arm(id, dueMs, Math.max(0, dueMs - Date.now()), fn);
        this.timers.delete(id);
        fn();
      },
      chunked ? MAX_TIMEOUT_MS : delayMs,
    );
    this.timers.set(id, handle);
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
