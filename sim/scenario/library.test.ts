/**
 * The scenario library (issue 12, scenarios/README.md): every library file states the question it answers and the
 * result to expect, the new small scenarios (churn, nat-mix) produce the outcome their description states when run
 * (scaled down to a few seconds with overrides), and scale-10k (issue 14's run: hours, ~20 GB) loads without
 * being run. The nat-mix run guards the autoPunch wiring: without it no pair is ever punched (punched = 0).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { consistencyProblems } from './consistency.ts';
import { loadScenario, parseScenario, ScenarioError } from './load-scenario.ts';
import { runScenario } from './run-scenario.ts';
import type { Scenario } from './schema.ts';

const LIBRARY = [
  'baseline.json',
  'eve-no-noise.json',
  'eve-constant-noise.json',
  'eve-poisson-noise.json',
  'size-correlation-without-padding.json',
  'eclipse-single-entry.json',
  'eclipse-multi-entry.json',
  'eclipse-cross-checked.json',
  'eclipse-integrated-colluders.json',
  'eclipse-table.json',
  'offline-delivery.json',
  'churn.yaml',
  'nat-mix.yaml',
  'scale-10k.json',
];

/** A committed scenario with some sections replaced (the test-sized variant of a library file). */
function scaled(file: string, over: Record<string, unknown>): Scenario {
  const base = loadScenario(`scenarios/${file}`);
  return parseScenario({ ...base, ...over, dht: { ...base.dht, ...(over.dht as object) } }, file);
}

type NatTotals = { connects: number; autoPunches: number; punchesSkipped: number; outcomes: { punched: number; relayed: number }; failures: Record<string, number> };

describe('scenario library', () => {
  it('every library file says the question it answers and what to expect, and the README lists it', () => {
    const readme = readFileSync('scenarios/README.md', 'utf8');
    for (const f of LIBRARY) {
      const { description } = loadScenario(`scenarios/${f}`);
      expect(description, f).toMatch(/^Question: [^?]+\?/);
      expect(description, f).toMatch(/Expect|Seed 1:|seed 1:/);
      expect(readme, f).toContain(`\`${f}\``);
    }
  });

  it('scale-10k (issue 14) loads as 10,000 messenger nodes, 10 simulated minutes, 100 conversations, Poisson cover of about 1 dummy per node per second', () => {
    const s = loadScenario('scenarios/scale-10k.json');
    expect([s.nodes, s.durationS, s.protocol, s.conversations.count]).toEqual([10_000, 600, 'messenger', 100]);
    // 'constant-node' at 1/s starved the stack (no join completed at 500 nodes); per-link Poisson at 0.025/s on the ~40 links a node uses.
    expect([s.noise.policy, s.noise.ratePerS]).toEqual(['poisson', 0.025]);
    expect(consistencyProblems(s)).toEqual([]);
  });

  it('nat.autoPunch is off unless written (existing scenarios resolve as before) and refused under protocol ping', () => {
    expect(loadScenario('scenarios/ping-churn-nat.json').nat).toEqual({ none: 0.4, fullCone: 0.2, restricted: 0.3, symmetric: 0.1 });
    expect(() => parseScenario({ nodes: 10, durationS: 5, nat: { none: 1, autoPunch: true } }, 'p.json')).toThrow(ScenarioError);
    expect(() => parseScenario({ nodes: 10, durationS: 5, nat: { none: 1, autoPunch: true } }, 'p.json')).toThrow(/nat\.autoPunch: only applies to protocol "dht" or "messenger"/);
    expect(() => parseScenario({ nodes: 10, durationS: 5, nat: { autoPunch: true } }, 'p.json')).toThrow(/nat: needs at least one NAT type with a weight > 0/);
  });

  it('nat-mix (scaled to 40 nodes): pairs get punched, the unpunchable ones are reported, lookups mostly succeed', () => {
    const r = runScenario(
      scaled('nat-mix.yaml', {
        nodes: 40,
        durationS: 35,
        dht: { entryNodes: 4, joinSpreadS: 10, lookupsPerNodePerMin: 6, drainS: 10 },
      }),
    );
    const nat = r.protocol.nat as { autoPunch: boolean; totals: NatTotals };
    expect(nat.autoPunch).toBe(true);
    expect(nat.totals.autoPunches).toBeGreaterThan(0);
    expect(nat.totals.outcomes.punched).toBeGreaterThan(0);
    // Both NATs mapping per destination: relayed through the rendezvous, or failed as unpunchable.
    expect(nat.totals.outcomes.relayed + (nat.totals.failures.unpunchable ?? 0)).toBeGreaterThan(0);
    expect(r.traffic.deliveryRatio).toBeGreaterThanOrEqual(0.7);
  });

  it('churn (scaled to 40 nodes, 50 s): lookup success above its floor, records survive, every lookup accounted for', () => {
    // Seeds 1-3 of this variant: 0.95 / 0.93 / 0.96; the floor leaves room for a changed trace.
    const r = runScenario(
      scaled('churn.yaml', {
        nodes: 40,
        durationS: 50,
        dht: { entryNodes: 4, joinSpreadS: 10, lookupsPerNodePerMin: 6, stores: 3, storeLossAtS: 30, nonExistentLookups: 0, drainS: 10 },
      }),
    );
    const dht = r.protocol.dht as { rejoins: number; survivalRatio: number | null };
    expect(dht.rejoins).toBeGreaterThan(5);
    expect(dht.survivalRatio).toBeGreaterThanOrEqual(2 / 3);
    expect(r.traffic.messagesSent).toBeGreaterThan(20);
    expect(r.traffic.deliveryRatio).toBeGreaterThanOrEqual(0.85);
    const o = r.traffic.outcomes!;
    expect(o.delivered + o.deliveredOffline + Object.values(o.failed).reduce((a, b) => a + b, 0) + o.pending).toBe(r.traffic.messagesSent);
  });
});
