/**
 * protocol/conversation's OfflineMailbox on top of the mailbox layer: deposit = offline seal (one-pass MQV) +
 * sender tag + MailboxClient.store; collect = MailboxClient.fetch + open + replay check + sender-tag check +
 * MailboxClient.ack (every fetched item is deleted, whether it opened or not: only the owner can ask, and an item
 * that does not open now never will).
 */
import type { KeyPair, CryptoSuite } from '../crypto/suite.ts';
import { CryptoError } from '../crypto/suite.ts';
import { toHex } from '../crypto/bytes.ts';
import { bytesEqual } from '../dht/keys.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Rng } from '../runtime/rng.ts';
import type { DepositResult, OfflineLetter, OfflineMailbox } from '../conversation/offline.ts';
import type { MailboxClient } from './mailbox-client.ts';
import { senderTag } from './mailbox-key.ts';
import { offlineOpen, offlineSeal, OfflineSealError, SEAL_OVERHEAD_BYTES, SeenSet } from './offline-seal.ts';
import { countDrop, emptyMailboxStats, type MailboxStats } from './stats.ts';
import { MAX_ITEM_BYTES } from './wire.ts';

export interface OfflineMailboxInit {
  /** (sender, message id) pairs remembered against replays. */
  seenMax?: number;
}

export class MailboxOffline implements OfflineMailbox {
  readonly maxPayloadBytes = MAX_ITEM_BYTES - SEAL_OVERHEAD_BYTES;
  readonly counters: MailboxStats = emptyMailboxStats();
  private readonly seen: SeenSet;
  /** Per account (hex): the period of the last fetch that every holder answered; later fetches start one before it. */
  private readonly fetchedUpTo = new Map<string, number>();

  constructor(
    private readonly client: MailboxClient,
    private readonly components: { suite: CryptoSuite; rng: Rng; clock: Clock },
    init: OfflineMailboxInit = {},
  ) {
    // Remember ids twice as long as holders keep items.
    this.seen = new SeenSet(init.seenMax ?? 8_192, 2 * client.config.expiryMs);
  }

  deposit(from: KeyPair, toAccountPub: Uint8Array, messageId: Uint8Array, payload: Uint8Array, cb: (r: DepositResult) => void): void {
    const { suite, rng } = this.components;
    let sealed: Uint8Array;
    try {
      sealed = offlineSeal(suite, rng, from, toAccountPub, messageId, payload);
    } catch (e) {
      if (!(e instanceof CryptoError)) throw e;
      return this.client.reject(cb);
    }
    this.client.store(toAccountPub, sealed, (key) => senderTag(suite, from, toAccountPub, key), cb);
  }

  /**
   * The first fetch covers fetchPeriods periods (the holders' expiry); later ones start one period before the last
   * fetch that all holders answered (one before: a sender whose clock is a little behind stores in the old period).
   */
  collect(account: KeyPair, cb: (letters: OfflineLetter[]) => void): void {
    const who = toHex(account.publicKey);
    const period = this.client.period();
    const since = this.fetchedUpTo.get(who);
    this.client.fetch(account, (r) => {
      if (r.complete) {
        if (this.fetchedUpTo.size >= 64 && !this.fetchedUpTo.has(who)) this.fetchedUpTo.delete(this.fetchedUpTo.keys().next().value!);
        this.fetchedUpTo.set(who, period);
      }
      const letters: OfflineLetter[] = [];
      const now = this.components.clock.now();
      for (const it of r.items) {
        try {
          const opened = offlineOpen(this.components.suite, account, it.item);
          const tag = senderTag(this.components.suite, account, opened.senderPub, it.key);
          if (!bytesEqual(tag, it.senderTag)) countDrop(this.counters, 'bad-sender-tag'); // still a valid letter
          if (!this.seen.admit(opened.senderPub, opened.messageId, now)) {
            countDrop(this.counters, 'replay');
            continue;
          }
          letters.push({ fromAccountPub: opened.senderPub, messageId: opened.messageId, payload: opened.plaintext });
        } catch (e) {
          countDrop(this.counters, e instanceof OfflineSealError ? (e.code === 'replay' ? 'replay' : e.code) : 'internal');
        }
      }
      if (r.items.length > 0) this.client.ack(r.items, account);
      cb(letters);
    }, since === undefined ? 0 : since - 1);
  }

  stats(): MailboxStats {
    const c = this.client.stats();
    return { ...c, dropped: { ...c.dropped, ...this.counters.dropped } };
  }
}
