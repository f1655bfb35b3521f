import type { Clock, TimerId } from '../../protocol/runtime/clock.ts';
import type { Simulator } from './simulator.ts';

/**
 * The protocol's Clock in virtual time. Timers belong to `owner` (a node name), so the simulator can cancel
 * all of a node's timers at once when it goes down (`Simulator.cancelTimersOf`). Get one from
 * `Simulator.clock(owner)`.
 */
export class SimClock implements Clock {
  constructor(
    private readonly sim: Simulator,
    readonly owner: string,
    /** @internal Tag of this owner's timers in the event queue. */
    readonly ownerIndex: number,
  ) {}

  now(): number {
    return this.sim.now();
  }

  setTimer(delayMs: number, fn: () => void): TimerId {
    return this.sim.scheduleOwned(this.ownerIndex, delayMs, fn);
  }

  cancelTimer(id: TimerId): void {
    this.sim.cancel(id);
  }
}
