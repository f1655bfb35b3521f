/**
 * A holder's items: append, list, delete-by-ack, expiry, quotas, tombstones. Pure data structure (no network,
 * no timers: the service calls sweep()); every limit from MailboxConfig.
 *
 * Items are identified by SHA-256(item)[0..16], so nobody can replace an item by appending other bytes under its
 * id, and the same item arriving twice (a client retry, re-replication) is stored once. Expiry runs from the first
 * store anywhere (REPLICATE carries storedAtMs, clamped to [now - expiryMs, now]) so items cycling between holders
 * never live longer. Deleted ids are remembered (tombstones, bounded, until their item would have expired) so a
 * holder that missed the owner's DELETE cannot push the item back.
 */
import { toHex } from '../crypto/bytes.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { ITEM_ID_BYTES, MailboxStatus, type MailboxConfig, type MailboxStatusCode } from './constants.ts';
import type { MailboxStats } from './stats.ts';

export interface StoredItem {
  readonly id: Uint8Array;
  readonly idHex: string;
  readonly senderTagHex: string;
  readonly senderTag: Uint8Array;
  readonly storedAtMs: number;
  readonly item: Uint8Array;
}

export interface Mailbox {
  readonly key: Uint8Array;
  readonly items: Map<string, StoredItem>;
  bytes: number;
}

export function itemIdOf(suite: Pick<CryptoSuite, 'sha256'>, item: Uint8Array): Uint8Array {
  return suite.sha256(item).slice(0, ITEM_ID_BYTES);
}

export class MailboxStore {
  readonly mailboxes = new Map<string, Mailbox>();
  /** itemIdHex -> time after which the tombstone may go (insertion order = time order). */
  private readonly tombstones = new Map<string, number>();
  private bytes = 0;

  constructor(
    private readonly suite: Pick<CryptoSuite, 'sha256'>,
    private readonly config: MailboxConfig,
    private readonly stats: MailboxStats,
  ) {}

  append(key: Uint8Array, senderTag: Uint8Array, item: Uint8Array, nowMs: number, storedAtMs = nowMs): MailboxStatusCode {
    const { config } = this;
    const id = itemIdOf(this.suite, item);
    const idHex = toHex(id);
    const at = Math.min(nowMs, Math.max(nowMs - config.expiryMs, Math.floor(storedAtMs)));
    if (this.tombstones.has(idHex) || at + config.expiryMs <= nowMs) return this.refuse(MailboxStatus.GONE);
    const keyHex = toHex(key);
    let box = this.mailboxes.get(keyHex);
    if (box?.items.has(idHex)) {
      this.stats.itemsDuplicate++;
      return MailboxStatus.DUPLICATE;
    }
    if (this.bytes + item.length > config.maxHolderBytes || (!box && this.mailboxes.size >= config.maxMailboxes)) {
      return this.refuse(MailboxStatus.HOLDER_FULL);
    }
    if (box && (box.items.size >= config.maxItemsPerMailbox || box.bytes + item.length > config.maxBytesPerMailbox)) {
      return this.refuse(MailboxStatus.MAILBOX_FULL);
    }
    const tagHex = toHex(senderTag);
    if (box && this.countTag(box, tagHex) >= config.maxItemsPerSender) return this.refuse(MailboxStatus.SENDER_QUOTA);
    if (!box) {
      box = { key: key.slice(), items: new Map(), bytes: 0 };
      this.mailboxes.set(keyHex, box);
    }
    box.items.set(idHex, { id, idHex, senderTag: senderTag.slice(), senderTagHex: tagHex, storedAtMs: at, item: item.slice() });
    box.bytes += item.length;
    this.bytes += item.length;
    this.stats.itemsStored++;
    this.refreshGauges();
    return MailboxStatus.STORED;
  }

  list(key: Uint8Array): StoredItem[] {
    return [...(this.mailboxes.get(toHex(key))?.items.values() ?? [])];
  }

  has(key: Uint8Array, idHex: string): boolean {
    return this.mailboxes.get(toHex(key))?.items.has(idHex) ?? false;
  }

  /** Deletes the listed ids from the mailbox (owner's ack) and tombstones them; returns how many were held. */
  delete(key: Uint8Array, ids: readonly Uint8Array[], nowMs: number): number {
    const box = this.mailboxes.get(toHex(key));
    let n = 0;
    for (const id of ids) {
      const idHex = toHex(id);
      this.tombstone(idHex, nowMs + this.config.expiryMs);
      if (box && this.remove(box, idHex)) n++;
    }
    this.stats.itemsDeleted += n;
    if (box && box.items.size === 0) this.mailboxes.delete(toHex(key));
    this.refreshGauges();
    return n;
  }

  /** Drops expired items and tombstones; returns the number of items expired. */
  sweep(nowMs: number): number {
    let expired = 0;
    for (const [keyHex, box] of this.mailboxes) {
      for (const it of [...box.items.values()]) {
        if (it.storedAtMs + this.config.expiryMs <= nowMs && this.remove(box, it.idHex)) expired++;
      }
      if (box.items.size === 0) this.mailboxes.delete(keyHex);
    }
    for (const [idHex, until] of this.tombstones) {
      if (until > nowMs) break;
      this.tombstones.delete(idHex);
    }
    this.stats.itemsExpired += expired;
    this.refreshGauges();
    return expired;
  }

  get tombstoneCount(): number {
    return this.tombstones.size;
  }

  private tombstone(idHex: string, until: number): void {
    this.tombstones.delete(idHex);
    if (this.tombstones.size >= this.config.maxTombstones) this.tombstones.delete(this.tombstones.keys().next().value!);
    this.tombstones.set(idHex, until);
  }

  private remove(box: Mailbox, idHex: string): boolean {
    const it = box.items.get(idHex);
    if (!it) return false;
    box.items.delete(idHex);
    box.bytes -= it.item.length;
    this.bytes -= it.item.length;
    return true;
  }

  private countTag(box: Mailbox, tagHex: string): number {
    let n = 0;
    for (const it of box.items.values()) if (it.senderTagHex === tagHex) n++;
    return n;
  }

  private refuse(status: MailboxStatusCode): MailboxStatusCode {
    if (status === MailboxStatus.MAILBOX_FULL) this.stats.refusedMailboxFull++;
    else if (status === MailboxStatus.SENDER_QUOTA) this.stats.refusedSenderQuota++;
    else if (status === MailboxStatus.HOLDER_FULL) this.stats.refusedHolderFull++;
    else if (status === MailboxStatus.GONE) this.stats.refusedGone++;
    return status;
  }

  private refreshGauges(): void {
    this.stats.mailboxesHeld = this.mailboxes.size;
    this.stats.bytesHeld = this.bytes;
    let n = 0;
    for (const b of this.mailboxes.values()) n += b.items.size;
    this.stats.itemsHeld = n;
  }
}
