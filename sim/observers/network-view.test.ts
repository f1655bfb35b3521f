/** report.network's sampler on made-up facts, with small caps (sim/observers/network-view.ts). */
import { describe, expect, it } from 'vitest';
import type { NetworkFacts } from '../protocols/network-facts.ts';
import { hostOf } from '../protocols/network-facts.ts';
import { strideSample } from '../metrics/stride-sample.ts';
import { networkView } from './network-view.ts';

/** 60 nodes: 3 entries, 4 users, every 10th malicious; each node has sessions with its 6 ring neighbours. */
function facts(): NetworkFacts {
  const ids = Array.from({ length: 60 }, (_, i) => `n${i}`);
  const nodes = ids.map((id, i) => ({ id, role: i < 3 ? 'entry' : i >= 50 && i < 54 ? 'user' : 'peer', malicious: i % 10 === 7 }));
  const circuits = Array.from({ length: 6 }, (_, c) => ({ id: `n50/c${c + 1}`, user: 'n50', hops: [`n${10 + c}`, `n${20 + c}`, `n${30 + c}`] }));
  return {
    nodes,
    peersOf: (id) => {
      const i = Number(id.slice(1));
      return [1, 2, 3, 57, 58, 59].map((d) => `n${(i + d) % 60}`);
    },
    circuits,
  };
}

describe('networkView', () => {
  const bounds = { nodes: 20, links: 15, circuits: 2 };

  it('respects every bound and keeps circuits, malicious nodes, entries and users first', () => {
    const v = networkView(facts(), bounds);
    expect(v.totalNodes).toBe(60);
    expect(v.nodes).toHaveLength(20);
    expect(v.links.length).toBeLessThanOrEqual(15);
    expect(v.circuits.map((c) => c.id)).toEqual(['n50/c5', 'n50/c6']); // the most recent two, oldest first
    const ids = new Set(v.nodes.map((n) => n.id));
    expect(ids.size).toBe(20);
    for (const c of v.circuits) for (const id of [c.user, ...c.hops]) expect(ids.has(id), id).toBe(true);
    for (const id of ['n7', 'n17', 'n27', 'n37', 'n47', 'n57', 'n0', 'n1', 'n2', 'n50', 'n51', 'n52', 'n53']) expect(ids.has(id), id).toBe(true);
    for (const l of v.links) {
      expect(ids.has(l.source) && ids.has(l.target)).toBe(true);
      expect(facts().peersOf(l.source)).toContain(l.target);
    }
    const keys = v.links.map((l) => [l.source, l.target].sort().join('-'));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('is deterministic and copies roles and flags from the facts', () => {
    const a = networkView(facts(), bounds);
    expect(networkView(facts(), bounds)).toEqual(a);
    expect(a.nodes.find((n) => n.id === 'n7')).toEqual({ id: 'n7', role: 'peer', malicious: true });
    expect(a.nodes.find((n) => n.id === 'n51')).toEqual({ id: 'n51', role: 'user', malicious: false });
  });

  it('leaves out a circuit whose nodes do not fit (never a circuit with hops outside `nodes`)', () => {
    const v = networkView(facts(), { nodes: 5, links: 10, circuits: 2 });
    expect(v.nodes).toHaveLength(5);
    expect(v.circuits.map((c) => c.id)).toEqual(['n50/c6']);
  });
});

describe('strideSample / hostOf', () => {
  it('strideSample spreads evenly and keeps order; hostOf drops a NAT port', () => {
    expect(strideSample([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4)).toEqual([0, 2, 5, 7]);
    expect(strideSample([1, 2], 5)).toEqual([1, 2]);
    expect(hostOf('n3:2')).toBe('n3');
    expect(hostOf('victim0')).toBe('victim0');
  });
});
