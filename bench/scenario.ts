/** End-to-end figure: the default ping scenario's simulator throughput. */
import { loadScenario } from '../sim/scenario/load-scenario.ts';
import { runScenario } from '../sim/scenario/run-scenario.ts';

export async function run(): Promise<Record<string, unknown>> {
  const report = runScenario(loadScenario('scenarios/ping-small.json'));
  return {
    scenario: 'scenarios/ping-small.json',
    nodes: report.sim.nodes,
    events: report.sim.events,
    wallSeconds: report.sim.wallSeconds,
    eventsPerWallSecond: report.sim.eventsPerWallSecond,
    wirePackets: report.traffic.wirePackets,
  };
}
