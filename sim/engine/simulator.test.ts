import { describe, expect, it } from 'vitest';
import { SimulationError, SimulationLimitError } from './errors.ts';
import { Simulator } from './simulator.ts';

describe('Simulator', () => {
  it('runs events by time, then in scheduling order, advancing now()', () => {
    const sim = new Simulator({ seed: 1 });
    const log: string[] = [];
    sim.at(10, () => log.push(`a@${sim.now()}`));
    sim.after(5, () => {
      log.push(`b@${sim.now()}`);
      sim.after(0, () => log.push(`c@${sim.now()}`)); // same time, scheduled later: runs after d
    });
    sim.at(5, () => log.push(`d@${sim.now()}`));
    sim.runUntilIdle();
    expect(log).toEqual(['b@5', 'd@5', 'c@5', 'a@10']);
    expect(sim.eventsProcessed).toBe(4);
    expect(sim.now()).toBe(10);
  });

  it('rejects scheduling in the past, negative, NaN or infinite delays', () => {
    const sim = new Simulator({ seed: 1 });
    sim.runUntil(100);
    expect(() => sim.at(99, () => {})).toThrow(RangeError);
    expect(() => sim.after(-1, () => {})).toThrow(RangeError);
    expect(() => sim.after(NaN, () => {})).toThrow(RangeError);
    expect(() => sim.after(Infinity, () => {})).toThrow(RangeError);
    expect(() => sim.runUntil(50)).toThrow(RangeError);
    expect(sim.at(100, () => {})).toBeGreaterThan(0);
  });

  it('cancel() prevents an event; cancelling twice or after it ran is a no-op', () => {
    const sim = new Simulator({ seed: 1 });
    const log: number[] = [];
    const a = sim.after(1, () => log.push(1));
    const b = sim.after(2, () => log.push(2));
    sim.cancel(a);
    sim.cancel(a);
    expect(sim.pendingEvents).toBe(1);
    sim.runUntilIdle();
    sim.cancel(b);
    expect(log).toEqual([2]);
    expect(sim.eventsProcessed).toBe(1);
  });

  it('runUntil(t) runs events due at or before t and leaves now() at t', () => {
    const sim = new Simulator({ seed: 1 });
    const log: number[] = [];
    for (const t of [1, 5, 5.5, 6]) sim.at(t, () => log.push(t));
    sim.runUntil(5.5);
    expect(log).toEqual([1, 5, 5.5]);
    expect(sim.now()).toBe(5.5);
    sim.runUntil(5.75);
    expect(sim.now()).toBe(5.75);
    expect(sim.pendingEvents).toBe(1);
  });

  it('runUntilIdle(max) throws a limit error when events keep coming', () => {
    const sim = new Simulator({ seed: 7 });
    const tick = (): void => void sim.after(1, tick);
    tick();
    expect(() => sim.runUntilIdle(100)).toThrow(SimulationLimitError);
    expect(sim.eventsProcessed).toBe(100);
    expect(sim.now()).toBe(100);
  });

  it('runWhile stops when the predicate turns false, at idle, or past the time limit', () => {
    const sim = new Simulator({ seed: 1 });
    let count = 0;
    for (let t = 1; t <= 10; t++) sim.at(t, () => count++);
    sim.runWhile(() => count < 3);
    expect([count, sim.now()]).toEqual([3, 3]);
    sim.runWhile(() => true, 6.5);
    expect([count, sim.now()]).toEqual([6, 6.5]);
    sim.runWhile(() => true, 100);
    expect([count, sim.now()]).toEqual([10, 100]);
    sim.runWhile(() => true);
    expect(sim.now()).toBe(100);
  });

  it('step() runs exactly one live event and returns false when idle', () => {
    const sim = new Simulator({ seed: 1 });
    const log: number[] = [];
    const a = sim.at(1, () => log.push(1));
    sim.at(2, () => log.push(2));
    sim.cancel(a);
    expect(sim.step()).toBe(true);
    expect(log).toEqual([2]);
    expect(sim.step()).toBe(false);
  });

  it('cancelTimersOf(owner) cancels that owner’s clock timers only', () => {
    const sim = new Simulator({ seed: 1 });
    const log: string[] = [];
    const a = sim.clock('a');
    const b = sim.clock('b');
    expect(sim.clock('a')).toBe(a);
    a.setTimer(1, () => log.push('a1'));
    a.setTimer(2, () => log.push('a2'));
    b.setTimer(1, () => log.push('b1'));
    sim.after(3, () => log.push('engine'));
    const kept = b.setTimer(4, () => log.push('b4'));
    b.cancelTimer(kept);
    expect(sim.cancelTimersOf('a')).toBe(2);
    expect(sim.cancelTimersOf('nobody')).toBe(0);
    a.setTimer(5, () => log.push(`a5@${a.now()}`)); // the owner may set new timers afterwards
    sim.runUntilIdle();
    expect(log).toEqual(['b1', 'engine', 'a5@5']);
  });

  it('rng(name) is one cached stream per name, reproducible from the seed', () => {
    const s1 = new Simulator({ seed: 42 });
    const s2 = new Simulator({ seed: '42' });
    const a1 = s1.rng('network');
    expect(s1.rng('network')).toBe(a1);
    expect(a1.bytes(16)).toEqual(s2.rng('network').bytes(16));
    expect(a1.uniform()).toBe(s2.rng('network').uniform());
    expect(new Simulator({ seed: 43 }).rng('network').bytes(16)).not.toEqual(new Simulator({ seed: 42 }).rng('network').bytes(16));
  });

  it('adding a stream for a new node does not change the other streams', () => {
    const draws = (extraNode: boolean): number[] => {
      const sim = new Simulator({ seed: 9 });
      const n1 = sim.rng('node/n1');
      if (extraNode) sim.rng('node/n99').bytes(1000);
      const n2 = sim.rng('node/n2');
      return [n1.uniform(), n2.uniform(), n1.uniform()];
    };
    expect(draws(true)).toEqual(draws(false));
    const sim = new Simulator({ seed: 9 });
    expect(sim.rng('node/n1').uniform()).not.toBe(sim.rng('node/n2').uniform());
  });

  it('wraps a handler exception with seed, virtual time and cause', () => {
    const sim = new Simulator({ seed: 'abc' });
    const boom = new TypeError('boom');
    sim.at(12.5, () => {
      throw boom;
    });
    let caught: unknown;
    try {
      sim.runUntil(20);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SimulationError);
    const err = caught as SimulationError;
    expect(err.cause).toBe(boom);
    expect(err.seed).toBe('abc');
    expect(err.timeMs).toBe(12.5);
    expect(err.message).toContain('boom');
    expect(err.message).toContain('--seed abc');
    expect(err.message).toContain('t=12.5 ms');
    // The simulator is usable afterwards (not stuck in "running").
    sim.at(13, () => {});
    expect(sim.step()).toBe(true);
  });

  it('maxEvents caps the whole run with an error naming the limit', () => {
    const sim = new Simulator({ seed: 1, maxEvents: 50 });
    const tick = (): void => void sim.after(1, tick);
    tick();
    expect(() => sim.runUntil(1000)).toThrow(/maxEvents limit \(50\)/);
    expect(sim.eventsProcessed).toBe(50);
  });

  it('refuses re-entrant runs from inside a handler', () => {
    const sim = new Simulator({ seed: 1 });
    sim.at(1, () => sim.runUntil(2));
    expect(() => sim.runUntilIdle()).toThrow(/inside an event handler/);
  });

  it('exposes the trace, disabled on request', () => {
    expect(new Simulator({ seed: 1 }).trace.enabled).toBe(true);
    expect(new Simulator({ seed: 1, trace: false }).trace.enabled).toBe(false);
  });
});
