/**
 * report.protocol.nat for dht and messenger runs: NAT traversal summed over every node built (protocol/nat
 * NatStats). With `nat.autoPunch` on, `connects` = outcomes.direct + punched + relayed + sum(failures) +
 * connectsActive: `punched` pairs got a direct path through their NATs, `relayed` could not be punched (both
 * NATs map per destination, or no punch got through) and went through the rendezvous instead, and
 * `failures.unpunchable` found neither. With it off every figure is 0 (nothing ever asks to punch).
 */
import type { ParatoxNode } from '../../protocol/node/paratox-node.ts';
import type { Scenario } from '../scenario/schema.ts';
import { sumCounters, type Counters } from './sum-counters.ts';

export interface NatFigures {
  autoPunch: boolean;
  /** Nodes (every generation) whose NAT service ever counted anything. */
  nodesWithTraversal: number;
  totals: Counters;
}

export function natFigures(scenario: Scenario, nodes: readonly ParatoxNode[]): NatFigures {
  const stats = nodes.map((n) => {
    const { mapping: _m, observedAddress: _o, routes: _r, ...counters } = n.nat.stats();
    return counters;
  });
  return {
    autoPunch: scenario.nat.autoPunch === true,
    nodesWithTraversal: stats.filter((s) => s.connects + s.punchRequestsServed + s.notifiesAccepted > 0).length,
    totals: sumCounters(stats),
  };
}
