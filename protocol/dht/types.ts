/**
 * Shared shapes of the DHT: contacts, the messenger subset of protocol/session's SessionManager the DHT needs,
 * and the policy hook later issues use for cross-checked entry nodes and eclipse defences.
 */
import type { Address } from '../runtime/transport.ts';
import type { DhtKey } from './keys.ts';

/** A peer as the session layer names it: where to send, and the static key that authenticates it. */
export interface PeerRef {
  readonly address: Address;
  readonly nodePub: Uint8Array;
}

/** A routing-table entry: `key` is always SHA-256(nodePub), computed locally, never taken from the wire. */
export interface Contact extends PeerRef {
  readonly key: DhtKey;
  /** Clock time we last heard from this contact directly (0 if only learned second-hand). */
  readonly lastSeenMs: number;
}

/** An authenticated inbound message as the session layer delivers it. */
export interface InboundMessage {
  readonly from: PeerRef;
  readonly body: Uint8Array;
}

/**
 * Exactly the part of protocol/session's SessionManager the DHT uses, so it plugs into it unchanged and runs over
 * an in-test fake network meanwhile. Every DHT message travels under one session payload type.
 */
export interface DhtMessenger {
  send(peer: { address: string; nodePub: Uint8Array }, type: number, body: Uint8Array): void;
  onMessage(type: number, handler: (msg: { from: { address: string; nodePub: Uint8Array }; body: Uint8Array }) => void): void;
}

/** Where a candidate contact came from, for the policy hook. */
export type ContactSource = 'bootstrap' | 'inbound' | 'reply';

/**
 * Extension point for later issues (cross-checked entry nodes, eclipse resistance). Honest defaults admit
 * everything; a malicious or defensive node passes its own policy instead of patching honest code.
 */
export interface DhtPolicy {
  /** Whether `contact` may enter the routing table. */
  admitContact(contact: Contact, source: ContactSource): boolean;
  /** Chooses which bootstrap entries to contact (e.g. after cross-checking them). */
  selectBootstrap(entries: readonly Contact[]): Contact[];
}

export const openPolicy: DhtPolicy = {
  admitContact: () => true,
  selectBootstrap: (entries) => [...entries],
};

/** A value stored in the DHT: its record type selects the validator (record-validator.ts). */
export interface DhtRecord {
  readonly recordType: number;
  readonly value: Uint8Array;
}

export function contactOf(key: DhtKey, peer: PeerRef, lastSeenMs = 0): Contact {
  return { key, nodePub: peer.nodePub, address: peer.address, lastSeenMs };
}
