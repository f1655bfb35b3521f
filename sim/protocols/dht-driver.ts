/**
 * Runs the paratox DHT in the simulator (`protocol: "dht"` scenarios, issue 4): one ParatoxNode per simulated
 * node, entry nodes, join, churn with new NodeIDs, and the measurements the issue asks for (lookup success and
 * hops for existing ids, closest-node answers for absent ids, store survival after holder loss).
 *
 * Phases (scenario.dht; times in simulated seconds):
 *   0 .. joinSpreadS                 entries up at 0; every other node arrives at a uniform time and joins
 *   joinSpreadS                      measurement starts; `stores` records are stored
 *   storeLossAtS (default: halfway)  a storeLossFraction of each record's holders go down for good
 *   durationS - drainS               lookups stop starting; store checks start
 *   durationS                        end; unfinished measured lookups and checks count as failures
 * Churn (scenario.churn) runs from t = 0 through the whole run; see dht/population.ts for what leaving and
 * returning mean, dht/lookup-meter.ts and dht/store-meter.ts for exactly what is counted.
 *
 * Report: `traffic.messagesSent` = measured lookups of existing ids (the DHT's "messages" here are lookups),
 * `messagesDelivered` = successful ones, `outcomes` = delivered (found) / failed.notFound / pending (unfinished
 * at the end), `latencyMs` = time to a successful lookup's end; `protocol.dht` holds the figures (hopHistogram,
 * lookupSuccessRatio, survivalRatio, summed DhtNode stats and session stats, ...). Lookups not measured (target
 * or originator left) are counted there too, and finish() checks that every issued lookup ended somewhere.
 *
 * ## Extension point for adversaries: DhtScenarioHooks (dht/hooks.ts)
 *
 *   interface DhtScenarioHooks {
 *     nodeInit?(index, role: 'entry' | 'peer'): ParatoxNodeInit | undefined;   // e.g. a malicious dhtPolicy
 *     joinEntries?(index, entries: readonly PeerRef[]): readonly PeerRef[];   // which entries a newcomer uses
 *     onJoined?(index, node: ParatoxNode, result: BootstrapResult): void;    // observe joins (victims' views)
 *     excluded?(index): boolean;                       // leave malicious nodes out of the honest measurements
 *     figures?(): Record<string, unknown>;             // -> report.protocol[<section>]
 *     finish?(): Partial<Report['attacks']>;           // -> DriverResult.attacks (e.g. { eclipse: {...} })
 *   }
 *   type DhtHooksFactory = (ctx: DhtHookContext) => DhtScenarioHooks;   // ctx: DriverContext + node(i),
 *                                                                         // isJoined(i), entryRefs(), entryCount
 *
 * A scenario section activates its hooks when it is not null. To add one, write the factory in its own file
 * and add one line to HOOKS below (e.g. `eclipse: eclipseHooks,`). Hooks are built before any node exists,
 * in HOOKS order; nodeInit results merge in that order (policy/handlers: later wins; validators: all kept).
 */
import { bytesEqual } from '../../protocol/dht/keys.ts';
import type { DhtStats } from '../../protocol/dht/stats.ts';
import type { Report } from '../report/report.ts';
import type { Scenario } from '../scenario/schema.ts';
import { blobValidator } from './dht/blob-record.ts';
import type { DhtHookContext, DhtHooksFactory, DhtScenarioHooks } from './dht/hooks.ts';
import { natFigures } from './nat-figures.ts';
import { LookupMeter } from './dht/lookup-meter.ts';
import { DhtPopulation } from './dht/population.ts';
import { StoreMeter } from './dht/store-meter.ts';
import type { DriverContext, DriverFactory, DriverResult, ProtocolDriver } from './driver.ts';
import { sumSessionStats } from './session-stats.ts';
import { populationFacts } from './dht/population-facts.ts';
import { eclipseHooks } from '../adversary/eclipse-hooks.ts';
import { checkParts } from '../observers/accounting.ts';

/** What traffic.messagesSent / outcomes count in a dht run (written into the report beside them). */
export const DHT_MESSAGE_UNIT =
  'dht: messagesSent = measured lookups of existing NodeIDs (target still up at the end); outcomes: delivered = found the target, failed.notFound = finished without it, pending = still running at the end (a failure in lookupSuccessRatio); lookups whose target or originator left are in protocol.dht (lookupsTargetLeft, lookupsAbandoned)';

export type { DhtHookContext, DhtHooksFactory, DhtRole, DhtScenarioHooks } from './dht/hooks.ts';

/** Hook factories by scenario section. */
export type DhtHooksTable = Partial<Record<keyof Scenario, DhtHooksFactory>>;

/** Hooks by scenario section: active when `scenario[section]` is not null. */
const HOOKS: DhtHooksTable = { eclipse: eclipseHooks };

export function dhtDriver(ctx: DriverContext): ProtocolDriver {
  return dhtDriverWith(HOOKS)(ctx);
}

/** The driver with another hooks table (tests, experiments). */
export function dhtDriverWith(table: DhtHooksTable): DriverFactory {
  return (ctx) => buildDriver(ctx, table);
}

function buildDriver(ctx: DriverContext, table: DhtHooksTable): ProtocolDriver {
  const { sim, scenario } = ctx;
  const dht = scenario.dht;
  const hookRefs: { population?: DhtPopulation } = {};
  const hookCtx: DhtHookContext = {
    ...ctx,
    entryCount: Math.min(dht.entryNodes, ctx.names.length),
    node: (i) => hookRefs.population?.node(i),
    isJoined: (i) => hookRefs.population?.isJoined(i) ?? false,
    entryRefs: () => hookRefs.population?.entryRefs() ?? [],
  };
  const sections = (Object.keys(table) as Array<keyof Scenario>).filter((s) => scenario[s] !== null && scenario[s] !== undefined);
  const hooks: Array<{ section: string; hooks: DhtScenarioHooks }> = sections.map((s) => ({ section: s, hooks: table[s]!(hookCtx) }));
  const all = hooks.map((h) => h.hooks);
  const excluded = (i: number) => all.some((h) => h.excluded?.(i) ?? false);

  const population = new DhtPopulation(ctx, all, [blobValidator(ctx.suite)]);
  hookRefs.population = population;

  const durationMs = scenario.durationS * 1000;
  const startMs = Math.min(dht.joinSpreadS * 1000, durationMs);
  const checkAtMs = Math.max(startMs, durationMs - dht.drainS * 1000);
  const lossAtMs = dht.storeLossAtS === null ? (startMs + checkAtMs) / 2 : Math.min(dht.storeLossAtS * 1000, checkAtMs);
  const lookups = new LookupMeter(ctx, population, {
    startMs,
    stopMs: checkAtMs,
    lookupsPerNodePerMin: dht.lookupsPerNodePerMin,
    nonExistentLookups: dht.nonExistentLookups,
    k: dht.k,
    excluded,
  });
  const stores = new StoreMeter(ctx, population, {
    stores: dht.stores,
    storeAtMs: startMs,
    lossAtMs,
    checkAtMs,
    lossFraction: dht.storeLossFraction,
    checks: dht.storeChecks,
    excluded,
  });

  return {
    networkFacts: () =>
      populationFacts(population, ctx.names, {
        malicious: all.flatMap((h) => h.malicious?.() ?? []),
        extra: all.flatMap((h) => h.extraNodes?.() ?? []),
      }),
    mayChurn: (i) => population.mayChurn(i),
    start: (i) => population.start(i),
    stop: (i) => population.stop(i),
    finish(): DriverResult {
      const measured = lookups.measured;
      lookups.timeUnfinished();
      const issued = lookups.accountLookups();
      checkParts('lookups issued', issued.issued, issued.parts);
      const absent = lookups.accountNonExistent();
      checkParts('non-existent-id lookups issued', absent.issued, absent.parts);
      const attacks: Partial<Report['attacks']> = {};
      for (const h of all) Object.assign(attacks, h.finish?.());
      const hookFigures = Object.fromEntries(hooks.filter((h) => h.hooks.figures).map((h) => [h.section, h.hooks.figures!()]));
      const sessions = sumSessionStats(population.everyNode.map((n) => n.sessions)) as Record<string, number>;
      return {
        realWireBytes: sessions.realBytesSent,
        noisePackets: sessions.noiseSent,
        messagesSent: measured,
        messagesDelivered: lookups.succeeded,
        outcomes: { delivered: lookups.succeeded, deliveredOffline: 0, failed: { notFound: lookups.lookups - lookups.succeeded }, pending: lookups.unfinished },
        messageUnit: DHT_MESSAGE_UNIT,
        latencyMs: lookups.latencyMs,
        payloadBytes: 0,
        figures: {
          dht: {
            ...lookupFigures(lookups, ctx.names.length),
            ...stores.figures(),
            ...tableFigures(population, ctx.names),
            ...population.counts,
            ...summedStats(population),
            sessions,
            measurement: { startS: startMs / 1000, storeLossAtS: lossAtMs / 1000, checkAtS: checkAtMs / 1000, endS: sim.now() / 1000 },
          },
          nat: natFigures(ctx.scenario, population.everyNode),
          ...hookFigures,
        },
        conversations: [],
        attacks,
        malicious: all.flatMap((h) => h.malicious?.() ?? []),
      };
    },
  };
}

function lookupFigures(m: LookupMeter, nodes: number): Record<string, unknown> {
  const measured = m.measured;
  const histogram: Record<string, number> = {};
  let hopSum = 0;
  let maxHops = 0;
  for (const [h, n] of [...m.hops].sort(([a], [b]) => a - b)) {
    histogram[String(h)] = n;
    hopSum += h * n;
    maxHops = Math.max(maxHops, h);
  }
  return {
    lookups: measured,
    lookupsSucceeded: m.succeeded,
    // 0, not null, when lookups were planned but none could be measured: lookupMeasurement says why.
    lookupSuccessRatio: measured > 0 ? m.succeeded / measured : m.planned ? 0 : null,
    lookupMeasurement: m.noMeasurement,
    lookupsIssued: m.issued,
    lookupsNoTarget: m.noTarget,
    lookupsUnfinished: m.unfinished,
    lookupsTargetLeft: m.targetLeft,
    lookupsAbandoned: m.abandoned,
    hopHistogram: histogram,
    meanHops: m.succeeded === 0 ? null : hopSum / m.succeeded,
    maxHops,
    log2Nodes: Math.log2(nodes),
    messagesPerLookup: m.lookups === 0 ? null : m.messages / m.lookups,
    lookupLatencyMs: m.latencyMs.percentiles(),
    nonExistentLookups: m.nonExistent,
    nonExistentLookupsSkipped: m.nonExistentSkipped,
    nonExistentLookupsNoTruth: m.nonExistentNoTruth,
    closestCorrectRatio: m.nonExistent === 0 ? null : m.closestCorrect / m.nonExistent,
    closestOverlapMean: m.closestOverlapMean,
  };
}

/**
 * Routing tables at the end: mean size over joined nodes, and the share of their contacts that are stale (the
 * address now runs another NodeID, or nothing): what liveness checks have not evicted yet.
 */
function tableFigures(p: DhtPopulation, names: readonly string[]): Record<string, unknown> {
  const indexOf = new Map(names.map((name, i) => [name, i]));
  let up = 0;
  let sum = 0;
  let stale = 0;
  for (const i of p.joined.values()) {
    const contacts = p.node(i)!.dht.table.contacts();
    up++;
    sum += contacts.length;
    for (const c of contacts) {
      const at = indexOf.get(c.address);
      const current = at === undefined ? undefined : p.node(at);
      if (current === undefined || !bytesEqual(current.identity.publicKey, c.nodePub)) stale++;
    }
  }
  return { nodesJoinedAtEnd: up, tableSizeMean: up === 0 ? null : sum / up, staleContactRatio: sum === 0 ? null : stale / sum };
}

/** DhtNode counters summed over every node built (all generations): traffic, timeouts, drops by reason. */
function summedStats(p: DhtPopulation): Record<string, unknown> {
  const counters: Record<string, number> = {};
  const drops: Record<string, number> = {};
  for (const node of p.everyNode) {
    const s: DhtStats = node.dht.stats();
    for (const key of ['requestsSent', 'requestsReceived', 'timeouts', 'retransmissions', 'lateReplies', 'lookupMessages', 'storesAccepted'] as const) {
      counters[key] = (counters[key] ?? 0) + s[key];
    }
    for (const [reason, n] of Object.entries(s.drops)) if (n > 0) drops[reason] = (drops[reason] ?? 0) + n;
  }
  return { dhtStats: counters, dhtDrops: drops };
}
