/**
 * The run budget (issue 11): every run has an event cap (scenario.limits.maxEvents, by default derived from
 * nodes x durationS) and a heap check, so a scenario whose rates make the simulator spin or fill memory ends
 * with one line naming the limit instead of running forever or dying of an out-of-memory crash. Such a run
 * writes no report (its figures would describe a runaway); the CLI prints the line and exits 2.
 */
import { getHeapStatistics } from 'node:v8';
import { SimulationLimitError } from '../engine/errors.ts';
import { simulatedNodes } from './consistency.ts';
import { defaultMaxEvents, HEAP_STOP_FRACTION } from './limits.ts';
import { ScenarioError } from './scenario-error.ts';
import type { Scenario } from './schema.ts';

/** A run stopped by its budget: a ScenarioError, because the scenario's own figures caused it. */
export class RunBudgetError extends ScenarioError {
  constructor(message: string) {
    super(message);
    this.name = 'RunBudgetError';
  }
}

export function maxEventsOf(scenario: Scenario): number {
  return scenario.limits.maxEvents ?? defaultMaxEvents(simulatedNodes(scenario), scenario.durationS);
}

const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MiB`;

/** The Simulator's budgetCheck: a reason once the JS heap passes HEAP_STOP_FRACTION of the process's limit. */
export function heapCheck(limitBytes = getHeapStatistics().heap_size_limit): () => string | undefined {
  const stopAt = limitBytes * HEAP_STOP_FRACTION;
  return () => {
    const used = getHeapStatistics().used_heap_size;
    return used > stopAt ? `heap ${mib(used)} passed ${HEAP_STOP_FRACTION * 100} % of this process's ${mib(limitBytes)} limit` : undefined;
  };
}

/** The one-line error for a run that hit its budget (`source`: the scenario file, or its name). */
export function budgetError(err: SimulationLimitError, scenario: Scenario, source: string): RunBudgetError {
  const at = `run stopped at t=${(err.timeMs / 1000).toFixed(3)} s of ${scenario.durationS} s`;
  if (err.kind === 'maxEvents') {
    const explicit = scenario.limits.maxEvents !== null;
    return new RunBudgetError(
      `${source}: limits.maxEvents: ${at} after ${err.limit} events (${explicit ? 'the scenario\'s limit' : 'default: nodes x durationS x 2000, at least 1e7'}); ` +
        'a rate is far too high for this many nodes (e.g. ping.intervalMs, churn, noise) - lower it, or raise limits.maxEvents if the run is meant to be this big',
    );
  }
  const reason = err.message.replace(/^Simulator: /, '').replace(/ \[seed .*$/, '');
  return new RunBudgetError(
    `${source}: nodes: ${at} after ${err.limit} events: ${reason}; use fewer nodes, lower rates or a shorter durationS (or raise the heap with NODE_OPTIONS=--max-old-space-size=MiB)`,
  );
}
