/**
 * The messenger baseline end to end (scenarios/baseline.json: 500 nodes, 100 conversations, churn): wall time,
 * peak RSS and RSS per node. Runs in a child process so peak RSS is this scenario's alone, not the bench
 * runner's. BENCH_MESSENGER_SCENARIO picks another scenario file (e.g. messenger-small.json for a quick check).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export async function run(): Promise<Record<string, unknown>> {
  const scenario = process.env.BENCH_MESSENGER_SCENARIO ?? 'scenarios/baseline.json';
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'paratox-bench-')), 'report.json');
  const loadBefore = os.loadavg()[0];
  execFileSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'run', scenario, '--out', out, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const r = JSON.parse(readFileSync(out, 'utf8'));
  return {
    scenario,
    nodes: r.sim.nodes,
    simulatedSeconds: r.sim.simulatedSeconds,
    wallSeconds: r.sim.wallSeconds,
    peakRssBytes: r.sim.peakRssBytes,
    peakRssBytesPerNode: Math.round(r.sim.peakRssBytes / r.sim.nodes),
    events: r.sim.events,
    messagesSent: r.traffic.messagesSent,
    deliveryRatio: r.traffic.deliveryRatio,
    latencyMs: r.traffic.latencyMs,
    loadAverage1mBefore: loadBefore,
    loadAverage1mAfter: os.loadavg()[0],
  };
}
