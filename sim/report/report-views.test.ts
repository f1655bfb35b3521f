/**
 * The report's views for the dashboard (issue 13), on real runs: traffic.series, traffic.latencyCdf,
 * attacks.eclipse.perVictim and network. Each test fails if its field were wrong (totals that do not add up,
 * a CDF that disagrees with latencyMs, per-victim rows that do not make victimHarm, ids the tap does not know).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario, parseScenario } from '../scenario/load-scenario.ts';
import { runScenario } from '../scenario/run-scenario.ts';
import { scenarioSchema, type ScenarioInput } from '../scenario/schema.ts';
import type { Report } from './report.ts';
import { NETWORK_VIEW_BOUNDS } from '../observers/network-view.ts';
import { MAX_SERIES_BUCKETS } from '../observers/traffic-series.ts';

const sum = (a: readonly number[]) => a.reduce((x, y) => x + y, 0);

/** Series totals equal the report's own traffic figures. */
function expectSeriesAddsUp(r: Report): void {
  const s = r.traffic.series!;
  expect(s.t.length).toBeLessThanOrEqual(MAX_SERIES_BUCKETS);
  for (const column of [s.realPackets, s.noisePackets, s.realBytes, s.noiseBytes, s.messagesSent, s.messagesDelivered]) expect(column).toHaveLength(s.t.length);
  expect(s.t.every((t, i) => t === i * s.bucketMs)).toBe(true);
  expect(s.t.length * s.bucketMs).toBeGreaterThanOrEqual(r.scenario.durationS * 1000);
  expect(sum(s.realPackets) + sum(s.noisePackets)).toBe(r.traffic.wirePackets);
  expect(sum(s.realBytes) + sum(s.noiseBytes)).toBe(r.traffic.wireBytes);
  expect(sum(s.noisePackets) + s.noiseNotOnWire).toBe(r.traffic.noisePackets);
  expect(sum(s.messagesSent)).toBe(r.traffic.messagesSent);
  expect(sum(s.messagesDelivered)).toBe(r.traffic.messagesDelivered);
}

/** Rows of a tap CSV (header skipped). */
function tapRows(file: string): Array<[string, string]> {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',') as [string, string, string, string])
    .map(([, source, target]) => [source, target]);
}

describe('report views of a messenger run with Poisson noise (messenger-noise-tiny)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paratox-views-'));
  const tapFile = join(dir, 'tap.csv');
  const r = runScenario(loadScenario('scenarios/sweeps/messenger-noise-tiny.json'), { tapFile });
  const rows = tapRows(tapFile);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('traffic.series adds up to the wire, noise and message totals, and every noise datagram reached the wire', () => {
    expectSeriesAddsUp(r);
    const s = r.traffic.series!;
    expect(s.bucketMs).toBe(1000);
    expect(s.t).toHaveLength(70);
    // Noise is told apart exactly: nothing lost before a link here (no uplink limit), and the shaper agrees on bytes.
    expect(s.noiseNotOnWire).toBe(0);
    expect(sum(s.noisePackets)).toBeGreaterThan(sum(s.realPackets) / 2);
    const shaper = (r.protocol.noise as { shaper: { noiseBytes: number } }).shaper;
    expect(sum(s.noiseBytes)).toBe(shaper.noiseBytes);
    // Conversations write from startS (15 s) on: no message in an earlier bucket.
    expect(sum(s.messagesSent.slice(0, 15))).toBe(0);
  });

  it('traffic.latencyCdf is ascending, ends at 0 and 1, and its 0.5 point is latencyMs.p50', () => {
    const cdf = r.traffic.latencyCdf!;
    expect(cdf.ms.length).toBeLessThanOrEqual(101);
    expect(cdf.fraction.length).toBe(cdf.ms.length);
    expect(cdf.fraction[0]).toBe(0);
    expect(cdf.fraction.at(-1)).toBe(1);
    for (let i = 1; i < cdf.ms.length; i++) expect(cdf.ms[i]).toBeGreaterThanOrEqual(cdf.ms[i - 1]);
    expect(cdf.ms[cdf.fraction.indexOf(0.5)]).toBe(r.traffic.latencyMs.p50);
    expect(cdf.ms[cdf.fraction.indexOf(0.95)]).toBe(r.traffic.latencyMs.p95);
  });

  it('network: ids are tap addresses, links carried datagrams, circuits start at a hop the user sent to', () => {
    const net = r.network!;
    const addresses = new Set(rows.flat());
    const pairs = new Set(rows.map(([s, t]) => `${s}>${t}`));
    expect(net.totalNodes).toBe(24);
    expect(net.nodes).toHaveLength(24);
    for (const n of net.nodes) expect(addresses.has(n.id), n.id).toBe(true);
    expect(net.nodes.filter((n) => n.role === 'user')).toHaveLength(6);
    expect(net.nodes.filter((n) => n.role === 'entry').map((n) => n.id)).toEqual(['n0', 'n1', 'n2']);
    expect(net.links.length).toBeGreaterThan(0);
    for (const l of net.links) expect(pairs.has(`${l.source}>${l.target}`) || pairs.has(`${l.target}>${l.source}`), `${l.source}-${l.target}`).toBe(true);
    expect(net.circuits.length).toBeGreaterThan(0);
    expect(net.circuits.length).toBeLessThanOrEqual(10);
    const ids = new Set(net.nodes.map((n) => n.id));
    for (const c of net.circuits) {
      expect(net.nodes.find((n) => n.id === c.user)?.role).toBe('user');
      for (const hop of c.hops) expect(ids.has(hop), hop).toBe(true);
      expect(c.hops).not.toContain(c.user);
      expect(pairs.has(`${c.user}>${c.hops[0]}`), `${c.id}: ${c.user} -> ${c.hops[0]}`).toBe(true);
    }
  });
});

describe('report views of a DHT run under an eclipse attack', () => {
  const r = runScenario(
    scenarioSchema.parse({
      name: 'views-eclipse',
      seed: 3,
      nodes: 30,
      durationS: 20,
      protocol: 'dht',
      trace: { enabled: false },
      dht: { k: 6, alpha: 3, bootstrapRefreshes: 1, entryNodes: 6, entriesPerNewcomer: 4, joinSpreadS: 6, lookupsPerNodePerMin: 20, stores: 0, nonExistentLookups: 0, drainS: 2 },
      eclipse: { maliciousEntries: 2, colluders: 8, victims: 12, victimJoinSpreadS: 4, victimLookups: 3, defence: 'multi-entry', publishFlawed: true, attacker: {} },
    } satisfies ScenarioInput),
  );

  it('attacks.eclipse.perVictim has one row per victim that makes victimHarm', () => {
    const e = r.attacks.eclipse!;
    const rows = e.perVictim!;
    expect(rows).toHaveLength(e.victims);
    expect(sum(rows.map((v) => v.maliciousTableShare)) / rows.length).toBeCloseTo(e.victimHarm.meanMaliciousTableShare!, 12);
    expect(rows.filter((v) => v.maliciousTableShare >= 0.5).length / rows.length).toBeCloseTo(e.victimHarm.majorityMaliciousShare!, 12);
    expect(rows.filter((v) => !v.joined)).toHaveLength(e.victimHarm.unfinishedJoins);
    // Every victim plans victimLookups (3) lookups, so the mean of the per-victim rates is the overall rate.
    expect(sum(rows.map((v) => v.lookupSuccess!)) / rows.length).toBeCloseTo(e.victimHarm.lookupSuccessRate!, 12);
    expect(rows.some((v) => v.maliciousEntriesKnown > 0)).toBe(true);
    // The per-victim rows stay out of report.protocol.eclipse (bounded report).
    expect((r.protocol.eclipse as Record<string, unknown>).perVictim).toBeUndefined();
  });

  it('traffic.series counts measured lookups as messages, sent at their start; network shows the attackers', () => {
    expectSeriesAddsUp(r);
    expect(r.traffic.messagesSent).toBeGreaterThan(0);
    // Lookups start when the warm-up (joinSpreadS, 6 s) ends.
    expect(sum(r.traffic.series!.messagesSent.slice(0, 6))).toBe(0);
    const net = r.network!;
    expect(net.totalNodes).toBe(30 + 8 + 12);
    const malicious = net.nodes.filter((n) => n.malicious);
    expect(malicious.filter((n) => n.role === 'entry')).toHaveLength(2);
    expect(malicious.filter((n) => n.role === 'colluder')).toHaveLength(8);
    expect(net.nodes.filter((n) => n.role === 'victim')).toHaveLength(12);
    expect(net.circuits).toEqual([]);
  });
});

describe('report views stay bounded on a bigger run', () => {
  it('a 400-node, 1000 s ping run: <= 240 buckets, <= 100 nodes, <= 400 links, and the JSON stays small', () => {
    const r = runScenario(parseScenario({ nodes: 400, durationS: 1000, trace: { enabled: false }, ping: { intervalMs: 60_000, peersPerNode: 6 } }));
    expectSeriesAddsUp(r);
    expect(r.traffic.series!.bucketMs).toBe(5000);
    expect(r.traffic.series!.t).toHaveLength(200);
    const net = r.network!;
    expect(net.totalNodes).toBe(400);
    expect(net.nodes).toHaveLength(NETWORK_VIEW_BOUNDS.nodes);
    expect(net.links.length).toBeGreaterThan(0);
    expect(net.links.length).toBeLessThanOrEqual(NETWORK_VIEW_BOUNDS.links);
    expect(r.traffic.latencyCdf!.ms).toHaveLength(101);
    // An even stride over the nodes: n0, n4, n8, ...
    expect(net.nodes.slice(0, 3).map((n) => n.id)).toEqual(['n0', 'n4', 'n8']);
    expect(JSON.stringify({ series: r.traffic.series, cdf: r.traffic.latencyCdf, network: r.network }).length).toBeLessThan(40_000);
  });
});
