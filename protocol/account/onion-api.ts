/**
 * The part of protocol/onion's OnionService that accounts use, as a narrow structural interface (like the DHT's
 * DhtMessenger): the real OnionService satisfies it, and testing/fake-onion.ts implements it for fast tests.
 *
 * A circuit's `send` goes forward to its last hop, where the handler registered with `onRelayCommand` for that
 * command receives it with a `RelayEndpoint`; `endpoint.reply` sends a cell back to the circuit's origin, which
 * receives it through `circuit.onCell`. Relays before the last hop see only onion-encrypted cells.
 */
import type { MessengerPeer, Unsubscribe } from '../messenger/messenger.ts';

export type BuildResult = { ok: true; circuit: Circuit } | { ok: false; reason: string; hop: number };

export interface Circuit {
  readonly id: string;
  readonly path: readonly MessengerPeer[];
  readonly isOpen: boolean;
  /** False when the circuit is closed or the body too large. */
  send(command: number, body: Uint8Array): boolean;
  onCell(handler: (command: number, body: Uint8Array) => void): Unsubscribe;
  onClose(handler: (reason: string) => void): Unsubscribe;
  close(reason?: string): void;
}

/** The last hop's view of a circuit that ends here. `key` is unique among this node's live endpoints. */
export interface RelayEndpoint {
  readonly key: string;
  readonly isOpen: boolean;
  reply(command: number, body: Uint8Array): boolean;
  onClose(handler: (reason: string) => void): Unsubscribe;
  close(reason?: string): void;
}

export interface AccountOnion {
  buildCircuit(path: readonly MessengerPeer[], cb: (result: BuildResult) => void): void;
  onRelayCommand(command: number, handler: (endpoint: RelayEndpoint, body: Uint8Array) => void): Unsubscribe;
}
