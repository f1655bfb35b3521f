/**
 * Runs one scenario: builds the simulated network and the protocol's nodes, advances virtual time to the
 * scenario's end, and assembles the report (design.md "Report JSON").
 */
import { performance } from 'node:perf_hooks';
import { Simulator } from '../engine/simulator.ts';
import { SimNetwork } from '../network/sim-network.ts';
import type { NatType } from '../network/types.ts';
import { suiteByName, fastestSuite } from '../../protocol/crypto/select-suite.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { REPORT_FORMAT_VERSION, type Report } from '../report/report.ts';
import { TapWriter } from '../tap/tap-writer.ts';
import { pingDriver } from '../protocols/ping-driver.ts';
import { dhtDriver } from '../protocols/dht-driver.ts';
import type { DriverFactory } from '../protocols/driver.ts';
import { scheduleChurn } from './churn.ts';
import type { Scenario } from './schema.ts';
import { nodeName, pickWeighted } from './topology.ts';

/** Protocol drivers by scenario.protocol; later issues add entries here. */
const DRIVERS: Record<Scenario['protocol'], DriverFactory> = { ping: pingDriver, dht: dhtDriver };

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
}

function pickSuite(name: Scenario['crypto']['backend']): CryptoSuite {
  return name === 'fastest' ? fastestSuite() : suiteByName(name);
}

export function runScenario(input: Scenario, opts: RunOptions = {}): Report {
  const scenario: Scenario = { ...input, seed: opts.seed ?? input.seed };
  const wallStart = performance.now();
  const sim = new Simulator({ seed: scenario.seed, trace: scenario.trace.enabled });
  const network = new SimNetwork(sim, scenario.network);
  const suite = pickSuite(scenario.crypto.backend);

  const tap = opts.tapFile ? new TapWriter(opts.tapFile) : null;
  const sizes = new Set<number>();
  let wirePackets = 0;
  let wireBytes = 0;
  network.onTap((timeMs, source, target, bytes) => {
    wirePackets++;
    wireBytes += bytes;
    sizes.add(bytes);
    tap?.row(timeMs, source, target, bytes);
  });

  const topo = sim.rng('topology');
  const names = Array.from({ length: scenario.nodes }, (_, i) => nodeName(i));
  const transports = names.map((name) =>
    network.addNode(name, { region: pickWeighted(topo, scenario.regions), nat: pickWeighted<NatType>(topo, scenario.nat) }),
  );
  const driver = DRIVERS[scenario.protocol]({ sim, network, scenario, transports, names, suite });
  names.forEach((_, i) => driver.start(i));
  const churn = scheduleChurn(sim, scenario, {
    down: (i) => {
      driver.stop(i);
      sim.cancelTimersOf(names[i]);
      network.setUp(names[i], false);
    },
    up: (i) => {
      network.setUp(names[i], true);
      driver.start(i);
    },
  });

  const durationMs = scenario.durationS * 1000;
  const stepMs = durationMs / 100;
  for (let step = 1; step <= 100; step++) {
    sim.runUntil(Math.min(durationMs, step * stepMs));
    opts.onProgress?.({ simulatedMs: sim.now(), durationMs, events: sim.eventsProcessed });
  }
  const result = driver.finish();
  const wallSeconds = (performance.now() - wallStart) / 1000;
  if (tap) tap.close({ conversations: result.conversations, malicious: result.malicious ?? [] });

  const drops = Object.fromEntries(
    Object.entries(network.stats).filter(([k]) => k.startsWith('dropped') || k === 'handlerErrors'),
  ) as Record<string, number>;
  return {
    paratox: REPORT_FORMAT_VERSION,
    scenario,
    seed: scenario.seed,
    traceHash: sim.trace.hash(),
    sim: {
      nodes: scenario.nodes,
      simulatedSeconds: sim.now() / 1000,
      events: sim.eventsProcessed,
      wallSeconds: Math.round(wallSeconds * 1000) / 1000,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      eventsPerWallSecond: Math.round(sim.eventsProcessed / Math.max(wallSeconds, 1e-9)),
      cryptoBackend: suite.name,
    },
    traffic: {
      messagesSent: result.messagesSent,
      messagesDelivered: result.messagesDelivered,
      deliveryRatio: result.messagesSent ? result.messagesDelivered / result.messagesSent : null,
      latencyMs: result.latencyMs.percentiles(),
      wirePackets,
      noisePackets: 0,
      wireBytes,
      bandwidthOverhead: result.payloadBytes ? (wireBytes - result.payloadBytes) / result.payloadBytes : null,
      packetSizes: [...sizes].sort((a, b) => a - b),
      drops,
    },
    attacks: { eve: null, eclipse: null, ...result.attacks },
    protocol: { ...result.figures, churnTransitions: churn.transitions() },
    reproduce: `npx paratox run ${opts.scenarioFile ?? '<scenario.json>'} --seed ${scenario.seed}`,
  };
}
