/**
 * Errors of a simulation run. Each names the seed and the virtual time, so a failing run says how to
 * reproduce it (re-run the same scenario with that seed: the run is deterministic).
 */

/** An event handler threw; `cause` holds what it threw. */
export class SimulationError extends Error {
  override name = 'SimulationError';
  readonly seed: string;
  readonly timeMs: number;

  constructor(message: string, seed: string, timeMs: number, options?: { cause?: unknown }) {
    super(`${message} [seed ${JSON.stringify(seed)}, t=${timeMs} ms; re-run with --seed ${seed} to reproduce]`, options);
    this.seed = seed;
    this.timeMs = timeMs;
  }
}

/** A run limit (maxEvents, or the budget of runUntilIdle) was reached: likely an event storm or livelock. */
export class SimulationLimitError extends SimulationError {
  override name = 'SimulationLimitError';
  readonly limit: number;

  constructor(message: string, seed: string, timeMs: number, limit: number) {
    super(message, seed, timeMs);
    this.limit = limit;
  }
}

export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
