/**
 * Engine and network micro-benchmarks: raw event throughput with trivial handlers, schedule+cancel throughput
 * (the retransmit-timer pattern), and datagrams/s through SimNetwork with 1,000 public nodes.
 * Run alone: npx tsx bench/engine.ts
 */
import os from 'node:os';
import { SeededRng } from '../protocol/runtime/seeded-rng.ts';
import { Simulator } from '../sim/engine/simulator.ts';
import { SimNetwork } from '../sim/network/sim-network.ts';

const DELAY_TABLE_SIZE = 1 << 16;

/** Precomputed exponential delays, so the benchmark measures the engine rather than the PRNG. */
function delayTable(meanMs: number): Float64Array {
  const rng = new SeededRng('bench/engine');
  const t = new Float64Array(DELAY_TABLE_SIZE);
  for (let i = 0; i < t.length; i++) t[i] = rng.exponential(meanMs);
  return t;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** `pool` self-rescheduling events with random delays until `total` events ran. Returns events/s. */
function engineEvents(total: number, pool = 1000): { eventsPerS: number; events: number; wallS: number } {
  const sim = new Simulator({ seed: 1, trace: false });
  const delays = delayTable(10);
  const mask = DELAY_TABLE_SIZE - 1;
  let remaining = total - pool;
  let k = 0;
  const tick = (): void => {
    if (remaining > 0) {
      remaining--;
      sim.after(delays[k++ & mask], tick);
    }
  };
  for (let i = 0; i < pool; i++) sim.after(delays[k++ & mask], tick);
  const start = process.hrtime.bigint();
  sim.runUntilIdle();
  const wallS = seconds(start);
  return { eventsPerS: Math.round(sim.eventsProcessed / wallS), events: sim.eventsProcessed, wallS };
}

/** Schedule a timer and cancel it, `total` times, over a background of `pool` pending events. */
function scheduleCancel(total: number, pool = 1000): { pairsPerS: number; wallS: number } {
  const sim = new Simulator({ seed: 1, trace: false });
  const clock = sim.clock('n0');
  const delays = delayTable(1000);
  const mask = DELAY_TABLE_SIZE - 1;
  const noop = (): void => {};
  for (let i = 0; i < pool; i++) sim.after(delays[i & mask], noop);
  const start = process.hrtime.bigint();
  for (let i = 0; i < total; i++) clock.cancelTimer(clock.setTimer(delays[i & mask], noop));
  const wallS = seconds(start);
  if (sim.pendingEvents !== pool) throw new Error('scheduleCancel: pending count drifted');
  return { pairsPerS: Math.round(total / wallS), wallS };
}

/**
 * 1,000 public nodes; each delivery triggers one new 200-byte datagram to a random node until `total` were
 * sent, keeping `inFlight` datagrams on the links.
 */
interface NetworkFigures {
  datagramsPerS: number;
  eventsPerS: number;
  wallS: number;
  traceHash: string;
}

function networkDatagrams(total: number, trace: boolean, inFlight = 1000): NetworkFigures {
  const sim = new Simulator({ seed: 1, trace });
  const net = new SimNetwork(sim, { latency: { meanMs: 40, jitterMs: 10, distribution: 'normal' } });
  const nodes = 1000;
  const names = Array.from({ length: nodes }, (_, i) => `n${i}`);
  const transports = names.map((n) => net.addNode(n));
  const pick = new SeededRng('bench/targets');
  const targets = Int32Array.from({ length: DELAY_TABLE_SIZE }, () => pick.int(nodes));
  const mask = DELAY_TABLE_SIZE - 1;
  const payload = new Uint8Array(200);
  let sent = 0;
  let k = 0;
  const sendNext = (from: number): void => {
    if (sent >= total) return;
    sent++;
    transports[from].send(names[targets[k++ & mask]], payload);
  };
  transports.forEach((t, i) => t.onReceive(() => sendNext(i)));
  for (let i = 0; i < inFlight; i++) sendNext(i % nodes);
  const start = process.hrtime.bigint();
  sim.runUntilIdle();
  const wallS = seconds(start);
  if (net.stats.delivered !== total) throw new Error(`networkDatagrams: delivered ${net.stats.delivered} of ${total}`);
  return {
    datagramsPerS: Math.round(total / wallS),
    eventsPerS: Math.round(sim.eventsProcessed / wallS),
    wallS,
    traceHash: sim.trace.hash(),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  engineEvents(300_000); // warm-up: let the JIT settle on the hot paths
  const engine = engineEvents(5_000_000);
  scheduleCancel(200_000);
  const cancel = scheduleCancel(2_000_000);
  networkDatagrams(100_000, true);
  const netTraced = networkDatagrams(1_000_000, true);
  const netUntraced = networkDatagrams(1_000_000, false);
  return {
    engineEventsPerS: engine.eventsPerS,
    engineEvents: engine.events,
    engineWallS: round(engine.wallS),
    scheduleCancelPairsPerS: cancel.pairsPerS,
    networkDatagramsPerS: netTraced.datagramsPerS,
    networkDatagramsPerSNoTrace: netUntraced.datagramsPerS,
    networkEventsPerS: netTraced.eventsPerS,
    networkNodes: 1000,
    networkDatagrams: 1_000_000,
    networkTraceHash: netTraced.traceHash,
    machine: { cpus: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version },
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
