/**
 * What ConversationService needs from an offline store (implemented by protocol/mailbox/offline-mailbox.ts):
 * seal a payload to an account and keep it near that account's (blinded, per-period) mailbox key; and, for our
 * own account, fetch, open, de-duplicate and delete what others left. Payloads are opaque here; offline-wire.ts
 * gives them their meaning (a message, or an end-to-end ack of offline messages).
 */
import type { KeyPair } from '../crypto/suite.ts';

export type DepositFailure = 'quota' | 'refused' | 'no-holders' | 'timeout' | 'too-large';
export type DepositResult = { ok: true; replicas: number } | { ok: false; reason: DepositFailure };

export interface OfflineLetter {
  /** Authenticated sender account (one-pass MQV: only its private key could have sealed the letter). */
  readonly fromAccountPub: Uint8Array;
  readonly messageId: Uint8Array;
  readonly payload: Uint8Array;
}

export interface OfflineMailbox {
  /** Largest payload deposit() accepts. */
  readonly maxPayloadBytes: number;
  /** Seals `payload` from `from` to `toAccountPub` under `messageId` and stores it; cb exactly once. */
  deposit(from: KeyPair, toAccountPub: Uint8Array, messageId: Uint8Array, payload: Uint8Array, cb: (r: DepositResult) => void): void;
  /**
   * Fetches `account`'s mailboxes, opens every item, drops (and counts) forged, tampered and replayed ones, deletes
   * what it fetched at the holders, and calls cb exactly once with each new letter once.
   */
  collect(account: KeyPair, cb: (letters: OfflineLetter[]) => void): void;
}
