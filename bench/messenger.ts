/**
 * The messenger baseline end to end (scenarios/baseline.json: 500 nodes, 100 conversations, churn): wall time,
 * peak RSS and RSS per node. Runs in a child process so peak RSS is this scenario's alone, not the bench
 * runner's. BENCH_MESSENGER_SCENARIO picks another scenario file (e.g. messenger-small.json for a quick check).
 */
import { runScenarioInChild } from './child-run.ts';

export async function run(): Promise<Record<string, unknown>> {
  const scenario = process.env.BENCH_MESSENGER_SCENARIO ?? 'scenarios/baseline.json';
  const ran = await runScenarioInChild(scenario);
  if (!ran.complete) throw new Error('bench messenger: a run without a wall budget came back partial'); // cannot happen
  const { report: r, loadAverage1mBefore, loadAverage1mAfter } = ran;
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
    loadAverage1mBefore,
    loadAverage1mAfter,
  };
}
