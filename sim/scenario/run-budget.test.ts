/**
 * The run budget (issue 11 item 11): a scenario whose rates make the simulator spin ends with one RunBudgetError
 * line naming the limit, instead of running for hours or filling the heap (ping.intervalMs 1e-300 ate 2.4 GB and
 * died with a stack trace; bounds now refuse that value, and the budget catches what bounds still allow).
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../engine/simulator.ts';
import { SimulationLimitError } from '../engine/errors.ts';
import { defaultMaxEvents, MIN_DEFAULT_MAX_EVENTS } from './limits.ts';
import { parseScenario, ScenarioError } from './load-scenario.ts';
import { budgetError, heapCheck, maxEventsOf, RunBudgetError } from './run-budget.ts';
import { runScenario } from './run-scenario.ts';

describe('run budget', () => {
  it('a run past limits.maxEvents stops with one line naming the limit and the simulated time', () => {
    const s = parseScenario({ name: 'storm', nodes: 50, durationS: 3600, ping: { intervalMs: 1 }, limits: { maxEvents: 20_000 } });
    let err: unknown;
    try {
      runScenario(s, { scenarioFile: 'storm.json' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RunBudgetError);
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as Error).message).toMatch(/^storm\.json: limits\.maxEvents: run stopped at t=\d+\.\d{3} s of 3600 s after 20000 events \(the scenario's limit\); a rate is far too high/);
    expect((err as Error).message).not.toMatch(/\n/);
  });

  it('the default budget scales with nodes x durationS and has a floor', () => {
    expect(maxEventsOf(parseScenario({ nodes: 10, durationS: 1 }))).toBe(MIN_DEFAULT_MAX_EVENTS);
    expect(maxEventsOf(parseScenario({ nodes: 1000, durationS: 600 }))).toBe(1000 * 600 * 2000);
    expect(maxEventsOf(parseScenario({ nodes: 10, durationS: 1, limits: { maxEvents: 5000 } }))).toBe(5000);
    expect(defaultMaxEvents(200_000, 2_592_000)).toBe(2_000_000_000);
  });

  it('the simulator asks its budget check every 65,536 events and stops on a reason', () => {
    let calls = 0;
    const sim = new Simulator({ seed: 1, budgetCheck: () => (++calls >= 2 ? 'heap 9 GiB' : undefined) });
    const tick = (): void => void sim.after(1, tick);
    tick();
    let err: unknown;
    try {
      sim.runUntil(1e9);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SimulationLimitError);
    expect((err as SimulationLimitError).kind).toBe('budget');
    expect(sim.eventsProcessed).toBe(2 * 65_536);
    const line = budgetError(err as SimulationLimitError, parseScenario({ nodes: 10, durationS: 5 }), 'big.json').message;
    expect(line).toMatch(/^big\.json: nodes: run stopped at t=131\.072 s of 5 s after 131072 events: heap 9 GiB; use fewer nodes/);
  });

  it('heapCheck gives a reason once the heap passes 85 % of the limit, none below', () => {
    expect(heapCheck(1)()).toMatch(/^heap \d+ MiB passed 85 % of this process's 0 MiB limit$/);
    expect(heapCheck(1e15)()).toBeUndefined();
  });
});
