/**
 * Takes chosen recipients offline for a stretch (scenario.conversations.offlineWindow): each goes down at fromS
 * and returns at toS as a new node (new NodeID, same account, which fetches its mailbox on return). At
 * holderLossAtS, a fraction of the live nodes closest to each offline recipient's mailbox key (the holders a
 * sender's DHT lookup finds) goes down for good, so re-replication must keep the messages.
 */
import { periodOf } from '../../protocol/account/blinding.ts';
import { compareDistance } from '../../protocol/dht/keys.ts';
import { mailboxKey } from '../../protocol/mailbox/mailbox-key.ts';
import type { CryptoSuite, KeyPair } from '../../protocol/crypto/suite.ts';
import type { Simulator } from '../engine/simulator.ts';
import type { SimNetwork } from '../network/sim-network.ts';
import type { DhtPopulation } from '../protocols/dht/population.ts';
import type { Scenario } from '../scenario/schema.ts';

export interface OfflineWindowFigures {
  recipients: string[];
  holdersKilled: number;
  /** Mailbox holders (k closest live nodes) per recipient at the loss, before it. */
  holdersPerRecipient: number;
}

export function scheduleOfflineWindow(
  ctx: { sim: Simulator; network: SimNetwork; names: readonly string[]; scenario: Scenario; suite: CryptoSuite },
  population: DhtPopulation,
  recipients: readonly number[],
  accountOf: (index: number) => KeyPair,
  periodMs: number,
  replicas: number,
): OfflineWindowFigures {
  const w = ctx.scenario.conversations.offlineWindow!;
  const figures: OfflineWindowFigures = { recipients: recipients.map((i) => ctx.names[i]), holdersKilled: 0, holdersPerRecipient: replicas };
  const { sim, network, names } = ctx;
  sim.at(w.fromS * 1000, () => {
    for (const i of recipients) {
      population.stop(i);
      sim.cancelTimersOf(names[i]);
      network.setUp(names[i], false);
    }
  });
  sim.at(Math.max(w.toS, w.fromS) * 1000, () => {
    for (const i of recipients) {
      network.setUp(names[i], true);
      population.start(i);
    }
  });
  if (w.holderLossAtS !== null) {
    sim.at(w.holderLossAtS * 1000, () => {
      const period = periodOf(sim.now(), periodMs);
      for (const r of recipients) {
        const key = mailboxKey(ctx.suite, accountOf(r).publicKey, period);
        const live = [...population.joined.values()].filter((i) => !recipients.includes(i) && population.node(i) !== undefined);
        live.sort((a, b) => compareDistance(key, population.node(a)!.dht.key, population.node(b)!.dht.key));
        const holders = live.slice(0, replicas);
        const lose = Math.round(w.holderLossFraction * holders.length);
        for (const h of holders.slice(0, lose)) if (population.kill(h)) figures.holdersKilled++;
      }
    });
  }
  return figures;
}
