/**
 * Datagram transport injected into every protocol node. The simulator (sim/network) and real UDP
 * (protocol/runtime/udp-transport.ts) both implement it; protocol code never touches sockets itself.
 */

/** An opaque, printable endpoint: "host:port" on UDP, a node name such as "n42" in the simulator. */
export type Address = string;

export type ReceiveHandler = (from: Address, bytes: Uint8Array) => void;

export interface Transport {
  /** The address this transport sends from, as the transport itself knows it (before any NAT). */
  readonly localAddress: Address;
  /** Fire-and-forget datagram. Delivery, order and uniqueness are not guaranteed. */
  send(to: Address, bytes: Uint8Array): void;
  /** Registers the single receive handler; a later call replaces the earlier one. */
  onReceive(handler: ReceiveHandler): void;
}
