import type { Rng } from '../../protocol/runtime/rng.ts';
import type { Simulator } from '../engine/simulator.ts';
import type { Scenario } from './schema.ts';

export interface ChurnHooks {
  down(index: number): void;
  up(index: number): void;
}

/**
 * Alternates churning nodes between up and down with exponential holding times (scenario.churn). Each node's
 * schedule draws from its own stream, so the churn of node i does not depend on how many nodes there are.
 */
export function scheduleChurn(
  sim: Simulator,
  scenario: Scenario,
  hooks: ChurnHooks,
  /** Nodes the workloads keep up (entry nodes, conversation users); the selection draw is made either way. */
  mayChurn: (index: number) => boolean = () => true,
): { transitions: () => number } {
  let transitions = 0;
  const churn = scenario.churn;
  if (churn === null) return { transitions: () => 0 };
  const upMs = churn.meanUptimeS * 1000;
  const downMs = churn.meanDowntimeS * 1000;
  const select = sim.rng('churn/select');
  for (let i = 0; i < scenario.nodes; i++) {
    if (select.uniform() >= churn.fraction || !mayChurn(i)) continue;
    const rng: Rng = sim.rng(`churn/n${i}`);
    const goDown = () => {
      transitions++;
      hooks.down(i);
      sim.after(rng.exponential(downMs), goUp);
    };
    const goUp = () => {
      transitions++;
      hooks.up(i);
      sim.after(rng.exponential(upMs), goDown);
    };
    sim.after(rng.exponential(upMs), goDown);
  }
  return { transitions: () => transitions };
}
