/** Protocol options a scenario fixes for every simulated node, derived in one place for drivers and adversaries. */
import type { ParatoxNodeInit } from '../../protocol/node/paratox-node.ts';
import type { Scenario } from '../scenario/schema.ts';

/** Session options from `scenario.packet`: the one wire size and the padding mode. */
export function sessionInitOf(scenario: Scenario): NonNullable<ParatoxNodeInit['session']> {
  return { wireSize: scenario.packet.wireSize, paddingMode: scenario.packet.paddingMode };
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
    onion: { circuitLifetimeMs: circuitLifetimeS * 1000 },
    account: { hopsPerCircuit: hops },
    conversation: { messageTimeoutMs: scenario.conversations.messageTimeoutS * 1000 },
    relaySelection,
  };
}
