/**
 * What a ConversationService tells its node: delivered messages, exactly one outcome per sent message, and
 * session changes. A discriminated union built by small factories (the kad-dht event pattern).
 */
import type { MessageProtection } from '../crypto/message-security.ts';
import type { FailureReason } from './stats.ts';

/**
 * Protection of a message delivered through an end-to-end conversation session: ECMQV C(2e, 2s) on the two
 * AccountID keys plus erased ephemerals, so forward secret (crypto/message-security.ts, 'ecmqv-e2e').
 */
export type E2eProtection = Extract<MessageProtection, { scheme: 'ecmqv-e2e' }>;
export const E2E_PROTECTION: E2eProtection = Object.freeze({ pfs: true, scheme: 'ecmqv-e2e' });

/**
 * Protection of a message delivered from an offline mailbox (protocol/mailbox: one-pass MQV to the recipient's
 * static AccountID key): not forward secret. The scheme name is message-security.ts's 'mqv-offline'.
 */
export type OfflineProtection = Extract<MessageProtection, { pfs: false }>;
export const OFFLINE_MESSAGE_PROTECTION: OfflineProtection = Object.freeze({ pfs: false, scheme: 'mqv-offline' });

/**
 * The one final outcome of a sent message. `offline: true` on 'delivered' ("delivered-offline"): the message went
 * through the recipient's mailbox (after a 'stored' event) and the recipient's end-to-end ack came back; latency
 * from send() to that ack. (A flag rather than a third kind, so consumers that know only delivered/failed still
 * compile and count it as delivered; count `outcome.offline` for deliveredOffline.)
 */
export type MessageOutcome =
  | { readonly kind: 'delivered'; readonly latencyMs: number; readonly offline?: true }
  | { readonly kind: 'failed'; readonly reason: FailureReason };

export interface MessageEvent {
  readonly kind: 'message';
  readonly fromAccountPub: Uint8Array;
  /** The sender's id for this message (hex), equal to what its send() returned. */
  readonly messageId: string;
  readonly body: Uint8Array;
  readonly protection: E2eProtection | OfflineProtection;
}

export interface OutcomeEvent {
  readonly kind: 'outcome';
  readonly messageId: string;
  readonly toAccountPub: Uint8Array;
  readonly outcome: MessageOutcome;
}

export type SessionChange = 'established' | 'failed' | 'closed';

export interface SessionEvent {
  readonly kind: 'session';
  readonly peerAccountPub: Uint8Array;
  readonly role: 'initiator' | 'responder';
  readonly change: SessionChange;
  /** Why it failed or closed. */
  readonly reason?: string;
  readonly protection: E2eProtection;
}

/**
 * Not an outcome: the message could not get a channel, so it was sealed to the recipient's account and stored by
 * `replicas` mailbox holders. It stays pending until its outcome ('delivered-offline', or failed 'expired' /
 * 'stopped').
 */
export interface StoredEvent {
  readonly kind: 'stored';
  readonly messageId: string;
  readonly toAccountPub: Uint8Array;
  readonly replicas: number;
}

export type ConversationEvent = MessageEvent | OutcomeEvent | SessionEvent | StoredEvent;

export const offlineMessageEvent = (fromAccountPub: Uint8Array, messageId: string, body: Uint8Array): MessageEvent => ({
  kind: 'message',
  fromAccountPub,
  messageId,
  body,
  protection: OFFLINE_MESSAGE_PROTECTION,
});

export const storedEvent = (messageId: string, toAccountPub: Uint8Array, replicas: number): StoredEvent => ({
  kind: 'stored',
  messageId,
  toAccountPub,
  replicas,
});

export const deliveredOfflineEvent = (messageId: string, toAccountPub: Uint8Array, latencyMs: number): OutcomeEvent => ({
  kind: 'outcome',
  messageId,
  toAccountPub,
  outcome: { kind: 'delivered', latencyMs, offline: true },
});

export const messageEvent = (fromAccountPub: Uint8Array, messageId: string, body: Uint8Array): MessageEvent => ({
  kind: 'message',
  fromAccountPub,
  messageId,
  body,
  protection: E2E_PROTECTION,
});

export const deliveredEvent = (messageId: string, toAccountPub: Uint8Array, latencyMs: number): OutcomeEvent => ({
  kind: 'outcome',
  messageId,
  toAccountPub,
  outcome: { kind: 'delivered', latencyMs },
});

export const failedEvent = (messageId: string, toAccountPub: Uint8Array, reason: FailureReason): OutcomeEvent => ({
  kind: 'outcome',
  messageId,
  toAccountPub,
  outcome: { kind: 'failed', reason },
});

export const sessionEvent = (
  peerAccountPub: Uint8Array,
  role: 'initiator' | 'responder',
  change: SessionChange,
  reason?: string,
): SessionEvent => ({ kind: 'session', peerAccountPub, role, change, ...(reason ? { reason } : {}), protection: E2E_PROTECTION });
