/**
 * DHT throughput in the simulator: lookups per wall-clock second (measurement phase only) and simulator events
 * per second, over a churn-free network of ParatoxNodes. Every new peer pair costs one real ECMQV handshake
 * (~6-8 ms of CPU here, most of the run: a node makes ~13 handshakes to join and ~5 per lookup of a random id),
 * so the run is sized to the bench budget (~20 s): 120 nodes by default. PARATOX_BENCH_DHT_NODES=500 gives the
 * ~500-node figure (about 90 s).
 *
 * Memory per DHT node (issue 14: <= 100 KiB each for 100,000 nodes): RSS and the live heap after a full GC, taken at
 * the last progress point (every node and session still alive) minus the same figures taken before the run.
 * PARATOX_BENCH_DHT_LOOKUPS_PER_MIN (default 8) lowers the lookup rate so that 1,000-2,000 nodes fit in ~2 min.
 * `at100kNodes` scales those per-node figures linearly to 100,000 nodes beside the machine's memory: an
 * extrapolation from this run's node count (sessions and table entries per node grow with log n), not a measurement.
 */
import { loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseScenario } from '../sim/scenario/load-scenario.ts';
import { runScenario } from '../sim/scenario/run-scenario.ts';

export async function run(): Promise<Record<string, unknown>> {
  const nodes = Number(process.env.PARATOX_BENCH_DHT_NODES ?? 120);
  const lookupsPerNodePerMin = Number(process.env.PARATOX_BENCH_DHT_LOOKUPS_PER_MIN ?? 8);
  const joinSpreadS = 8;
  const scenario = parseScenario({
    name: 'bench-dht',
    seed: 1,
    nodes,
    durationS: 30,
    protocol: 'dht',
    network: { latency: { meanMs: 40, jitterMs: 10 } },
    dht: { k: 8, alpha: 3, bootstrapRefreshes: 0, entryNodes: 8, joinSpreadS, lookupsPerNodePerMin, stores: 5, nonExistentLookups: 20, drainS: 10 },
  });
  // Wall clock when simulated time first reaches the measurement phase (the runner reports progress 100 times).
  let measureWallStart: number | undefined;
  const loadAverage1mBefore = loadavg()[0];
  const before = memoryAfterGc();
  let atEnd: { rssBytes: number; heapUsedBytes: number } | undefined;
  const report = runScenario(scenario, {
    onProgress: (p) => {
      if (measureWallStart === undefined && p.simulatedMs >= joinSpreadS * 1000) measureWallStart = performance.now();
      if (p.simulatedMs >= p.durationMs) atEnd = memoryAfterGc();
    },
  });
  const end = performance.now();
  const dht = report.protocol.dht as Record<string, unknown> & { sessions: Record<string, number> };
  const measureWallS = measureWallStart === undefined ? null : (end - measureWallStart) / 1000;
  const lookups = dht.lookups as number;
  const rssBytesPerNode = atEnd ? Math.round((atEnd.rssBytes - before.rssBytes) / nodes) : null;
  const liveHeapBytesPerNode = atEnd ? Math.round((atEnd.heapUsedBytes - before.heapUsedBytes) / nodes) : null;
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
    lookupsPerNodePerMin,
    // Grown since before the run, per node, with every node alive (the last progress point).
    rssBytesPerNode,
    liveHeapBytesPerNode,
    at100kNodes: extrapolate(nodes, rssBytesPerNode, liveHeapBytesPerNode),
    loadAverage1mBefore: Math.round(loadAverage1mBefore * 100) / 100,
    loadAverage1mAfter: Math.round(loadavg()[0] * 100) / 100,
    cryptoBackend: report.sim.cryptoBackend,
  };
}

/** The per-node figures times 100,000, in GiB, beside this machine's memory (issue 14's goal: <= 100 KiB per node). */
function extrapolate(nodes: number, rssPerNode: number | null, heapPerNode: number | null): Record<string, unknown> | null {
  if (rssPerNode === null || heapPerNode === null) return null;
  const gib = (bytes: number) => Math.round((bytes * 100_000) / 2 ** 30 * 10) / 10;
  return {
    note: `extrapolated linearly from ${nodes} nodes, not measured`,
    rssGiB: gib(rssPerNode),
    liveHeapGiB: gib(heapPerNode),
    goalGiB: gib(100 * 1024),
    machineGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
}

/** Full GC (through V8's own `gc`, exposed at run time so the bench needs no node flag), then RSS and heap used. */
function memoryAfterGc(): { rssBytes: number; heapUsedBytes: number } {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed };
}
