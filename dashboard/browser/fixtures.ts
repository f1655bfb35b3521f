/**
 * Real reports for the browser tests (and the scale script): tiny scenarios run through runScenario, a tiny
 * 2-point x 2-seed sweep through runSweep, and, while the report-views extensions (common.md "Report
 * extensions": traffic.series, traffic.latencyCdf, attacks.eclipse.perVictim, network) are not merged, a
 * small synthetic extension block of the agreed shapes added to a report that lacks it, so those panels are
 * exercised. Fields a report already has are never overwritten.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario, parseScenario } from '../../sim/scenario/load-scenario.ts';
import { runScenario } from '../../sim/scenario/run-scenario.ts';
import type { Report } from '../../sim/report/report.ts';
import type { Scenario } from '../../sim/scenario/schema.ts';
import { loadSweepPlan } from '../../sim/sweep/plan.ts';
import { runSweep } from '../../sim/sweep/run-sweep.ts';
import { runTune } from '../../sim/tune/run-tune.ts';

const SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** messenger-noise-tiny shrunk to ~1 s: 10 nodes, 3 conversations over 26 s, Poisson noise, Eve on. */
export function tinyMessenger(): Scenario {
  const raw = JSON.parse(JSON.stringify(loadScenario(join(SCENARIOS, 'sweeps/messenger-noise-tiny.json'))));
  Object.assign(raw, { name: 'messenger-tiny', nodes: 10, durationS: 26 });
  Object.assign(raw.conversations, { count: 3, startS: 6, drainS: 6, messagesPerMin: 12 });
  Object.assign(raw.dht, { joinSpreadS: 3, entryNodes: 3 });
  return parseScenario(raw);
}

/** eclipse-table shrunk to ~3.5 s: 14 nodes, 1 malicious entry of 4, 3 colluders, 5 victims, no defence. */
export function tinyEclipse(): Scenario {
  const raw = JSON.parse(JSON.stringify(loadScenario(join(SCENARIOS, 'eclipse-table.json'))));
  Object.assign(raw, { name: 'eclipse-tiny', nodes: 14, durationS: 16 });
  Object.assign(raw.dht, { entryNodes: 4, joinSpreadS: 4 });
  Object.assign(raw.eclipse, { maliciousEntries: 1, colluders: 3, victims: 5, victimJoinSpreadS: 3, victimLookups: 2, onlineSample: 4, defence: 'none' });
  return parseScenario(raw);
}

export const tinyPing = (): Scenario => parseScenario({ name: 'ping-tiny', nodes: 12, durationS: 3, ping: { intervalMs: 200, peersPerNode: 3 } });

type Json = Record<string, any>;

/** The agreed extension shapes, filled from the report's own figures where it has them. */
export function withSyntheticExtensions(report: Report, nodeCount = Math.min(report.sim.nodes, 40)): Json {
  const r = JSON.parse(JSON.stringify(report)) as Json;
  const buckets = 24;
  const durationMs = report.sim.simulatedSeconds * 1000;
  const bucketMs = Math.ceil(durationMs / buckets);
  const share = (total: number, i: number) => Math.round((total / buckets) * (0.6 + 0.8 * ((i * 7) % buckets) / buckets));
  r.traffic.series ??= {
    bucketMs,
    t: Array.from({ length: buckets }, (_, i) => i * bucketMs),
    realPackets: Array.from({ length: buckets }, (_, i) => share(report.traffic.wirePackets - report.traffic.noisePackets, i)),
    noisePackets: Array.from({ length: buckets }, (_, i) => share(report.traffic.noisePackets, i)),
    realBytes: Array.from({ length: buckets }, (_, i) => share(report.traffic.wireBytes * 0.6, i)),
    noiseBytes: Array.from({ length: buckets }, (_, i) => share(report.traffic.wireBytes * 0.4, i)),
    messagesSent: Array.from({ length: buckets }, (_, i) => share(report.traffic.messagesSent, i)),
    messagesDelivered: Array.from({ length: buckets }, (_, i) => share(report.traffic.messagesDelivered, i)),
  };
  const p50 = report.traffic.latencyMs.p50;
  // The agreed shape: null when the run measured no latencies.
  if (r.traffic.latencyCdf === undefined) {
    r.traffic.latencyCdf = p50 === null ? null : { ms: Array.from({ length: 21 }, (_, i) => Math.round(p50 * 0.2 * i)), fraction: Array.from({ length: 21 }, (_, i) => Math.min(1, 1 - Math.exp(-i / 5))) };
  }
  if (r.attacks.eclipse && !r.attacks.eclipse.perVictim) {
    r.attacks.eclipse.perVictim = Array.from({ length: r.attacks.eclipse.victims }, (_, i) => ({ maliciousTableShare: (i * 37 % 100) / 100, maliciousEntriesKnown: i % 3, joined: true, lookupSuccess: i % 2 ? 1 : 0.5 }));
  }
  if (!r.network) {
    const nodes = Array.from({ length: nodeCount }, (_, i) => ({ id: `n${i}`, role: i < 3 ? 'entry' : 'relay', malicious: i % 7 === 3 }));
    const links = nodes.flatMap((n, i) => [1, 3, 7].map((d) => ({ source: n.id, target: nodes[(i + d) % nodeCount].id }))).slice(0, 400);
    r.network = { totalNodes: report.sim.nodes, nodes, links, circuits: [{ id: 'c1', user: 'n5', hops: ['n2', 'n10', 'n3'] }, { id: 'c2', user: 'n6', hops: ['n1', 'n4'] }] };
  }
  return r;
}

export function writeReport(reportsDir: string, rel: string, report: unknown): string {
  const file = join(reportsDir, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, typeof report === 'string' ? report : `${JSON.stringify(report)}\n`);
  return file;
}

/** A 2-point (noise.ratePerS 0.5 / 2) x 2-seed sweep of tinyMessenger into <reportsDir>/sweeps/tiny-noise/. */
export async function tinySweep(reportsDir: string, workDir: string): Promise<void> {
  const scenarioFile = join(workDir, 'messenger-tiny.json');
  writeFileSync(scenarioFile, JSON.stringify(tinyMessenger()));
  const sweepFile = join(workDir, 'tiny-noise.json');
  writeFileSync(sweepFile, JSON.stringify({ name: 'tiny-noise', scenario: 'messenger-tiny.json', seeds: [1, 2], grid: { 'noise.ratePerS': [0.5, 2] } }));
  const outcome = await runSweep(loadSweepPlan(sweepFile), { outDir: join(reportsDir, 'sweeps', 'tiny-noise'), workers: 2 });
  if (outcome.failures.length > 0 || !outcome.summary) throw new Error(`tiny sweep failed: ${outcome.failures.map((f) => f.message).join('; ')}`);
}

/** A real `paratox tune` over the same tiny messenger: 3 noise rates x 1 seed on the full grid (3 runs). */
export async function tinyTune(reportsDir: string, workDir: string): Promise<void> {
  const scenarioFile = join(workDir, 'messenger-tiny.json');
  writeFileSync(scenarioFile, JSON.stringify(tinyMessenger()));
  const tuneFile = join(workDir, 'tiny-tune.json');
  const spec = {
    name: 'tiny-tune',
    scenario: 'messenger-tiny.json',
    seeds: [1],
    space: { 'noise.ratePerS': [0.5, 1, 2] },
    targets: [{ metric: 'traffic.deliveryRatio', min: 0.5 }],
    search: { method: 'grid', minSeeds: 1 },
  };
  writeFileSync(tuneFile, JSON.stringify(spec));
  await runTune(tuneFile, { outDir: join(reportsDir, 'tune', 'tiny-tune'), workers: 2 });
}

export { runScenario };
