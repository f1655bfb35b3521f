/**
 * Runs one scenario, composed in stages: build (simulator, network, crypto back end, one transport per node)
 * -> population and workloads (the protocol driver: ping, dht, or messenger with its conversations)
 * -> churn (only nodes the driver lets churn) -> observers (wire tap, traffic series, stop check, accounting
 * invariants, network view)
 * -> report (sim/report/assemble-report.ts).
 */
import { isMainThread } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { SimulationLimitError } from '../engine/errors.ts';
import { Simulator } from '../engine/simulator.ts';
import { SimNetwork } from '../network/sim-network.ts';
import type { NatType } from '../network/types.ts';
import { suiteByName, fastestSuite } from '../../protocol/crypto/select-suite.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { Report } from '../report/report.ts';
import { assembleReport } from '../report/assemble-report.ts';
import { runHealthWarnings } from '../report/run-health.ts';
import { enforceRunAccounting, HandlerErrorCheck, StopCheck } from '../observers/accounting.ts';
import { WireObserver } from '../observers/wire-observer.ts';
import { TrafficSeries } from '../observers/traffic-series.ts';
import { networkView } from '../observers/network-view.ts';
import { runEve } from '../eve/run-eve.ts';
import { pingDriver } from '../protocols/ping-driver.ts';
import { dhtDriver } from '../protocols/dht-driver.ts';
import { messengerDriver } from '../protocols/messenger-driver.ts';
import type { DriverFactory } from '../protocols/driver.ts';
import { scheduleChurn } from './churn.ts';
import { budgetError, heapCheck, maxEventsOf } from './run-budget.ts';
import { natWeights, type Scenario } from './schema.ts';
import { nodeName, pickWeighted } from './topology.ts';

/** Protocol drivers by scenario.protocol. */
const DRIVERS: Record<Scenario['protocol'], DriverFactory> = { ping: pingDriver, dht: dhtDriver, messenger: messengerDriver };

export interface Progress {
  simulatedMs: number;
  durationMs: number;
  events: number;
}

export interface RunOptions {
  /** Overrides scenario.seed (the report's scenario shows the seed actually used). */
  seed?: number;
  /** Writes the global observer's view (CSV) and ground truth (FILE.truth.json). */
  tapFile?: string;
  /** Called about 100 times over the run, for progress display. */
  onProgress?: (p: Progress) => void;
  /** How the user invoked the run, for the report's `reproduce` line. */
  scenarioFile?: string;
  /** Replaces the scenario protocol's driver (tests: a double that breaks an invariant on purpose). */
  driver?: DriverFactory;
}

function pickSuite(name: Scenario['crypto']['backend']): CryptoSuite {
  return name === 'fastest' ? fastestSuite() : suiteByName(name);
}

/**
 * Runs one scenario and assembles its report. A run that exceeds its budget (limits.maxEvents, or the heap)
 * throws RunBudgetError, a one-line ScenarioError (run-budget.ts).
 */
export function runScenario(input: Scenario, opts: RunOptions = {}): Report {
  const scenario: Scenario = { ...input, seed: opts.seed ?? input.seed };
  try {
    return runWithinBudget(scenario, opts);
  } catch (err) {
    if (err instanceof SimulationLimitError && err.kind !== 'idle') throw budgetError(err, scenario, opts.scenarioFile ?? scenario.name);
    throw err;
  }
}

function runWithinBudget(scenario: Scenario, opts: RunOptions): Report {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();

  // build
  const sim = new Simulator({ seed: scenario.seed, trace: scenario.trace.enabled, maxEvents: maxEventsOf(scenario), budgetCheck: heapCheck() });
  const network = new SimNetwork(sim, scenario.network);
  const suite = pickSuite(scenario.crypto.backend);
  const eveOn = scenario.protocol === 'messenger' && scenario.eve.enabled;
  const wire = new WireObserver(network, opts.tapFile, eveOn);
  const series = new TrafficSeries(network, scenario.durationS * 1000);
  const handlerErrors = new HandlerErrorCheck();
  network.onHandlerError((node, e) => handlerErrors.note(node, sim.now(), e));
  const topo = sim.rng('topology');
  const names = Array.from({ length: scenario.nodes }, (_, i) => nodeName(i));
  const nats = natWeights(scenario.nat);
  const transports = names.map((name) => network.addNode(name, { region: pickWeighted(topo, scenario.regions), nat: pickWeighted<NatType>(topo, nats) }));

  // population and workloads
  const driver = (opts.driver ?? DRIVERS[scenario.protocol])({ sim, network, scenario, transports, names, suite, timeline: series });
  names.forEach((_, i) => driver.start(i));

  // churn, with the stop check: a stopped node must have closed its own timers
  const stopCheck = new StopCheck();
  const churn = scheduleChurn(
    sim,
    scenario,
    {
      down: (i) => {
        driver.stop(i);
        stopCheck.note(names[i], sim.cancelTimersOf(names[i]), sim.now());
        network.setUp(names[i], false);
      },
      up: (i) => {
        network.setUp(names[i], true);
        driver.start(i);
      },
    },
    driver.mayChurn?.bind(driver),
  );

  const durationMs = scenario.durationS * 1000;
  const stepMs = durationMs / 100;
  for (let step = 1; step <= 100; step++) {
    sim.runUntil(Math.min(durationMs, step * stepMs));
    opts.onProgress?.({ simulatedMs: sim.now(), durationMs, events: sim.eventsProcessed });
  }

  // observers and report
  const result = driver.finish();
  const datagrams = network.datagramAccount();
  enforceRunAccounting({ strict: driver.strictStop ?? false, stopCheck, handlerErrors, messagesSent: result.messagesSent, outcomes: result.outcomes, datagrams });
  const view = driver.networkFacts ? networkView(driver.networkFacts()) : undefined;
  const truth = { conversations: result.conversations, malicious: result.malicious ?? [], nodes: names };
  const columns = wire.tapColumns();
  if (columns && truth.conversations.length > 0) {
    const eve = runEve(columns, truth, { maxTargets: scenario.eve.maxTargets });
    result.attacks = { ...result.attacks, eve: eve.eve, eveByMethod: eve.eveByMethod, eveTargets: eve.targets };
  }
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  wire.close(truth);
  const report = assembleReport({
    scenario,
    sim,
    network,
    suite,
    wire,
    series,
    networkView: view,
    result,
    datagrams,
    wallSeconds,
    // Process-wide: meaningful only when the run had the process to itself (not in a sweep's worker threads).
    ...(isMainThread && { cpuSeconds: (cpu.user + cpu.system) / 1e6 }),
    runFigures: {
      churnTransitions: churn.transitions(),
      stopCheck: { leakedTimers: stopCheck.leakedTimers, nodesWithLeaks: stopCheck.nodesWithLeaks },
    },
    reproduce: `npx paratox run ${opts.scenarioFile ?? '<scenario.json>'} --seed ${scenario.seed}`,
  });
  const warnings = runHealthWarnings(report);
  if (warnings.length > 0) report.warnings = warnings;
  return report;
}
