import type { Address, ReceiveHandler, Transport } from '../../protocol/runtime/transport.ts';
import type { SendPort, SimNode } from './sim-node.ts';

/**
 * A node's Transport on the simulated network; created by `SimNetwork.addNode`. `localAddress` is the node name
 * (its address before any NAT). Sending while the node is down is a counted drop, not an error.
 */
export class SimTransport implements Transport {
  readonly localAddress: Address;

  constructor(
    private readonly node: SimNode,
    private readonly port: SendPort,
  ) {
    this.localAddress = node.name;
  }

  send(to: Address, bytes: Uint8Array): void {
    this.port.sendFrom(this.node, to, bytes);
  }

  onReceive(handler: ReceiveHandler): void {
    this.node.handler = handler;
  }

  /** Whether the node is currently up (see SimNetwork.setUp). */
  get up(): boolean {
    return this.node.up;
  }
}
