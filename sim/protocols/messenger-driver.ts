/**
 * Runs the messenger (`protocol: "messenger"`, issue 7): a population of full ParatoxNodes (sessions, NAT, DHT,
 * onion relays, introduction/rendezvous service) joins the DHT through entry nodes, then the conversations
 * workload makes users write to each other through circuits and rendezvous points, end to end.
 *
 * Composition: DhtPopulation (arrival, join, churn with a new NodeID per return) -> users attach their
 * long-lived account once joined (ParatoxNode.useAccount) -> ConversationsWorkload (sim/workloads) writes and
 * accounts for every message. Entry nodes and (unless conversations.usersChurn) users never churn: the driver
 * says so through mayChurn, and every node that does leave must have closed its timers (strictStop).
 */
import type { ParatoxNode } from '../../protocol/node/paratox-node.ts';
import type { Report } from '../report/report.ts';
import type { DhtScenarioHooks } from './dht/hooks.ts';
import { DhtPopulation } from './dht/population.ts';
import type { DriverContext, DriverResult, ProtocolDriver } from './driver.ts';
import { sumSessionStats } from './session-stats.ts';
import { ConversationsWorkload, drawConversations } from '../workloads/conversations.ts';
import { messengerInitOf } from './node-init.ts';
import { natFigures } from './nat-figures.ts';
import { sumCounters } from './sum-counters.ts';
import { DelayHistogram } from '../../protocol/noise/delay-histogram.ts';
import { DEFAULT_ACCOUNT_CONFIG } from '../../protocol/account/config.ts';
import { DEFAULT_MAILBOX_CONFIG } from '../../protocol/mailbox/constants.ts';
import { scheduleOfflineWindow } from '../workloads/offline-window.ts';
import { RelayAdversary } from '../adversary/malicious-relays.ts';
import { CircuitLog } from './network-facts.ts';
import { populationFacts } from './dht/population-facts.ts';

/** What traffic.messagesSent / outcomes count in a messenger run (written into the report beside them). */
export const MESSENGER_MESSAGE_UNIT =
  'messenger: messagesSent = conversation messages handed to a sender\'s ConversationService; outcomes as the sender learns them: delivered (end-to-end ack), deliveredOffline (via a mailbox), failed.<reason>, pending at the end';

export function messengerDriver(ctx: DriverContext): ProtocolDriver {
  const { sim, scenario, names, suite } = ctx;
  const conv = scenario.conversations;
  const entryCount = Math.min(scenario.dht.entryNodes, names.length);
  const candidates = names.map((_, i) => i).filter((i) => i >= entryCount);
  const drawn = drawConversations(sim.rng('conversations/users'), candidates, conv.users ?? 2 * conv.count, conv.count);
  const isUser = new Set(drawn.users);

  const refs: { population?: DhtPopulation; workload?: ConversationsWorkload } = {};
  const relayAdversary =
    scenario.eve.maliciousRelayFraction > 0
      ? new RelayAdversary(sim.rng('adversary/relays'), candidates.filter((i) => !isUser.has(i)), names, scenario.eve.maliciousRelayFraction)
      : null;
  const messengerInit = messengerInitOf(scenario);
  /** The users' most recent circuits, for the report's network view. */
  const circuits = new CircuitLog();
  const hooks: DhtScenarioHooks = {
    nodeInit: () => ({ messenger: messengerInit }),
    onJoined: (i, node, result) => {
      if (!result.ok || !isUser.has(i) || node.conversations) return;
      const workload = refs.workload!;
      workload.attach(i, node.useAccount(workload.accounts.get(i)!));
      if (relayAdversary) node.onion?.events.on('circuit-built', (e) => relayAdversary.circuitBuilt(i, e.path));
      node.onion?.events.on('circuit-built', (e) => circuits.record(names[i], e.path));
    },
  };
  const population = new DhtPopulation(ctx, [hooks], []);
  refs.population = population;
  const serviceOf = (i: number) => (population.isJoined(i) ? population.node(i)?.conversations : undefined);
  refs.workload = new ConversationsWorkload(
    sim,
    scenario,
    names,
    drawn.users,
    drawn.pairs,
    serviceOf,
    (i) => suite.generateKeyPair(sim.rng(`account/${names[i]}`)),
    ctx.timeline,
  );
  const workload = refs.workload;
  const window = conv.offlineWindow;
  const offlineFigures =
    window === null
      ? null
      : scheduleOfflineWindow(
          ctx,
          population,
          drawn.pairs.slice(0, window.recipients).map((p) => p.b),
          (i) => workload.accounts.get(i)!,
          DEFAULT_ACCOUNT_CONFIG.periodMs,
          DEFAULT_MAILBOX_CONFIG.replicas,
        );

  return {
    networkFacts: () =>
      populationFacts(population, names, {
        role: (i) => (isUser.has(i) ? 'user' : undefined),
        malicious: relayAdversary ? [...relayAdversary.malicious].sort() : [],
        circuits: circuits.circuits,
      }),
    strictStop: true,
    mayChurn: (i) => i >= entryCount && (conv.usersChurn || !isUser.has(i)),
    start: (i) => population.start(i),
    stop: (i) => population.stop(i),
    finish(): DriverResult {
      const { outcomes, conversations } = workload.finish();
      const nodes = population.everyNode;
      const sessions = sumSessionStats(nodes.map((n: ParatoxNode) => n.sessions)) as Record<string, number>;
      const shapers = nodes.map((n) => n.shaper.stats());
      return {
        messagesSent: workload.sent,
        messagesDelivered: outcomes.delivered + outcomes.deliveredOffline,
        latencyMs: workload.latencyMs,
        payloadBytes: workload.payloadBytes,
        outcomes,
        messageUnit: MESSENGER_MESSAGE_UNIT,
        noisePackets: sessions.noiseSent ?? 0,
        realWireBytes: sessions.realBytesSent ?? 0,
        figures: {
          messenger: {
            ...workload.figures,
            population: population.counts,
            onion: sumCounters(nodes.map((n) => n.onion?.stats())),
            accounts: sumCounters(nodes.map((n) => n.accounts?.stats())),
            conversation: sumCounters(nodes.map((n) => n.conversations?.stats())),
            ...(offlineFigures ? { offlineWindow: offlineFigures } : {}),
          },
          mailbox: {
            holders: sumCounters(nodes.map((n) => n.mailboxes?.stats())),
            clients: sumCounters(nodes.map((n) => n.mailboxClient?.stats())),
          },
          sessions,
          nat: natFigures(scenario, nodes),
          noise: {
            policy: scenario.noise.policy,
            shaper: sumCounters(shapers.map(({ queueDelay: _q, policy: _p, ...counters }) => counters)),
            queueDelayMs: DelayHistogram.merge(shapers.map((s) => s.queueDelay)).summary(),
          },
        },
        conversations,
        attacks: relayAdversary ? relayAttacks(relayAdversary) : {},
        malicious: relayAdversary ? [...relayAdversary.malicious].sort() : [],
      };
    },
  };
}

/**
 * design.md puts adversarialCircuitFraction under attacks.eclipse; a messenger run has no DHT eclipse, so the
 * section carries the relay figures only (the DHT-victim fields stay absent), and attacks.relays has them all.
 */
function relayAttacks(adversary: RelayAdversary): Partial<Report['attacks']> {
  const f = adversary.figures();
  const eclipse = {
    maliciousFraction: f.maliciousRelayFraction,
    adversarialCircuitFraction: f.adversarialCircuitFraction,
    deanonymisedCircuitShare: f.deanonymisedCircuitShare,
  } as unknown as Report['attacks']['eclipse'];
  return { eclipse, relays: f } as Partial<Report['attacks']>;
}
