/**
 * The holder role every node runs: mailbox relay commands arrive at the last hop of a circuit (the client's or
 * another holder's) and are answered on it. Items live in a MailboxStore (append, list, delete-by-ack, quotas,
 * expiry, tombstones); a sweep timer expires them and a re-replication timer pushes them to the other k closest
 * nodes of each mailbox key, so replicas survive holders leaving.
 *
 * Who can send what (attacker's view):
 * - APPEND: anyone, through a circuit, so the holder cannot tell senders apart. Bounded by the per-mailbox items
 *   and bytes quota, the per-sender-tag quota (an honest client's tag; a forger draws new tags, see mailbox-key.ts),
 *   the holder's maxMailboxes and maxHolderBytes (a flood of fresh mailbox keys), and expiry. Every refusal is
 *   answered with a status, so the sender learns 'quota'. Items are content-addressed: nothing can be replaced.
 * - LIST / DELETE: only with a signature by the blinded key a' over the mailbox key and a timestamp within
 *   proofSkewMs (and for DELETE the item ids): a replayed proof lists ciphertext the replayer has seen or deletes
 *   items the owner asked to delete anyway. LIST answers at most maxItemsPerMailbox + 1 cells (amplification bound
 *   per proof; the proof costs the owner a signature and a circuit).
 * - REPLICATE: anyone (holders are not authenticated as holders); treated as an APPEND with the same quotas, its
 *   storedAtMs clamped so it cannot extend an item's life; tombstoned ids are refused.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import type { AccountOnion, RelayEndpoint } from '../account/onion-api.ts';
import { Timers } from '../account/timers.ts';
import { bytesEqual } from '../dht/keys.ts';
import type { MessengerPeer, Unsubscribe } from '../messenger/messenger.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Rng } from '../runtime/rng.ts';
import { MailboxCmd, MailboxStatus, resolveMailboxConfig, type MailboxConfig } from './constants.ts';
import { closestHolders, type MailboxDht } from './holders.ts';
import { mailboxKeyOfBlinded, proofMessage } from './mailbox-key.ts';
import { MailboxStore, type StoredItem } from './mailbox-store.ts';
import { Requester, type LocalMailbox } from './requester.ts';
import { countDrop, emptyMailboxStats, type MailboxDropReason, type MailboxStats } from './stats.ts';
import {
  decodeAppend,
  decodeProof,
  decodeReplicate,
  decodeStatus,
  encodeListItem,
  encodeReplicate,
  encodeStatus,
  type ProofMsg,
} from './wire.ts';

export interface MailboxComponents {
  onion: AccountOnion;
  dht: MailboxDht;
  clock: Clock;
  rng: Rng;
  suite: CryptoSuite;
  pickRelays(count: number, exclude?: readonly Uint8Array[]): MessengerPeer[];
  self(): MessengerPeer;
}

type Reply = (command: number, body: Uint8Array) => void;
type Handler = (body: Uint8Array, reply: Reply) => MailboxDropReason | undefined;

export class MailboxService {
  readonly config: MailboxConfig;
  private readonly counters: MailboxStats = emptyMailboxStats();
  readonly store: MailboxStore;
  private readonly timers: Timers;
  private readonly requester: Requester;
  private readonly unsubscribe: Unsubscribe[] = [];
  private readonly handlers: Record<number, Handler>;
  private stopped = false;

  constructor(
    private readonly components: MailboxComponents,
    init: Partial<MailboxConfig> = {},
  ) {
    this.config = resolveMailboxConfig(init);
    this.timers = new Timers(components.clock);
    this.store = new MailboxStore(components.suite, this.config, this.counters);
    this.requester = new Requester(components, this.config, this.counters, this.timers, () => undefined);
    this.handlers = {
      [MailboxCmd.APPEND]: (b, r) => this.onAppend(b, r),
      [MailboxCmd.REPLICATE]: (b, r) => this.onReplicate(b, r),
      [MailboxCmd.LIST]: (b, r) => this.onList(b, r),
      [MailboxCmd.DELETE]: (b, r) => this.onDelete(b, r),
    };
    for (const cmd of Object.keys(this.handlers).map(Number)) {
      this.unsubscribe.push(components.onion.onRelayCommand(cmd, (ep, body) => this.handle(cmd, body, endpointReply(ep))));
    }
    this.timers.set(this.config.sweepMs, () => this.sweep());
    // Spread first rounds so holders of one key do not all push at once.
    this.timers.set(1 + components.rng.int(this.config.replicateMs), () => this.replicate());
  }

  /** For this node's own MailboxClient, when it is a holder itself. */
  readonly local: LocalMailbox = (command, body, reply) => this.handle(command, body, reply);

  stats(): MailboxStats {
    return { ...this.counters, storesFailed: { ...this.counters.storesFailed }, dropped: { ...this.counters.dropped } };
  }

  /** Timers left (tests: 0 after stop). */
  get timerCount(): number {
    return this.timers.size;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const u of this.unsubscribe) u();
    this.requester.stop();
    this.timers.cancelAll();
  }

  /** Runs one re-replication round now (tests; the timer calls it every replicateMs). */
  replicateNow(): void {
    this.replicateRound();
  }

  // ---- receive path -------------------------------------------------------------------------------------------

  private handle(command: number, body: Uint8Array, reply: Reply): void {
    if (this.stopped) return countDrop(this.counters, 'closed');
    const handler = this.handlers[command];
    if (!handler) return;
    let drop: MailboxDropReason | undefined;
    try {
      drop = handler(body, reply);
    } catch {
      drop = 'internal';
    }
    if (drop) countDrop(this.counters, drop);
  }

  private onAppend(body: Uint8Array, reply: Reply): MailboxDropReason | undefined {
    const m = decodeAppend(body);
    if (!m) return 'malformed';
    const status = this.store.append(m.key, m.senderTag, m.item, this.now());
    reply(MailboxCmd.APPEND_REPLY, encodeStatus({ reqId: m.reqId, status, count: 0 }, false));
    return undefined;
  }

  private onReplicate(body: Uint8Array, reply: Reply): MailboxDropReason | undefined {
    const m = decodeReplicate(body);
    if (!m) return 'malformed';
    const status = this.store.append(m.key, m.senderTag, m.item, this.now(), m.storedAtMs);
    if (status === MailboxStatus.STORED) this.counters.replicasReceived++;
    reply(MailboxCmd.APPEND_REPLY, encodeStatus({ reqId: m.reqId, status, count: 0 }, false));
    return undefined;
  }

  private onList(body: Uint8Array, reply: Reply): MailboxDropReason | undefined {
    const m = decodeProof(body, false);
    if (!m) return 'malformed';
    if (!this.proofOk(m, 'list')) {
      reply(MailboxCmd.LIST_END, encodeStatus({ reqId: m.reqId, status: MailboxStatus.BAD_PROOF, count: 0 }, true));
      return 'bad-proof';
    }
    const items = this.store.list(m.key).slice(0, this.config.maxItemsPerMailbox);
    for (const it of items) reply(MailboxCmd.LIST_ITEM, encodeListItem({ reqId: m.reqId, storedAtMs: it.storedAtMs, senderTag: it.senderTag, item: it.item }));
    this.counters.itemsListed += items.length;
    reply(MailboxCmd.LIST_END, encodeStatus({ reqId: m.reqId, status: MailboxStatus.OK, count: items.length }, true));
    return undefined;
  }

  private onDelete(body: Uint8Array, reply: Reply): MailboxDropReason | undefined {
    const m = decodeProof(body, true);
    if (!m) return 'malformed';
    if (!this.proofOk(m, 'delete')) {
      reply(MailboxCmd.DELETE_REPLY, encodeStatus({ reqId: m.reqId, status: MailboxStatus.BAD_PROOF, count: 0 }, true));
      return 'bad-proof';
    }
    const n = this.store.delete(m.key, m.itemIds, this.now());
    reply(MailboxCmd.DELETE_REPLY, encodeStatus({ reqId: m.reqId, status: MailboxStatus.OK, count: n }, true));
    return undefined;
  }

  private proofOk(m: ProofMsg, kind: 'list' | 'delete'): boolean {
    const { suite } = this.components;
    if (Math.abs(m.timestampMs - this.now()) > this.config.proofSkewMs) return false;
    if (!bytesEqual(mailboxKeyOfBlinded(suite, m.blindedPub), m.key)) return false;
    try {
      return suite.verify(m.blindedPub, proofMessage(kind, m.key, m.timestampMs, m.itemIds), m.signature);
    } catch {
      return false; // blindedPub not a point
    }
  }

  // ---- expiry and re-replication ------------------------------------------------------------------------------

  private sweep(): void {
    this.store.sweep(this.now());
    this.timers.set(this.config.sweepMs, () => this.sweep());
  }

  private replicate(): void {
    this.replicateRound();
    this.timers.set(this.config.replicateMs, () => this.replicate());
  }

  private replicateRound(): void {
    if (this.stopped) return;
    this.counters.replicationRounds++;
    let budget = this.config.maxPushesPerRound;
    for (const box of [...this.store.mailboxes.values()]) {
      if (budget <= 0) break;
      const items = [...box.items.values()].slice(0, budget);
      budget -= items.length;
      const key = box.key;
      this.components.dht.findNode(key, (r) => {
        if (this.stopped) return;
        const self = this.components.self();
        const holders = closestHolders(this.components.suite, key, r.closest, self, this.config.replicas);
        for (const h of holders) if (!bytesEqual(h.nodePub, self.nodePub)) this.push(h, key, items);
      });
    }
  }

  /** Offers every item to one other holder over a one-hop circuit (holders are public DHT nodes, not hidden). */
  private push(holder: MessengerPeer, key: Uint8Array, items: readonly StoredItem[]): void {
    const live = items.filter((it) => this.store.has(key, it.idHex));
    if (live.length === 0) return;
    const reqIds = new Set<number>();
    const cells = live.map((it) => {
      const reqId = this.components.rng.int(2 ** 32);
      reqIds.add(reqId);
      return { command: MailboxCmd.REPLICATE, body: encodeReplicate({ reqId, key, senderTag: it.senderTag, storedAtMs: it.storedAtMs, item: it.item }) };
    });
    this.counters.replicationPushes += cells.length;
    this.requester.request(
      holder,
      cells,
      (cmd, body) => {
        const s = cmd === MailboxCmd.APPEND_REPLY ? decodeStatus(body, false) : null;
        if (!s || !reqIds.delete(s.reqId)) {
          countDrop(this.counters, s ? 'unexpected' : 'malformed');
          return false;
        }
        if (s.status === MailboxStatus.STORED) this.counters.replicasRestored++;
        return reqIds.size === 0;
      },
      (end) => {
        if (end !== 'ok') this.counters.replicationPushesFailed++;
      },
      1,
    );
  }

  private now(): number {
    return Math.floor(this.components.clock.now());
  }
}

function endpointReply(ep: RelayEndpoint): Reply {
  return (command, body) => void ep.reply(command, body);
}
