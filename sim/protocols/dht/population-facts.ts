/** NetworkFacts (the report's `network` view) of a DhtPopulation: its nodes as they are at the end, plus extra nodes. */
import type { ParatoxNode } from '../../../protocol/node/paratox-node.ts';
import { sessionHosts, type CircuitFact, type NetworkFacts } from '../network-facts.ts';
import type { DhtPopulation } from './population.ts';

/** A node outside the population (an eclipse colluder or victim), with its node once it exists. */
export interface ExtraNode {
  id: string;
  role: string;
  node: ParatoxNode | undefined;
}

export interface PopulationFactsInit {
  /** Role of population node i when not the population's own ('entry' / 'peer'), e.g. 'user'. */
  role?: (index: number) => string | undefined;
  malicious: readonly string[];
  extra?: readonly ExtraNode[];
  circuits?: readonly CircuitFact[];
}

export function populationFacts(population: DhtPopulation, names: readonly string[], init: PopulationFactsInit): NetworkFacts {
  const malicious = new Set(init.malicious);
  const nodeOf = new Map<string, () => ParatoxNode | undefined>(names.map((name, i) => [name, () => population.node(i)]));
  for (const e of init.extra ?? []) nodeOf.set(e.id, () => e.node);
  const nodes = [
    ...names.map((id, i) => ({ id, role: init.role?.(i) ?? population.role(i), malicious: malicious.has(id) })),
    ...(init.extra ?? []).map((e) => ({ id: e.id, role: e.role, malicious: malicious.has(e.id) })),
  ];
  return { nodes, peersOf: (id) => sessionHosts(nodeOf.get(id)?.()), circuits: init.circuits ?? [] };
}
