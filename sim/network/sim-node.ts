import type { ReceiveHandler } from '../../protocol/runtime/transport.ts';
import type { NatBox } from './nat.ts';

/** Internal per-node state of the simulated network (not part of the public API). */
export interface SimNode {
  readonly name: string;
  readonly regionIndex: number;
  readonly nat: NatBox;
  /** Bytes per second, or null for an unlimited uplink. */
  readonly uplinkBytesPerS: number | null;
  readonly accessLatencyMs: number;
  up: boolean;
  /** Incremented each time the node goes down: datagrams queued in an earlier epoch never leave. */
  epoch: number;
  /** Virtual time at which the uplink finishes sending everything queued so far. */
  uplinkFreeAtMs: number;
  handler: ReceiveHandler | null;
}

/** What a SimTransport needs from the network: a way to send from its node. */
export interface SendPort {
  sendFrom(node: SimNode, to: string, bytes: Uint8Array): void;
}
