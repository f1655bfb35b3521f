import type { Rng } from '../../protocol/runtime/rng.ts';
import { SeededRng } from '../../protocol/runtime/seeded-rng.ts';
import { describeError, SimulationError, SimulationLimitError } from './errors.ts';
import { EventQueue, type EventHandler } from './event-queue.ts';
import { SimClock } from './sim-clock.ts';
import { Trace } from './trace.ts';

export interface SimulatorOptions {
  /** Root seed of the run; every random stream derives from it (`rng(name)`). */
  seed: string | number;
  /** Record a semantic trace (and its hash). Default true. */
  trace?: boolean;
  /** Hard cap on events processed over the whole run; reaching it throws SimulationLimitError. */
  maxEvents?: number;
  /**
   * Called every BUDGET_CHECK_EVERY events; a returned reason (e.g. "heap 3.5 GiB") stops the run with
   * SimulationLimitError. Injected, so the engine itself reads no process state (the runner checks the heap).
   */
  budgetCheck?: () => string | undefined;
}

/** How often (in events) `budgetCheck` runs: rare enough to cost nothing, often enough to stop a runaway in time. */
export const BUDGET_CHECK_EVERY = 65_536;

/** Default run-length cap: far above any planned scenario, low enough to stop a runaway in minutes. */
export const DEFAULT_MAX_EVENTS = 500_000_000;

/** Why a run loop stopped. */
const Stop = { Idle: 0, Time: 1, Predicate: 2, Budget: 3 } as const;
type Stop = (typeof Stop)[keyof typeof Stop];

/**
 * Deterministic discrete-event simulator. Events run synchronously, one at a time, in (time, scheduling order);
 * virtual time jumps from event to event. One root seed yields one independent random stream per component
 * (`rng(name)`), so a run is reproducible from (scenario, seed) alone.
 */
export class Simulator {
  readonly seed: string;
  readonly trace: Trace;
  readonly maxEvents: number;
  private readonly budgetCheck: (() => string | undefined) | undefined;
  private nowMs = 0;
  private processed = 0;
  private running = false;
  private readonly queue = new EventQueue();
  private readonly rootRng: SeededRng;
  private readonly rngs = new Map<string, Rng>();
  private readonly clocks = new Map<string, SimClock>();

  constructor(opts: SimulatorOptions) {
    this.seed = String(opts.seed);
    this.rootRng = new SeededRng(this.seed);
    this.trace = new Trace({ enabled: opts.trace ?? true });
    this.maxEvents = opts.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.budgetCheck = opts.budgetCheck;
    if (!(this.maxEvents >= 0)) throw new RangeError(`Simulator: maxEvents must be >= 0, got ${opts.maxEvents}`);
  }

  /** Current virtual time in milliseconds (0 at the start). */
  now(): number {
    return this.nowMs;
  }

  get eventsProcessed(): number {
    return this.processed;
  }

  get pendingEvents(): number {
    return this.queue.size;
  }

  /** Schedules `fn` at absolute virtual time `timeMs` (>= now). Returns an id for `cancel`. */
  at(timeMs: number, fn: () => void): number {
    if (!(timeMs >= this.nowMs) || timeMs === Infinity) {
      throw new RangeError(`Simulator.at: time must be finite and >= now (${this.nowMs} ms), got ${timeMs}`);
    }
    return this.queue.push(timeMs, fn);
  }

  /** Schedules `fn` after `delayMs` (>= 0) of virtual time. Returns an id for `cancel`. */
  after(delayMs: number, fn: () => void): number {
    return this.scheduleOwned(0, delayMs, fn);
  }

  /** Cancels a pending event; unknown, fired or already cancelled ids are ignored. */
  cancel(id: number): void {
    this.queue.cancel(id);
  }

  /** The independent random stream `name` (one per component, cached): `new SeededRng(seed).fork(name)`. */
  rng(name: string): Rng {
    let r = this.rngs.get(name);
    if (r === undefined) {
      r = this.rootRng.fork(name);
      this.rngs.set(name, r);
    }
    return r;
  }

  /** The Clock handed to the protocol node `owner` (cached: one per owner). */
  clock(owner: string): SimClock {
    let c = this.clocks.get(owner);
    if (c === undefined) {
      // Owner index 0 means "no owner" in the queue.
      c = new SimClock(this, owner, this.clocks.size + 1);
      this.clocks.set(owner, c);
    }
    return c;
  }

  /** Cancels every pending timer set through `clock(owner)` (a node crashed or left). Returns how many. */
  cancelTimersOf(owner: string): number {
    const c = this.clocks.get(owner);
    return c === undefined ? 0 : this.queue.cancelOwner(c.ownerIndex);
  }

  /** Runs every event due at or before `timeMs`, then sets now() to `timeMs`. */
  runUntil(timeMs: number): void {
    if (!(timeMs >= this.nowMs) || timeMs === Infinity) {
      throw new RangeError(`Simulator.runUntil: time must be finite and >= now (${this.nowMs} ms), got ${timeMs}`);
    }
    this.loop(timeMs, Infinity, undefined);
    this.nowMs = timeMs;
  }

  /**
   * Runs until no event is pending. `maxEvents` bounds this call: reaching it with events still pending throws
   * SimulationLimitError (something keeps rescheduling itself). now() stays at the last event's time.
   */
  runUntilIdle(maxEvents = Infinity): void {
    if (this.loop(Infinity, maxEvents, undefined) === Stop.Budget) {
      throw new SimulationLimitError(
        `Simulator.runUntilIdle: still not idle after ${maxEvents} events (limit); ${this.queue.size} pending`,
        this.seed,
        this.nowMs,
        maxEvents,
      );
    }
  }

  /**
   * Runs events while `predicate()` holds (checked before each event). Stops when it is false, when no event is
   * pending, or when the next event is after `untilTimeMs`. In the last two cases now() becomes `untilTimeMs`
   * if it is finite (as in runUntil); when the predicate stops the run, now() stays at the last event's time.
   */
  runWhile(predicate: () => boolean, untilTimeMs = Infinity): void {
    if (!(untilTimeMs >= this.nowMs)) {
      throw new RangeError(`Simulator.runWhile: until must be >= now (${this.nowMs} ms), got ${untilTimeMs}`);
    }
    const stop = this.loop(untilTimeMs, Infinity, predicate);
    if (stop !== Stop.Predicate && untilTimeMs !== Infinity) this.nowMs = untilTimeMs;
  }

  /** Runs the next pending event. Returns false (and does nothing) when idle. */
  step(): boolean {
    const before = this.processed;
    this.loop(Infinity, 1, undefined);
    return this.processed > before;
  }

  /** @internal Used by SimClock: schedules `fn` after `delayMs`, tagged with an owner index. */
  scheduleOwned(ownerIndex: number, delayMs: number, fn: () => void): number {
    if (!(delayMs >= 0) || delayMs === Infinity) {
      throw new RangeError(`Simulator: delay must be finite and >= 0 ms, got ${delayMs}`);
    }
    return this.queue.push(this.nowMs + delayMs, fn, ownerIndex);
  }

  /** The one run loop behind runUntil / runUntilIdle / runWhile / step. */
  private loop(untilMs: number, budget: number, predicate: (() => boolean) | undefined): Stop {
    if (this.running) throw new Error('Simulator: run methods must not be called from inside an event handler');
    this.running = true;
    const queue = this.queue;
    let n = 0;
    try {
      for (;;) {
        if (predicate !== undefined && !predicate()) return Stop.Predicate;
        const t = queue.peekTime();
        if (t === Infinity) return Stop.Idle;
        if (t > untilMs) return Stop.Time;
        if (n >= budget) return Stop.Budget;
        if (this.processed >= this.maxEvents) throw this.limitError();
        if (this.budgetCheck !== undefined && (this.processed & (BUDGET_CHECK_EVERY - 1)) === 0 && this.processed > 0) this.checkBudget();
        const fn = queue.shift() as EventHandler;
        this.nowMs = t;
        this.processed++;
        n++;
        try {
          fn();
        } catch (e) {
          throw new SimulationError(`event handler threw: ${describeError(e)}`, this.seed, t, { cause: e });
        }
      }
    } finally {
      this.running = false;
    }
  }

  private checkBudget(): void {
    const reason = this.budgetCheck!();
    if (reason !== undefined) throw new SimulationLimitError(`Simulator: ${reason}`, this.seed, this.nowMs, this.processed, 'budget');
  }

  private limitError(): SimulationLimitError {
    return new SimulationLimitError(
      `Simulator: maxEvents limit (${this.maxEvents}) reached; raise maxEvents or look for an event storm`,
      this.seed,
      this.nowMs,
      this.maxEvents,
      'maxEvents',
    );
  }
}
