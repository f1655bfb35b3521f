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

export type MessageOutcome =
  | { readonly kind: 'delivered'; readonly latencyMs: number }
  | { readonly kind: 'failed'; readonly reason: FailureReason };

export interface MessageEvent {
  readonly kind: 'message';
  readonly fromAccountPub: Uint8Array;
  /** The sender's id for this message (hex), equal to what its send() returned. */
  readonly messageId: string;
  readonly body: Uint8Array;
  readonly protection: E2eProtection;
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

export type ConversationEvent = MessageEvent | OutcomeEvent | SessionEvent;

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
