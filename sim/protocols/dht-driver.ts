import type { DriverContext, ProtocolDriver } from './driver.ts';

/** Placeholder until the DHT driver lands (issue 4). */
export function dhtDriver(_ctx: DriverContext): ProtocolDriver {
  throw new Error('protocol "dht" driver is not built yet');
}
