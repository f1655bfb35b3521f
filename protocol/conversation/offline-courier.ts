/**
 * The offline half of a ConversationService (only when it has an OfflineMailbox):
 * - sender: a message that cannot get a channel is sealed and deposited in the recipient's mailbox ('stored'
 *   event, still pending), then resolved exactly once: delivered (offline: true) when the recipient's end-to-end
 *   ack arrives, or failed 'quota' / 'offline-store-failed' (deposit refused) / 'expired' (no ack within
 *   offlineExpiryMs) / 'stopped'.
 * - receiver: our mailbox is fetched every offlinePollMs (and on fetchOffline()); each new message is delivered
 *   once with protection { pfs: false }, and acknowledged end to end.
 *
 * The end-to-end ack travels as a small sealed letter into the SENDER's mailbox (not through a channel): it needs
 * no live path to the sender and reuses the same authenticated seal (only the recipient's key can produce an ack
 * the sender accepts: one-pass MQV authenticates the recipient as sender of the ack). The sender learns of it at
 * its next poll, so 'delivered' latency includes up to offlinePollMs. An ack whose deposit fails is not retried:
 * the sender then reports 'expired' (like 'timeout', "not confirmed"; the two-generals limit).
 *
 * Attacker's view: letters are authenticated (only the account key that sealed one is named as its sender), so an
 * ack can only resolve messages we stored for the account that sealed it; replayed letters are dropped by the
 * mailbox layer's SeenSet and, for messages, by the bounded delivered-id set here.
 */
import { toHex } from '../crypto/bytes.ts';
import type { KeyPair } from '../crypto/suite.ts';
import { equalBytes } from '../packet/bytes.ts';
import type { Clock, TimerId } from '../runtime/clock.ts';
import type { Rng } from '../runtime/rng.ts';
import type { ConversationConfig } from './constants.ts';
import { deliveredOfflineEvent, offlineMessageEvent, storedEvent, type ConversationEvent } from './events.ts';
import type { OfflineLetter, OfflineMailbox } from './offline.ts';
import { decodeOfflinePayload, encodeOfflineAck, encodeOfflineMessage, MAX_ACK_IDS } from './offline-wire.ts';
import type { ConversationDropReason, ConversationStats, FailureReason } from './stats.ts';
import { MESSAGE_ID_BYTES } from './wire.ts';

export interface CourierHost {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly account: KeyPair;
  readonly config: ConversationConfig;
  readonly stats: ConversationStats;
  emit(event: ConversationEvent): void;
  fail(id: string, to: Uint8Array, reason: FailureReason): void;
  drop(reason: ConversationDropReason): void;
}

interface Stored {
  readonly id: string;
  readonly to: Uint8Array;
  readonly sentAtMs: number;
  expiryTimer: TimerId | undefined;
}

export class OfflineCourier {
  /** Deposited or being deposited, no outcome yet. */
  private readonly pendingMsgs = new Map<string, Stored>();
  private readonly delivered = new Map<string, true>();
  private pollTimer: TimerId | undefined;
  private collecting = false;
  private stopped = false;

  constructor(
    private readonly host: CourierHost,
    private readonly mailbox: OfflineMailbox,
  ) {
    this.pollTimer = host.clock.setTimer(1, () => this.poll());
  }

  get pending(): number {
    return this.pendingMsgs.size;
  }

  /** Whether a body of this size can go offline. */
  fits(bodyBytes: number): boolean {
    return bodyBytes + 9 <= this.mailbox.maxPayloadBytes;
  }

  /** Seals and deposits a message that could not get a channel; its outcome comes later, exactly once. */
  divert(id: string, idBytes: Uint8Array, to: Uint8Array, body: Uint8Array, sentAtMs: number): void {
    const entry: Stored = { id, to, sentAtMs, expiryTimer: undefined };
    this.pendingMsgs.set(id, entry);
    const payload = encodeOfflineMessage(sentAtMs, body);
    this.mailbox.deposit(this.host.account, to, idBytes, payload, (r) => {
      if (this.stopped || this.pendingMsgs.get(id) !== entry) return;
      if (!r.ok) return this.resolveFailed(entry, r.reason === 'quota' ? 'quota' : 'offline-store-failed');
      this.host.stats.messagesStoredOffline++;
      entry.expiryTimer = this.host.clock.setTimer(this.host.config.offlineExpiryMs, () => {
        entry.expiryTimer = undefined;
        this.resolveFailed(entry, 'expired');
      });
      this.host.emit(storedEvent(id, to, r.replicas));
    });
  }

  /** Fetches our mailbox now (unless a fetch is running). */
  fetch(): void {
    if (this.stopped || this.collecting) return;
    this.collecting = true;
    this.host.stats.offlineFetches++;
    this.mailbox.collect(this.host.account, (letters) => {
      this.collecting = false;
      if (!this.stopped) this.receive(letters);
    });
  }

  stop(): void {
    if (this.stopped) return;
    for (const e of [...this.pendingMsgs.values()]) this.resolveFailed(e, 'stopped');
    this.stopped = true;
    if (this.pollTimer !== undefined) this.host.clock.cancelTimer(this.pollTimer);
    this.pollTimer = undefined;
  }

  private poll(): void {
    this.pollTimer = this.host.clock.setTimer(this.host.config.offlinePollMs, () => this.poll());
    this.fetch();
  }

  private receive(letters: readonly OfflineLetter[]): void {
    const acks = new Map<string, { to: Uint8Array; ids: Uint8Array[] }>();
    for (const l of letters) {
      const p = decodeOfflinePayload(l.payload);
      if (!p) {
        this.host.drop('bad-offline-payload');
        continue;
      }
      if (p.kind === 'ack') {
        for (const id of p.ids) this.onAck(l.fromAccountPub, toHex(id));
        continue;
      }
      const key = `${toHex(l.fromAccountPub)}/${toHex(l.messageId)}`;
      const fromHex = toHex(l.fromAccountPub);
      const ack = acks.get(fromHex) ?? { to: l.fromAccountPub, ids: [] };
      acks.set(fromHex, ack);
      ack.ids.push(l.messageId); // ack duplicates too: the first ack may have been lost
      if (this.delivered.has(key)) {
        this.host.drop('duplicate-offline');
        continue;
      }
      if (this.delivered.size >= this.host.config.offlineSeenMax) this.delivered.delete(this.delivered.keys().next().value!);
      this.delivered.set(key, true);
      this.host.stats.offlineMessagesReceived++;
      this.host.emit(offlineMessageEvent(l.fromAccountPub, toHex(l.messageId), p.body));
    }
    for (const { to, ids } of acks.values()) {
      for (let i = 0; i < ids.length; i += MAX_ACK_IDS) this.sendAck(to, ids.slice(i, i + MAX_ACK_IDS));
    }
  }

  private sendAck(to: Uint8Array, ids: Uint8Array[]): void {
    const ackId = this.host.rng.bytes(MESSAGE_ID_BYTES);
    this.mailbox.deposit(this.host.account, to, ackId, encodeOfflineAck(this.host.clock.now(), ids), (r) => {
      if (r.ok) this.host.stats.offlineAcksSent++;
      else this.host.stats.offlineAcksFailed++;
    });
  }

  private onAck(from: Uint8Array, id: string): void {
    const e = this.pendingMsgs.get(id);
    // Only the account the message was sent to can seal an ack naming it as sender.
    if (!e || !equalBytes(e.to, from)) return this.host.drop('unexpected-offline-ack');
    this.pendingMsgs.delete(id);
    if (e.expiryTimer !== undefined) this.host.clock.cancelTimer(e.expiryTimer);
    this.host.stats.deliveredOffline++;
    this.host.stats.messagesAcked++;
    this.host.emit(deliveredOfflineEvent(id, e.to, this.host.clock.now() - e.sentAtMs));
  }

  private resolveFailed(e: Stored, reason: FailureReason): void {
    if (!this.pendingMsgs.delete(e.id)) return;
    if (e.expiryTimer !== undefined) this.host.clock.cancelTimer(e.expiryTimer);
    this.host.fail(e.id, e.to, reason);
  }
}

