/**
 * A bidirectional, unreliable, message-oriented pipe between two endpoints, e.g. Alice and Bob joined at a
 * rendezvous point (protocol/account). End-to-end sessions and acknowledgements (protocol/conversation) run
 * over it without knowing how it is routed. Messages may be lost; each is at most maxPayloadBytes.
 */
import type { Unsubscribe } from './messenger.ts';

export interface Channel {
  /** Largest payload `send` accepts. */
  readonly maxPayloadBytes: number;
  readonly isOpen: boolean;
  /** False (and counted by the implementation) when closed or the payload is too large. */
  send(payload: Uint8Array): boolean;
  onReceive(handler: (payload: Uint8Array) => void): Unsubscribe;
  /** Called once when the channel closes, from either end or because a circuit under it died. */
  onClose(handler: (reason: string) => void): Unsubscribe;
  close(reason?: string): void;
}
