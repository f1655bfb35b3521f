/** Protocol options a scenario fixes for every simulated node, derived in one place for drivers and adversaries. */
import type { ParatoxNodeInit } from '../../protocol/node/paratox-node.ts';
import { PayloadType } from '../../protocol/packet/payload-type.ts';
import type { Scenario } from '../scenario/schema.ts';

/** Session options from `scenario.packet` (the one wire size, the padding mode) and, with noise on, `scenario.noise`. */
export function sessionInitOf(scenario: Scenario): NonNullable<ParatoxNodeInit['session']> {
  const base = {
    wireSize: scenario.packet.wireSize,
    paddingMode: scenario.packet.paddingMode,
    ...(scenario.dht.oneShotQueries && { oneShotTypes: [PayloadType.DHT], oneShotsPerPeer: scenario.dht.oneShotsPerPeer }),
  };
  const n = scenario.noise;
  if (n.policy === 'off') return base;
  return { ...base, noiseKeepsAlive: n.keepLinksAlive, rekeyMethod: n.rekeyMethod, ...(n.rekeyAfterS === null ? {} : { rekeyAfterMs: n.rekeyAfterS * 1000 }) };
}

/** Cover traffic from `scenario.noise`; undefined when off (so nothing about the node changes). */
export function noiseInitOf(scenario: Scenario): ParatoxNodeInit['noise'] {
  const { policy, ratePerS, maxQueuedPerLink, loopRatePerS, mixDelayMeanMs, slotOrder } = scenario.noise;
  if (policy === 'off' && loopRatePerS === 0 && mixDelayMeanMs === 0) return undefined;
  return { policy, ratePerS, maxQueuedPerLink, loopRatePerS, mixDelayMeanMs, slotOrder };
}

/** NAT traversal from `scenario.nat.autoPunch`; undefined when off (the node's default: no punching, same traces). */
export function natInitOf(scenario: Scenario): ParatoxNodeInit['nat'] {
  return scenario.nat.autoPunch === true ? { autoPunch: true } : undefined;
}

/** DHT options from `scenario.dht`; `bootstrapRefreshes: null` keeps the protocol's default. */
export function dhtInitOf(scenario: Scenario): NonNullable<ParatoxNodeInit['dht']> {
  const { k, alpha, bootstrapRefreshes } = scenario.dht;
  return bootstrapRefreshes === null ? { k, alpha } : { k, alpha, maxBootstrapRefreshes: bootstrapRefreshes };
}

/** Messenger layers from `scenario.onion` and `scenario.conversations`. */
export function messengerInitOf(scenario: Scenario): NonNullable<ParatoxNodeInit['messenger']> {
  const { hops, circuitLifetimeS, relaySelection } = scenario.onion;
  return {
    // packet.paddingMode 'variable' drops padding everywhere, cells included (only to show what size correlation does).
    onion: { circuitLifetimeMs: circuitLifetimeS * 1000, cellPadding: scenario.packet.paddingMode },
    account: { hopsPerCircuit: hops },
    conversation: { messageTimeoutMs: scenario.conversations.messageTimeoutS * 1000, offlinePollMs: scenario.conversations.offlinePollS * 1000 },
    // A simulated run is short: fetch the current and the previous period only (the protocol default is 8).
    mailbox: { fetchPeriods: 2, replicateMs: scenario.conversations.mailboxReplicateS * 1000 },
    offline: scenario.conversations.offline,
    relaySelection,
  };
}
