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
import { sumCounters } from './sum-counters.ts';

export function messengerDriver(ctx: DriverContext): ProtocolDriver {
  const { sim, scenario, names, suite } = ctx;
  const conv = scenario.conversations;
  const entryCount = Math.min(scenario.dht.entryNodes, names.length);
  const candidates = names.map((_, i) => i).filter((i) => i >= entryCount);
  const drawn = drawConversations(sim.rng('conversations/users'), candidates, conv.users ?? 2 * conv.count, conv.count);
  const isUser = new Set(drawn.users);

  const refs: { population?: DhtPopulation; workload?: ConversationsWorkload } = {};
  const messengerInit = messengerInitOf(scenario);
  const hooks: DhtScenarioHooks = {
    nodeInit: () => ({ messenger: messengerInit }),
    onJoined: (i, node, result) => {
      if (!result.ok || !isUser.has(i) || node.conversations) return;
      const workload = refs.workload!;
      workload.attach(i, node.useAccount(workload.accounts.get(i)!));
    },
  };
  const population = new DhtPopulation(ctx, [hooks], []);
  refs.population = population;
  const serviceOf = (i: number) => (population.isJoined(i) ? population.node(i)?.conversations : undefined);
  refs.workload = new ConversationsWorkload(sim, scenario, names, drawn.users, drawn.pairs, serviceOf, (i) =>
    suite.generateKeyPair(sim.rng(`account/${names[i]}`)),
  );
  const workload = refs.workload;

  return {
    strictStop: true,
    mayChurn: (i) => i >= entryCount && (conv.usersChurn || !isUser.has(i)),
    start: (i) => population.start(i),
    stop: (i) => population.stop(i),
    finish(): DriverResult {
      const { outcomes, conversations } = workload.finish();
      const nodes = population.everyNode;
      return {
        messagesSent: workload.sent,
        messagesDelivered: outcomes.delivered + outcomes.deliveredOffline,
        latencyMs: workload.latencyMs,
        payloadBytes: workload.payloadBytes,
        outcomes,
        figures: {
          messenger: {
            ...workload.figures,
            population: population.counts,
            onion: sumCounters(nodes.map((n) => n.onion?.stats())),
            accounts: sumCounters(nodes.map((n) => n.accounts?.stats())),
            conversation: sumCounters(nodes.map((n) => n.conversations?.stats())),
          },
          sessions: sumSessionStats(nodes.map((n: ParatoxNode) => n.sessions)),
        },
        conversations,
        attacks: {} as Partial<Report['attacks']>,
      };
    },
  };
}
