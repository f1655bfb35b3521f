/** Turns what a run measured into the report JSON (design.md "Report JSON"). */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { Simulator } from '../engine/simulator.ts';
import type { SimNetwork } from '../network/sim-network.ts';
import type { WireObserver } from '../observers/wire-observer.ts';
import type { TrafficSeries } from '../observers/traffic-series.ts';
import type { DriverResult } from '../protocols/driver.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { DatagramAccount } from '../network/types.ts';
import { REPORT_FORMAT_VERSION, type DatagramFigures, type NetworkView, type Report } from './report.ts';

export interface ReportParts {
  scenario: Scenario;
  sim: Simulator;
  network: SimNetwork;
  suite: CryptoSuite;
  wire: WireObserver;
  /** traffic.series; absent: no series in the report. */
  series?: TrafficSeries;
  /** report.network; absent: none. */
  networkView?: NetworkView;
  result: DriverResult;
  /** Where every datagram ended (taken once, after the end-of-run checks passed on it). */
  datagrams: DatagramAccount;
  wallSeconds: number;
  /** Process CPU (user + system) of the run; given only on the main thread (worker threads share the process). */
  cpuSeconds?: number;
  /** Extra figures for report.protocol (churn transitions, stop checks). */
  runFigures: Record<string, unknown>;
  reproduce: string;
}

/** Written next to the figure in every report (issue 8). */
export const BANDWIDTH_OVERHEAD_DEFINITION =
  'wire bytes / wire bytes of datagrams that carried real payload (session data frames; not noise, handshakes or session control); 1 = no overhead beyond padding';

function overhead(wireBytes: number, realWireBytes: number): number | null {
  return realWireBytes > 0 ? wireBytes / realWireBytes : null;
}

function datagramFigures(a: DatagramAccount): DatagramFigures {
  const dropped = Object.values(a.dropped).reduce((x, y) => x + y, 0);
  return {
    sent: a.sent,
    transmitted: a.transmitted,
    delivered: a.delivered,
    dropped,
    droppedByReason: { ...a.dropped },
    queuedAtEnd: a.queuedAtEnd,
    inFlightAtEnd: a.inFlightAtEnd,
  };
}

export function assembleReport(p: ReportParts): Report {
  const { scenario, sim, network, suite, wire, result, wallSeconds, cpuSeconds } = p;
  const drops = Object.fromEntries(
    Object.entries(network.stats).filter(([k]) => k.startsWith('dropped') || k === 'handlerErrors'),
  ) as Record<string, number>;
  return {
    paratox: REPORT_FORMAT_VERSION,
    scenario,
    seed: scenario.seed,
    traceHash: sim.trace.enabled ? sim.trace.hash() : null,
    sim: {
      nodes: scenario.nodes,
      simulatedSeconds: sim.now() / 1000,
      events: sim.eventsProcessed,
      wallSeconds: Math.round(wallSeconds * 1000) / 1000,
      ...(cpuSeconds !== undefined && { cpuSeconds: Math.round(cpuSeconds * 1000) / 1000 }),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      eventsPerWallSecond: Math.round(sim.eventsProcessed / Math.max(wallSeconds, 1e-9)),
      cryptoBackend: suite.name,
      traceEnabled: sim.trace.enabled,
    },
    traffic: {
      messagesSent: result.messagesSent,
      messagesDelivered: result.messagesDelivered,
      deliveryRatio: result.messagesSent ? result.messagesDelivered / result.messagesSent : null,
      latencyMs: result.latencyMs.percentiles(),
      wirePackets: wire.packets,
      noisePackets: result.noisePackets ?? 0,
      wireBytes: wire.bytes,
      bandwidthOverhead: overhead(wire.bytes, result.realWireBytes ?? wire.bytes),
      bandwidthOverheadDefinition: BANDWIDTH_OVERHEAD_DEFINITION,
      payloadBytes: result.payloadBytes,
      packetSizes: wire.packetSizes(),
      drops,
      outcomes: result.outcomes,
      messageUnit: result.messageUnit,
      datagrams: datagramFigures(p.datagrams),
      ...(p.series ? { series: p.series.view(result.noisePackets ?? 0) } : {}),
      latencyCdf: result.latencyMs.cdf(),
    },
    attacks: { eve: null, eclipse: null, ...result.attacks },
    ...(p.networkView ? { network: p.networkView } : {}),
    protocol: { ...result.figures, ...p.runFigures },
    reproduce: p.reproduce,
  };
}
