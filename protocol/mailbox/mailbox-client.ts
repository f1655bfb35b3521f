/**
 * The client side of mailboxes: store a sealed item at the k holders of a recipient's mailbox key, fetch one's
 * own mailbox (current and previous periods), and delete what was fetched (delete-by-ack). Every request goes
 * through its own circuit whose last hop is the holder (requester.ts), so a holder learns neither who stores
 * nor who fetches; it sees the blinded key A' of a fetcher, never A.
 */
import { toHex } from '../crypto/bytes.ts';
import type { CryptoSuite, KeyPair } from '../crypto/suite.ts';
import { periodOf } from '../account/blinding.ts';
import { Timers } from '../account/timers.ts';
import type { MessengerPeer } from '../messenger/messenger.ts';
import { MailboxCmd, MailboxStatus, resolveMailboxConfig, type MailboxConfig } from './constants.ts';
import { closestHolders, type MailboxDht } from './holders.ts';
import { mailboxKey, ownMailbox, proofMessage } from './mailbox-key.ts';
import { itemIdOf } from './mailbox-store.ts';
import { Requester, type LocalMailbox, type MailboxNet, type RequestEnd } from './requester.ts';
import { countDrop, emptyMailboxStats, type MailboxStats } from './stats.ts';
import { decodeListItem, decodeStatus, encodeAppend, encodeProof, MAX_DELETE_IDS, MAX_ITEM_BYTES } from './wire.ts';

export type StoreFailure = 'quota' | 'refused' | 'no-holders' | 'timeout' | 'too-large';
export type StoreResult = { ok: true; replicas: number } | { ok: false; reason: StoreFailure };

export interface FetchedItem {
  readonly key: Uint8Array;
  readonly period: number;
  readonly itemId: Uint8Array;
  readonly storedAtMs: number;
  /** The sender tag the item was stored under (unverified: the opener checks it). */
  readonly senderTag: Uint8Array;
  readonly item: Uint8Array;
}

export interface FetchResult {
  readonly items: FetchedItem[];
  /** Holders asked and holders that answered with a valid list, over all periods. */
  readonly holdersAsked: number;
  readonly holdersAnswered: number;
  /** Every period's mailbox was listed by at least one holder. */
  readonly complete: boolean;
}

export interface MailboxClientComponents extends MailboxNet {
  dht: MailboxDht;
  /** This node's own MailboxService.local, when the node is a holder too. */
  local?: LocalMailbox;
}

interface Box {
  readonly key: Uint8Array;
  readonly period: number;
  readonly blinded: KeyPair;
  readonly holders: MessengerPeer[];
}

export class MailboxClient {
  readonly config: MailboxConfig;
  private readonly counters: MailboxStats = emptyMailboxStats();
  private readonly timers: Timers;
  private readonly requester: Requester;
  /** Holders each fetched mailbox key was asked at, for ack(). Bounded by fetchPeriods per fetch; reset per fetch. */
  private readonly boxes = new Map<string, Box>();
  private stopped = false;

  constructor(
    private readonly components: MailboxClientComponents,
    init: Partial<MailboxConfig> = {},
  ) {
    this.config = resolveMailboxConfig(init);
    this.timers = new Timers(components.clock);
    this.requester = new Requester(components, this.config, this.counters, this.timers, () => components.local);
  }

  stats(): MailboxStats {
    return { ...this.counters, storesFailed: { ...this.counters.storesFailed }, dropped: { ...this.counters.dropped } };
  }

  get timerCount(): number {
    return this.timers.size;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.requester.stop();
    this.timers.cancelAll();
  }

  /**
   * Stores `sealed` at the holders of `toAccountPub`'s current mailbox, counted under the sender tag `tagOf`
   * computes for that mailbox key (mailbox-key.ts senderTag); cb exactly once (never after stop()).
   */
  store(toAccountPub: Uint8Array, sealed: Uint8Array, tagOf: (key: Uint8Array) => Uint8Array, cb: (r: StoreResult) => void): void {
    const done = (r: StoreResult): void => {
      if (this.stopped) return;
      if (r.ok) this.counters.storesOk++;
      else this.counters.storesFailed[r.reason] = (this.counters.storesFailed[r.reason] ?? 0) + 1;
      cb(r);
    };
    if (sealed.length > MAX_ITEM_BYTES) return void this.timers.set(1, () => done({ ok: false, reason: 'too-large' }));
    const key = mailboxKey(this.components.suite, toAccountPub, this.period());
    const senderTag = tagOf(key);
    this.holders(key, (holders) => {
      if (holders.length === 0) return done({ ok: false, reason: 'no-holders' });
      const statuses: (number | RequestEnd)[] = [];
      let reported = false;
      let grace: ReturnType<Timers['set']> | undefined;
      const report = (): void => {
        if (reported) return;
        reported = true;
        this.timers.cancel(grace);
        done(this.verdict(statuses));
      };
      for (const h of holders) {
        const reqId = this.components.rng.int(2 ** 32);
        let status: number | undefined;
        this.requester.request(
          h,
          [{ command: MailboxCmd.APPEND, body: encodeAppend({ reqId, key, senderTag, item: sealed }) }],
          (cmd, body) => {
            const s = cmd === MailboxCmd.APPEND_REPLY ? decodeStatus(body, false) : null;
            if (!s || s.reqId !== reqId) return this.drop(s ? 'unexpected' : 'malformed');
            status = s.status;
            return true;
          },
          (end) => {
            statuses.push(status ?? end);
            if (statuses.length === holders.length) return report();
            // Enough replicas: wait at most storeGraceMs for the others (a dead holder would cost requestTimeoutMs).
            if (grace === undefined && !reported && this.verdict(statuses).ok) grace = this.timers.set(this.config.storeGraceMs, report);
          },
        );
      }
    });
  }

  /**
   * Lists the account's mailboxes of the current period and fetchPeriods-1 before it (none before `sincePeriod`)
   * at their holders; items seen at several holders are returned once. cb exactly once (never after stop()).
   */
  fetch(account: KeyPair, cb: (r: FetchResult) => void, sincePeriod = 0): void {
    this.counters.fetches++;
    const now = this.components.clock.now();
    const current = this.period();
    const periods: number[] = [];
    for (let p = current; p >= Math.max(0, sincePeriod) && p > current - this.config.fetchPeriods; p--) periods.push(p);
    if (periods.length === 0) periods.push(current);
    const items = new Map<string, FetchedItem>();
    let asked = 0;
    let answered = 0;
    const answeredPeriods = new Set<number>();
    let boxesLeft = periods.length;
    const boxDone = (): void => {
      if (--boxesLeft > 0 || this.stopped) return;
      this.counters.itemsFetched += items.size;
      cb({ items: [...items.values()], holdersAsked: asked, holdersAnswered: answered, complete: answeredPeriods.size === periods.length });
    };
    for (const period of periods) {
      const { blinded, key } = ownMailbox(this.components.suite, account, period);
      this.holders(key, (holders) => {
        const box: Box = { key, period, blinded, holders };
        this.remember(box);
        let left = holders.length;
        if (left === 0) return boxDone();
        for (const h of holders) {
          asked++;
          const reqId = this.components.rng.int(2 ** 32);
          const body = encodeProof({ reqId, key, blindedPub: blinded.publicKey, timestampMs: now, itemIds: [], signature: this.sign(blinded, 'list', key, now) }, false);
          const got: FetchedItem[] = [];
          this.requester.request(
            h,
            [{ command: MailboxCmd.LIST, body }],
            (cmd, b) => this.onListCell(cmd, b, reqId, box, got, () => (answered++, answeredPeriods.add(period))),
            () => {
              for (const it of got) items.set(toHex(it.itemId), it);
              if (--left === 0) boxDone();
            },
          );
        }
      });
    }
  }

  /** Deletes fetched items at every holder of their mailbox (delete-by-ack); cb with how many deletions holders confirmed. */
  ack(items: readonly FetchedItem[], account: KeyPair, cb: (deleted: number) => void = () => {}): void {
    const byKey = new Map<string, FetchedItem[]>();
    for (const it of items) {
      const k = toHex(it.key);
      byKey.set(k, [...(byKey.get(k) ?? []), it]);
    }
    const jobs: { box: Box; ids: Uint8Array[] }[] = [];
    for (const [k, list] of byKey) {
      const box = this.boxes.get(k) ?? this.boxOf(account, list[0]);
      for (let i = 0; i < list.length; i += MAX_DELETE_IDS) jobs.push({ box, ids: list.slice(i, i + MAX_DELETE_IDS).map((x) => x.itemId) });
    }
    let left = jobs.reduce((n, j) => n + j.box.holders.length, 0);
    let deleted = 0;
    if (left === 0) return void this.timers.set(1, () => !this.stopped && cb(0));
    const now = this.components.clock.now();
    for (const { box, ids } of jobs) {
      const signature = this.sign(box.blinded, 'delete', box.key, now, ids);
      for (const h of box.holders) {
        const reqId = this.components.rng.int(2 ** 32);
        const body = encodeProof({ reqId, key: box.key, blindedPub: box.blinded.publicKey, timestampMs: now, itemIds: ids, signature }, true);
        this.requester.request(
          h,
          [{ command: MailboxCmd.DELETE, body }],
          (cmd, b) => {
            const s = cmd === MailboxCmd.DELETE_REPLY ? decodeStatus(b, true) : null;
            if (!s || s.reqId !== reqId) return this.drop(s ? 'unexpected' : 'malformed');
            if (s.status === MailboxStatus.OK) deleted += s.count;
            return true;
          },
          () => {
            if (--left === 0 && !this.stopped) cb(deleted);
          },
        );
      }
    }
  }

  /** Reports a store that cannot even be sealed (bad recipient key) as refused, on a later tick. */
  reject(cb: (r: StoreResult) => void, reason: StoreFailure = 'refused'): void {
    this.timers.set(1, () => {
      if (this.stopped) return;
      this.counters.storesFailed[reason] = (this.counters.storesFailed[reason] ?? 0) + 1;
      cb({ ok: false, reason });
    });
  }

  /** The current period number (blinding / mailbox key period). */
  period(): number {
    return periodOf(this.components.clock.now(), this.config.periodMs);
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  private onListCell(cmd: number, b: Uint8Array, reqId: number, box: Box, got: FetchedItem[], answered: () => void): boolean {
    if (cmd === MailboxCmd.LIST_ITEM) {
      const m = decodeListItem(b);
      if (!m || m.reqId !== reqId) return this.drop(m ? 'unexpected' : 'malformed');
      if (got.length >= this.config.maxItemsPerMailbox) return this.drop('unexpected');
      got.push({ key: box.key, period: box.period, itemId: itemIdOf(this.components.suite, m.item), storedAtMs: m.storedAtMs, senderTag: m.senderTag, item: m.item });
      return false;
    }
    const s = cmd === MailboxCmd.LIST_END ? decodeStatus(b, true) : null;
    if (!s || s.reqId !== reqId) return this.drop(s ? 'unexpected' : 'malformed');
    if (s.status === MailboxStatus.OK) answered();
    else got.length = 0;
    return true;
  }

  private verdict(statuses: readonly (number | RequestEnd)[]): StoreResult {
    const ok = statuses.filter((s) => s === MailboxStatus.STORED || s === MailboxStatus.DUPLICATE).length;
    if (ok >= this.config.minReplicas) return { ok: true, replicas: ok };
    const quota: readonly (number | RequestEnd)[] = [MailboxStatus.MAILBOX_FULL, MailboxStatus.SENDER_QUOTA, MailboxStatus.HOLDER_FULL];
    if (statuses.some((s) => quota.includes(s))) return { ok: false, reason: 'quota' };
    if (statuses.some((s) => typeof s === 'number')) return { ok: false, reason: 'refused' };
    return { ok: false, reason: 'timeout' };
  }

  private holders(key: Uint8Array, cb: (holders: MessengerPeer[]) => void): void {
    this.components.dht.findNode(key, (r) => {
      if (this.stopped) return;
      const self = this.components.local ? this.components.self() : undefined;
      cb(closestHolders(this.components.suite, key, r.closest, self, this.config.replicas));
    });
  }

  private remember(box: Box): void {
    const k = toHex(box.key);
    this.boxes.delete(k);
    if (this.boxes.size >= 4 * this.config.fetchPeriods) this.boxes.delete(this.boxes.keys().next().value!);
    this.boxes.set(k, box);
  }

  private boxOf(account: KeyPair, it: FetchedItem): Box {
    const { blinded, key } = ownMailbox(this.components.suite, account, it.period);
    return { key, period: it.period, blinded, holders: [] };
  }

  private sign(blinded: KeyPair, kind: 'list' | 'delete', key: Uint8Array, nowMs: number, ids: Uint8Array[] = []): Uint8Array {
    return this.components.suite.sign(blinded.privateKey, proofMessage(kind, key, nowMs, ids));
  }

  private drop(reason: 'unexpected' | 'malformed'): false {
    countDrop(this.counters, reason);
    return false;
  }
}
