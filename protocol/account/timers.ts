/**
 * The timers one AccountService has set, so that stop() can cancel every one of them (stop leaves no timers).
 * Timers come from the injected Clock only.
 */
import type { Clock, TimerId } from '../runtime/clock.ts';

export class Timers {
  private readonly live = new Set<TimerId>();

  constructor(private readonly clock: Clock) {}

  set(delayMs: number, fn: () => void): TimerId {
    const id = this.clock.setTimer(Math.max(0, delayMs), () => {
      this.live.delete(id);
      fn();
    });
    this.live.add(id);
    return id;
  }

  cancel(id: TimerId | undefined): void {
    if (id === undefined || !this.live.delete(id)) return;
    this.clock.cancelTimer(id);
  }

  cancelAll(): void {
    for (const id of this.live) this.clock.cancelTimer(id);
    this.live.clear();
  }

  get size(): number {
    return this.live.size;
  }
}
