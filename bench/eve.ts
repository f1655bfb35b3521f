/**
 * Eve on a 10,000-node, 10-minute tap (issue 9): a synthetic tap (sim/eve/synthetic-tap.ts) with 1,000 on/off
 * conversations (2,000 users = candidates and targets) through 3-hop circuits, keepalives, and background
 * traffic among relays, built in memory; then runEve with every attack. Cost grows as users^2 x bins.
 * Run alone: npx tsx bench/eve.ts
 */
import { runEve } from '../sim/eve/run-eve.ts';
import { syntheticTap } from '../sim/eve/synthetic-tap.ts';

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export async function run(): Promise<Record<string, unknown>> {
  const shape = { nodes: 10_000, conversations: 1000, durationS: 600, relayNoisePerS: 2000, paddingMode: 'variable' as const };
  let start = process.hrtime.bigint();
  const { tap, truth } = syntheticTap(shape);
  const generateS = seconds(start);
  const perAttackS: Record<string, number> = {};
  start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = runEve(tap, truth, { onAttackTimed: (name, s) => (perAttackS[name] = +s.toFixed(3)) });
  const eveS = seconds(start);
  const used = process.cpuUsage(cpu);
  const figures = Object.fromEntries(
    Object.entries(result.eveByMethod).map(([name, f]) => [name, { variant: f.variant, top1: f.top1, degreeOfAnonymity: +f.degreeOfAnonymity.toFixed(3), tprAt1e2: f.tprAtFpr['0.01'] }]),
  );
  return {
    tap: { ...shape, rows: tap.rows, users: 2 * truth.conversations.length },
    targets: result.eve?.targets ?? 0,
    candidatesPerTarget: result.eve?.candidates ?? 0,
    generateS: +generateS.toFixed(3),
    eveS: +eveS.toFixed(3),
    /** CPU time of runEve (user + system): the figure that does not depend on how busy the machine is. */
    eveCpuS: +((used.user + used.system) / 1e6).toFixed(3),
    perAttackS,
    rowsPerS: Math.round(tap.rows / eveS),
    peakRssBytes: process.memoryUsage().rss,
    strongest: result.eve?.method ?? null,
    figures,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
