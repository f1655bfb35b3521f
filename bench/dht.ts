/**
 * DHT throughput in the simulator: lookups per wall-clock second (measurement phase only) and simulator events
 * per second, over a churn-free network of ParatoxNodes. Every new peer pair costs one real ECMQV handshake
 * (~6-8 ms of CPU here, most of the run: a node makes ~13 handshakes to join and ~5 per lookup of a random id),
 * so the run is sized to the bench budget (~20 s): 120 nodes by default. PARATOX_BENCH_DHT_NODES=500 gives the
 * ~500-node figure (about 90 s).
 */
import { performance } from 'node:perf_hooks';
import { parseScenario } from '../sim/scenario/load-scenario.ts';
import { runScenario } from '../sim/scenario/run-scenario.ts';

export async function run(): Promise<Record<string, unknown>> {
  const nodes = Number(process.env.PARATOX_BENCH_DHT_NODES ?? 120);
  const joinSpreadS = 8;
  const scenario = parseScenario({
    name: 'bench-dht',
    seed: 1,
    nodes,
    durationS: 30,
    protocol: 'dht',
    network: { latency: { meanMs: 40, jitterMs: 10 } },
    dht: { k: 8, alpha: 3, bootstrapRefreshes: 0, entryNodes: 8, joinSpreadS, lookupsPerNodePerMin: 8, stores: 5, nonExistentLookups: 20, drainS: 10 },
  });
  // Wall clock when simulated time first reaches the measurement phase (the runner reports progress 100 times).
  let measureWallStart: number | undefined;
  const report = runScenario(scenario, {
    onProgress: (p) => {
      if (measureWallStart === undefined && p.simulatedMs >= joinSpreadS * 1000) measureWallStart = performance.now();
    },
  });
  const end = performance.now();
  const dht = report.protocol.dht as Record<string, unknown> & { sessions: Record<string, number> };
  const measureWallS = measureWallStart === undefined ? null : (end - measureWallStart) / 1000;
  const lookups = dht.lookups as number;
  return {
    nodes,
    simulatedSeconds: report.sim.simulatedSeconds,
    wallSeconds: report.sim.wallSeconds,
    events: report.sim.events,
    eventsPerWallSecond: report.sim.eventsPerWallSecond,
    lookups,
    lookupsPerWallSecond: measureWallS ? Math.round(lookups / measureWallS) : null,
    lookupSuccessRatio: dht.lookupSuccessRatio,
    meanHops: dht.meanHops,
    handshakes: dht.sessions.handshakesStarted,
    wallMsPerHandshake: Math.round((report.sim.wallSeconds * 1000 * 100) / Math.max(1, dht.sessions.handshakesStarted)) / 100,
    peakRssBytes: report.sim.peakRssBytes,
    cryptoBackend: report.sim.cryptoBackend,
  };
}
