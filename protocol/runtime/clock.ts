/**
 * Time source injected into protocol nodes: virtual time in the simulator, wall-clock time on UDP.
 * All protocol timing goes through it, so a simulated run is reproducible from its seed.
 */

export type TimerId = number;

export interface Clock {
  /** Milliseconds since an arbitrary origin (the simulation start, or the Unix epoch on a real node). */
  now(): number;
  /** Calls `fn` once after `delayMs` (>= 0). Returns an id for `cancelTimer`. */
  setTimer(delayMs: number, fn: () => void): TimerId;
  /** Cancels a pending timer; cancelling a fired or unknown timer is a no-op. */
  cancelTimer(id: TimerId): void;
}
