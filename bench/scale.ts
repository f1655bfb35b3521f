/**
 * The scale scenario (scenarios/scale-10k.json: DHT + circuits + 100 conversations + 1/s noise per node, real
 * crypto) at several node counts, each in its own child process so peak RSS is that run's alone: wall time,
 * peak RSS, datagrams per wall second, link handshakes, and how cost grows with the node count.
 *
 * A full 10,000-node run takes far longer than a bench should (issue 14), so by default the bench measures smaller
 * networks and fits cost = fixed + perNode · nodes to extrapolate 10k and 30k (see growth); the output marks every
 * extrapolated figure as such. Knobs:
 *   PARATOX_BENCH_SCALE_NODES      comma list of node counts (default 250,500: ~5 and ~15 min; 10000 runs the real thing, for hours)
 *   PARATOX_BENCH_SCALE_DURATION_S simulated seconds (default the scenario's 600; conversations keep their times)
 *   PARATOX_BENCH_SCALE_MAX_WALL_S wall budget per node count (default none): a run past it is stopped and recorded in
 *                                  `partial` with how far it got (share of simulated time, wall, CPU, peak RSS), so a
 *                                  10,000-node point that would take hours still leaves measured figures; partial
 *                                  points never enter the fit
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runScenarioInChild, type PartialRun } from './child-run.ts';
import { packetVsRawGcm } from './packet.ts';

const SCENARIO = 'scenarios/scale-10k.json';

export interface ScalePoint {
  nodes: number;
  simulatedSeconds: number;
  wallSeconds: number;
  /** CPU seconds of the run (report sim.cpuSeconds): unlike wall time, not inflated by other load on the cores. */
  cpuSeconds: number | null;
  peakRssBytes: number;
  peakRssBytesPerNode: number;
  events: number;
  datagrams: number;
  datagramsPerWallSecond: number;
  /** Wall time per datagram over the raw node:crypto AES-256-GCM seal + open of 1232 bytes (same process, same load). */
  wallPerDatagramOverRawGcm: number;
  linkHandshakes: number;
  linkHandshakesPerNode: number;
  deliveryRatio: number | null;
  traceHash: string | null;
  loadAverage1mBefore: number;
  loadAverage1mAfter: number;
}

/** A node count whose run the wall budget stopped: what it reached, measured, not extrapolated. */
export interface PartialScalePoint extends PartialRun {
  nodes: number;
  durationSeconds: number;
  maxWallSeconds: number;
  loadAverage1mBefore: number;
  loadAverage1mAfter: number;
}

export async function run(): Promise<Record<string, unknown>> {
  const counts = parseCounts(process.env.PARATOX_BENCH_SCALE_NODES ?? '250,500');
  const durationS = process.env.PARATOX_BENCH_SCALE_DURATION_S === undefined ? undefined : Number(process.env.PARATOX_BENCH_SCALE_DURATION_S);
  if (durationS !== undefined && !(durationS > 0)) throw new Error(`PARATOX_BENCH_SCALE_DURATION_S must be a positive number of seconds`);
  const maxWallS = process.env.PARATOX_BENCH_SCALE_MAX_WALL_S === undefined ? undefined : Number(process.env.PARATOX_BENCH_SCALE_MAX_WALL_S);
  if (maxWallS !== undefined && !(maxWallS > 0)) throw new Error(`PARATOX_BENCH_SCALE_MAX_WALL_S must be a positive number of seconds`);
  const raw = packetVsRawGcm() as { rawSealUs: number; rawOpenUs: number };
  const rawUs = raw.rawSealUs + raw.rawOpenUs;
  const points: ScalePoint[] = [];
  const partial: PartialScalePoint[] = [];
  for (const nodes of counts) {
    process.stderr.write(`bench scale: ${nodes} nodes${maxWallS === undefined ? '' : ` (at most ${maxWallS} s)`} ...\n`);
    const point = await runPoint(nodes, durationS, rawUs, maxWallS);
    if ('complete' in point) partial.push(point.partial);
    else points.push(point);
  }
  return {
    scenario: SCENARIO,
    rawGcmSealOpenUs: rawUs,
    points,
    ...(partial.length > 0 && { partial }),
    growth: growth(points),
  };
}

function parseCounts(text: string): number[] {
  // The scenario needs its entry nodes plus two users per conversation on top (its loader refuses fewer).
  const base = JSON.parse(readFileSync(SCENARIO, 'utf8'));
  const least = base.dht.entryNodes + 2 * base.conversations.count;
  const counts = text.split(',').map((s) => Number(s.trim()));
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < least)) {
    throw new Error(`PARATOX_BENCH_SCALE_NODES must list node counts >= ${least} (${SCENARIO}'s ${base.dht.entryNodes} entries + 2 users per conversation), got "${text}"`);
  }
  return counts;
}

async function runPoint(
  nodes: number,
  durationS: number | undefined,
  rawUs: number,
  maxWallS: number | undefined,
): Promise<ScalePoint | { complete: false; partial: PartialScalePoint }> {
  const base = JSON.parse(readFileSync(SCENARIO, 'utf8'));
  const scenario = { ...base, name: `scale-${nodes}`, nodes, durationS: durationS ?? base.durationS };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'paratox-bench-scale-'));
  const file = path.join(dir, `scale-${nodes}.json`);
  writeFileSync(file, JSON.stringify(scenario));
  const ran = await runScenarioInChild(file, { progress: true, maxWallS });
  const { loadAverage1mBefore, loadAverage1mAfter } = ran;
  if (!ran.complete) {
    const p = ran.partial;
    return { complete: false, partial: { nodes, durationSeconds: scenario.durationS, maxWallSeconds: maxWallS!, ...p, loadAverage1mBefore, loadAverage1mAfter } };
  }
  const r = ran.report;
  const handshakes = (r.protocol.sessions as { handshakesStarted?: number } | undefined)?.handshakesStarted ?? 0;
  const datagrams = r.traffic.wirePackets;
  return {
    nodes,
    simulatedSeconds: r.sim.simulatedSeconds,
    wallSeconds: r.sim.wallSeconds,
    cpuSeconds: r.sim.cpuSeconds ?? null,
    peakRssBytes: r.sim.peakRssBytes,
    peakRssBytesPerNode: Math.round(r.sim.peakRssBytes / nodes),
    events: r.sim.events,
    datagrams,
    datagramsPerWallSecond: Math.round(datagrams / r.sim.wallSeconds),
    wallPerDatagramOverRawGcm: round2((r.sim.wallSeconds * 1e6) / datagrams / rawUs),
    linkHandshakes: handshakes,
    linkHandshakesPerNode: round2(handshakes / nodes),
    deliveryRatio: r.traffic.deliveryRatio,
    traceHash: r.traceHash,
    loadAverage1mBefore,
    loadAverage1mAfter,
  };
}

/**
 * Extrapolation to 10k and 30k by a straight line, cost = fixed + perNode · nodes (least squares): the scenario has
 * a fixed workload (200 users, 100 conversations, 32 entries) beside the per-node costs (joins, links, cover),
 * which dominate at scale, so a power law fitted on small networks would flatten and understate them (250 -> 500
 * nodes grew as nodes^0.48). The power exponent is kept as a figure of its own: 1 is linear growth.
 */
function growth(points: readonly ScalePoint[]): Record<string, unknown> {
  if (points.length < 2 || new Set(points.map((p) => p.nodes)).size < 2) return { note: 'growth needs at least two different node counts' };
  const wall = lineFit(points.map((p) => [p.nodes, p.wallSeconds]));
  const cpuPoints = points.filter((p) => p.cpuSeconds !== null);
  const cpu = cpuPoints.length === points.length ? lineFit(cpuPoints.map((p) => [p.nodes, p.cpuSeconds!])) : null;
  const rss = lineFit(points.map((p) => [p.nodes, p.peakRssBytes]));
  const warnings = slopeWarnings({ wall, cpu, rss });
  const at = (n: number) => ({
    nodes: n,
    extrapolated: !points.some((p) => p.nodes === n),
    wallSeconds: Math.round(wall.fixed + wall.perNode * n),
    ...(cpu && { cpuSeconds: Math.round(cpu.fixed + cpu.perNode * n) }),
    peakRssBytes: Math.round(rss.fixed + rss.perNode * n),
  });
  return {
    wallSecondsFixed: round2(wall.fixed),
    wallSecondsPerNode: round2(wall.perNode),
    ...(cpu && { cpuSecondsFixed: round2(cpu.fixed), cpuSecondsPerNode: round2(cpu.perNode) }),
    rssBytesFixed: Math.round(rss.fixed),
    rssBytesPerNode: Math.round(rss.perNode),
    wallExponent: round2(powerFit(points.map((p) => [p.nodes, p.wallSeconds])).b),
    // A line that falls with the node count says the points were too close or too noisy, not that 10k is cheap.
    table: warnings.length > 0 ? null : [1_000, 3_000, 10_000, 30_000].map(at),
    ...(warnings.length > 0 && { warnings }),
    note: `fixed + perNode x nodes fitted on ${points.map((p) => p.nodes).join(', ')} nodes`,
  };
}

/** One line per fitted cost whose per-node slope is not positive (no extrapolation is made then). */
export function slopeWarnings(fits: Record<string, { perNode: number } | null>): string[] {
  return Object.entries(fits)
    .filter(([, f]) => f !== null && !(f.perNode > 0))
    .map(([name, f]) => `${name} per node fitted as ${f!.perNode.toPrecision(3)} (<= 0): node counts too close or the machine too loaded; no extrapolation`);
}

/** Least squares line y = fixed + perNode · x. */
export function lineFit(xy: ReadonlyArray<readonly [number, number]>): { fixed: number; perNode: number } {
  const n = xy.length;
  const mx = xy.reduce((s, [x]) => s + x, 0) / n;
  const my = xy.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of xy) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  const perNode = sxx === 0 ? 0 : sxy / sxx;
  return { fixed: my - perNode * mx, perNode };
}

/** Least squares on (log x, log y): y = a · x^b. */
export function powerFit(xy: ReadonlyArray<readonly [number, number]>): { a: number; b: number } {
  const lx = xy.map(([x]) => Math.log(x));
  const ly = xy.map(([, y]) => Math.log(y));
  const n = xy.length;
  const mx = lx.reduce((s, v) => s + v, 0) / n;
  const my = ly.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (lx[i] - mx) * (ly[i] - my);
    sxx += (lx[i] - mx) ** 2;
  }
  const b = sxx === 0 ? 1 : sxy / sxx;
  return { a: Math.exp(my - b * mx), b };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
