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

/**
 * A run limit was reached: likely an event storm or livelock. `kind` says which: 'maxEvents' (the run's event
 * cap; `limit` is it), 'idle' (the budget of runUntilIdle) or 'budget' (the injected budget check, e.g. the heap;
 * `limit` is the events processed so far).
 */
export class SimulationLimitError extends SimulationError {
  override name = 'SimulationLimitError';
  readonly limit: number;
  readonly kind: 'maxEvents' | 'idle' | 'budget';

  constructor(message: string, seed: string, timeMs: number, limit: number, kind: 'maxEvents' | 'idle' | 'budget' = 'idle') {
    super(message, seed, timeMs);
    this.limit = limit;
    this.kind = kind;
  }
}

export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
