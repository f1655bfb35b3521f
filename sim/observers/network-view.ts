/**
 * report.network (issue 13): a bounded, deterministic sample of the run's network for the dashboard's graph:
 * at most `nodes` nodes, the session links between them (at most `links`) and the most recent `circuits`.
 * No Rng: circuits' users and hops are taken first (so every circuit drawn is wholly in `nodes`), then malicious
 * nodes, entries, users and victims, then an even stride over the rest; each group strided if it does not fit.
 */
import type { NetworkView } from '../report/report.ts';
import type { NetworkFacts, NodeFact } from '../protocols/network-facts.ts';
import { strideSample } from '../metrics/stride-sample.ts';

export const NETWORK_VIEW_BOUNDS = { nodes: 100, links: 400, circuits: 10 };

/** Roles shown before the rest (after circuits and malicious nodes). */
const FIRST_ROLES = new Set(['entry', 'user', 'victim']);

export function networkView(facts: NetworkFacts, bounds = NETWORK_VIEW_BOUNDS): NetworkView {
  const known = new Set(facts.nodes.map((n) => n.id));
  const chosen = new Set<string>();
  const room = () => bounds.nodes - chosen.size;

  const circuits = [];
  for (const c of facts.circuits.slice(-bounds.circuits).reverse()) {
    const members = [c.user, ...c.hops];
    if (!members.every((id) => known.has(id))) continue;
    const fresh = new Set(members.filter((id) => !chosen.has(id)));
    if (fresh.size > room()) continue;
    for (const id of fresh) chosen.add(id);
    circuits.unshift({ id: c.id, user: c.user, hops: [...c.hops] });
  }
  const take = (group: readonly NodeFact[]) => {
    const fresh = group.filter((n) => !chosen.has(n.id));
    for (const n of strideSample(fresh, room())) chosen.add(n.id);
  };
  take(facts.nodes.filter((n) => n.malicious));
  take(facts.nodes.filter((n) => FIRST_ROLES.has(n.role)));
  take(facts.nodes);

  const nodes = facts.nodes.filter((n) => chosen.has(n.id)).map((n) => ({ id: n.id, role: n.role, malicious: n.malicious }));
  return { totalNodes: facts.nodes.length, nodes, links: strideSample(linksBetween(nodes, facts), bounds.links), circuits };
}

/** Each undirected session link between two sampled nodes, once, in node order. */
function linksBetween(nodes: readonly NodeFact[], facts: NetworkFacts): Array<{ source: string; target: string }> {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const seen = new Set<string>();
  const links: Array<{ source: string; target: string }> = [];
  for (const n of nodes) {
    for (const peer of facts.peersOf(n.id)) {
      const j = index.get(peer);
      if (j === undefined || peer === n.id) continue;
      const [source, target] = index.get(n.id)! < j ? [n.id, peer] : [peer, n.id];
      const key = `${source}>${target}`;
      if (seen.has(key)) continue;
      seen.add(key);
      links.push({ source, target });
    }
  }
  return links;
}
