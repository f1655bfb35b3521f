/**
 * Joining through entry nodes, with the seed design's cross-check or without it (`createEntryJoin(defence)`).
 *
 * 'cross-check' (crossCheckedJoin), for a newcomer that knows several entries:
 *  1. GET_ONLINE from every entry: each answers a sample of contacts it believes online.
 *  2. CONFIRM each entry's list at every *other* entry that answered: 'exists' / 'unknown' per contact.
 *  3. judgeEntries (judge.ts): contacts confirmed by another non-flawed entry are confirmed; an entry with less
 *     than `flawThreshold` of its list confirmed is flawed. Flawed entries, and the unconfirmed contacts they
 *     listed, go into the EntryGuard: never admitted, never queried.
 *  4. Bootstrap (ParatoxNode.join) from the confirmed contacts only, not from the entries themselves: an entry
 *     that lists honest nodes to pass the check but answers FIND_NODE with colluders then never gets asked. Only
 *     when nothing was confirmed (one entry reachable, or nobody could vote) does the newcomer fall back to the
 *     entries not found flawed, which is exactly the undefended join.
 *  5. Optionally publish a signed flawed-entry report per flawed entry (flawed-record.ts) and, once joined,
 *     consult reports about the entries it did not flag. A report is only a hint (anyone can accuse anyone): the
 *     accused entry's list is re-checked by resolving its contacts through the newcomer's own DHT, and only if
 *     that fails too is the entry forced flawed, its votes discarded and the verdict recomputed. So a liar that
 *     another liar vouched for is caught by what earlier newcomers saw, and a smear costs lookups, not votes.
 *
 * 'none': join through the first entry as given, trusting its answers (the comparison baseline).
 *
 * Threat model: the attacker runs some entries and Sybil colluders that stay apart from the honest network
 * (they answer FIND_NODE only with each other, publish no bindings honest nodes hold, and never enter honest
 * routing tables). Honest entries then cannot confirm colluders, and a lying entry is caught as long as at least
 * one honest entry the newcomer knows answers. Not stopped: a majority of lying entries among those a newcomer
 * knows (they confirm each other and call the honest ones flawed; reports help only while the newcomer still
 * reaches the honest DHT, i.e. not when every entry but one lies); other attacker nodes that are ordinary members
 * of the honest DHT and hand colluders to the newcomer in later lookups (only contacts the flagged entries listed
 * are barred); Sybils that integrate (they pass every existence test); an entry that lists only honest nodes
 * and lies later (harmless here, since entries are not asked after the join, but it is not flagged either).
 */
import type { BootstrapResult, DhtNode } from '../dht-node.ts';
import { keysEqual, keyToHex } from '../keys.ts';
import type { ConfirmStatus, DhtMessage } from '../messages.ts';
import type { OutgoingRequest } from '../rpc.ts';
import type { PeerRef } from '../types.ts';
import { FLAW_THRESHOLD, ONLINE_SAMPLE, RECORD_TYPE_FLAWED_ENTRY } from './constants.ts';
import type { EntryGuard } from './entry-guard.ts';
import { createFlawedReport, decodeFlawedReport, flawedReportKey, flawedReportRecord } from './flawed-record.ts';
import { judgeEntries, type EntryVerdict, type JudgeInit } from './judge.ts';

export type EntryDefence = 'none' | 'cross-check';

/** What the join needs of a node: ParatoxNode fits. */
export interface JoiningNode {
  readonly dht: Pick<DhtNode, 'key' | 'table' | 'request' | 'contactOf' | 'store' | 'findValue' | 'resolve'>;
  readonly peerRef: PeerRef;
  join(entries: readonly PeerRef[], cb: (result: BootstrapResult) => void): void;
}

export interface CrossCheckOptions extends JudgeInit {
  /** The node's DhtPolicy (it must have been built with this guard as `dhtPolicy.policy`). */
  guard: EntryGuard;
  /** Hashing for report keys. */
  suite: { sha256(data: Uint8Array): Uint8Array };
  /** Contacts asked from each entry (GET_ONLINE max). */
  onlineSample?: number;
  /** Publish a flawed-entry report per flawed entry after joining (needs `sign` and the clock's time). */
  publishFlawed?: boolean;
  /** Look up reports about the entries we did not flag, after joining, and re-judge. */
  consultFlawed?: boolean;
  sign?: (message: Uint8Array) => Uint8Array;
  now?: () => number;
}

export interface EntryJoinResult {
  defence: EntryDefence;
  /** The node ran its bootstrap (false when the cross-check left nobody to bootstrap from). */
  joined: boolean;
  bootstrap?: BootstrapResult;
  /** Per entry, in the order given (empty for 'none'). */
  verdicts: EntryVerdict[];
  /** Entries found flawed, by the vote or by a published report. */
  flawed: PeerRef[];
  /** Of those, the ones flagged because of a report found after joining. */
  reported: PeerRef[];
  /** Contacts the node bootstrapped from. */
  bootstrapContacts: number;
  /** GET_ONLINE, CONFIRM and report lookups sent. */
  messages: number;
}

export type EntryJoin = (node: JoiningNode, entries: readonly PeerRef[], cb: (result: EntryJoinResult) => void) => void;

/** The join procedure of a defence; `options` is required for 'cross-check'. */
export function createEntryJoin(defence: EntryDefence, options?: CrossCheckOptions): EntryJoin {
  if (defence === 'none') return singleEntryJoin;
  if (options === undefined) throw new Error("createEntryJoin('cross-check') needs options");
  return (node, entries, cb) => crossCheckedJoin(node, entries, options, cb);
}

/** Defence off: the first entry, trusted. */
export const singleEntryJoin: EntryJoin = (node, entries, cb) => {
  const first = entries.slice(0, 1);
  node.join(first, (bootstrap) =>
    cb({ defence: 'none', joined: true, bootstrap, verdicts: [], flawed: [], reported: [], bootstrapContacts: first.length, messages: 0 }),
  );
};

export function crossCheckedJoin(node: JoiningNode, entries: readonly PeerRef[], opts: CrossCheckOptions, cb: (result: EntryJoinResult) => void): void {
  const state = new CrossCheck(node, entries, opts, cb);
  state.start();
}

class CrossCheck {
  private readonly lists: (PeerRef[] | undefined)[];
  private readonly votes: (ConfirmStatus[] | undefined)[][];
  private messages = 0;

  constructor(
    private readonly node: JoiningNode,
    private readonly entries: readonly PeerRef[],
    private readonly opts: CrossCheckOptions,
    private readonly cb: (result: EntryJoinResult) => void,
  ) {
    this.lists = entries.map(() => undefined);
    this.votes = entries.map(() => entries.map(() => undefined));
  }

  start(): void {
    if (this.entries.length === 0) {
      // Nothing to check; the node's own bootstrap reports the failure (asynchronously, as callbacks must be).
      this.node.join([], (result) => this.finish(false, result, [], [], 0));
      return;
    }
    const max = this.opts.onlineSample ?? ONLINE_SAMPLE;
    this.all(
      this.entries.map((entry, i) => (done: () => void) => {
        this.send(entry, { kind: 'get-online', max }, (reply) => {
          if (reply?.kind === 'online') this.lists[i] = this.clean(reply.contacts, max);
          done();
        });
      }),
      () => this.confirmAll(),
    );
  }

  /** Phase 2: every answered list to every other answering entry. */
  private confirmAll(): void {
    const tasks: ((done: () => void) => void)[] = [];
    this.lists.forEach((list, i) => {
      if (list === undefined || list.length === 0) return;
      this.entries.forEach((confirmer, j) => {
        if (j === i || this.lists[j] === undefined) return;
        tasks.push((done) =>
          this.send(confirmer, { kind: 'confirm', contacts: list }, (reply) => {
            if (reply?.kind === 'confirmed' && reply.statuses.length === list.length) this.votes[i][j] = reply.statuses;
            done();
          }),
        );
      });
    });
    this.all(tasks, () => this.decide());
  }

  private decide(): void {
    const judgement = judgeEntries({ lists: this.lists, votes: this.votes }, this.opts);
    this.apply(judgement.verdicts, judgement.confirmed);
    const bootstrap = this.bootstrapSet(judgement.verdicts, judgement.confirmed);
    if (bootstrap.length === 0) return this.finish(false, undefined, judgement.verdicts, [], 0);
    this.node.join(bootstrap, (result) => {
      this.publishReports(judgement.verdicts);
      if (!this.opts.consultFlawed || !result.ok) return this.finish(true, result, judgement.verdicts, [], bootstrap.length);
      this.consult(judgement.verdicts, (verdicts, reported) => this.finish(true, result, verdicts, reported, bootstrap.length));
    });
  }

  /** Flags flawed entries and bars the unconfirmed contacts they listed. */
  private apply(verdicts: readonly EntryVerdict[], confirmed: readonly boolean[][]): void {
    const { guard } = this.opts;
    for (const v of verdicts) {
      if (!v.flawed) continue;
      const entryKey = this.node.dht.contactOf(this.entries[v.index]).key;
      guard.flag(entryKey);
      this.node.dht.table.remove(entryKey);
      (this.lists[v.index] ?? []).forEach((peer, c) => {
        if (confirmed[v.index][c]) return;
        const key = this.node.dht.contactOf(peer).key;
        guard.bar(key);
        this.node.dht.table.remove(key);
      });
    }
  }

  private bootstrapSet(verdicts: readonly EntryVerdict[], confirmed: readonly boolean[][]): PeerRef[] {
    const seen = new Set<string>();
    const out: PeerRef[] = [];
    this.lists.forEach((list, i) =>
      (list ?? []).forEach((peer, c) => {
        const id = keyToHex(peer.nodePub);
        if (!confirmed[i][c] || seen.has(id)) return;
        seen.add(id);
        out.push(peer);
      }),
    );
    if (out.length > 0) return out;
    return verdicts.filter((v) => v.answered && !v.flawed).map((v) => this.entries[v.index]);
  }

  private publishReports(verdicts: readonly EntryVerdict[]): void {
    const { publishFlawed, sign, now, suite } = this.opts;
    if (!publishFlawed || sign === undefined || now === undefined) return;
    for (const v of verdicts) {
      if (!v.flawed) continue;
      const entryPub = this.entries[v.index].nodePub;
      const report = createFlawedReport(sign, { entryPub, reporterPub: this.node.peerRef.nodePub, nowMs: now() });
      this.node.dht.store(flawedReportKey(suite, entryPub), flawedReportRecord(report));
    }
  }

  /**
   * Looks up reports about the entries not flagged yet. A report is an accusation anyone can make, so it is only
   * a hint: the accused entry's list is checked again through our own, now joined, DHT (a resolve of every
   * contact it listed: honest nodes have published bindings, colluders kept apart have not). Only an entry whose
   * list fails that check too is forced flawed, and the verdict is recomputed without its votes: so a smear
   * report against an honest entry costs lookups, never the honest entry's vote.
   */
  private consult(verdicts: EntryVerdict[], cb: (verdicts: EntryVerdict[], reported: PeerRef[]) => void): void {
    const reported = new Set<number>();
    const threshold = this.opts.flawThreshold ?? FLAW_THRESHOLD;
    const tasks = verdicts
      .filter((v) => v.answered && !v.flawed)
      .map((v) => (done: () => void) => {
        this.messages++;
        const entryPub = this.entries[v.index].nodePub;
        this.node.dht.findValue(flawedReportKey(this.opts.suite, entryPub), RECORD_TYPE_FLAWED_ENTRY, (r) => {
          const report = r.record === undefined ? undefined : decodeFlawedReport(r.record.value);
          // A report by ourselves would be circular; one by the accused is nonsense.
          const counts = report !== undefined && !keysEqual(report.reporterPub, this.node.peerRef.nodePub) && !keysEqual(report.reporterPub, entryPub);
          if (!counts) return done();
          this.resolvedShare(this.lists[v.index] ?? [], (share) => {
            if (share !== null && share < threshold) reported.add(v.index);
            done();
          });
        });
      });
    this.all(tasks, () => {
      if (reported.size === 0) return cb(verdicts, []);
      const forcedFlawed = new Set([...reported, ...verdicts.filter((v) => v.flawed).map((v) => v.index)]);
      const judgement = judgeEntries({ lists: this.lists, votes: this.votes, forcedFlawed }, this.opts);
      this.apply(judgement.verdicts, judgement.confirmed);
      cb(judgement.verdicts, [...reported].map((i) => this.entries[i]));
    });
  }

  /** The share of `contacts` whose binding resolves through our own DHT (null for an empty list). */
  private resolvedShare(contacts: readonly PeerRef[], cb: (share: number | null) => void): void {
    if (contacts.length === 0) return cb(null);
    let resolved = 0;
    this.all(
      contacts.map((peer) => (done: () => void) => {
        this.messages++;
        this.node.dht.resolve(this.node.dht.contactOf(peer).key, (r) => {
          if (r.ok) resolved++;
          done();
        });
      }),
      () => cb(resolved / contacts.length),
    );
  }

  private finish(joined: boolean, bootstrap: BootstrapResult | undefined, verdicts: EntryVerdict[], reported: PeerRef[], bootstrapContacts: number): void {
    const flawed = verdicts.filter((v) => v.flawed).map((v) => this.entries[v.index]);
    this.cb({ defence: 'cross-check', joined, bootstrap, verdicts, flawed, reported, bootstrapContacts, messages: this.messages });
  }

  /** Drops ourselves and duplicates, keeps at most `max` (a lying entry may send more than asked). */
  private clean(contacts: readonly PeerRef[], max: number): PeerRef[] {
    const seen = new Set<string>();
    const out: PeerRef[] = [];
    for (const c of contacts) {
      const id = keyToHex(c.nodePub);
      if (keysEqual(c.nodePub, this.node.peerRef.nodePub) || seen.has(id)) continue;
      seen.add(id);
      out.push(c);
      if (out.length >= max) break;
    }
    return out;
  }

  private send(peer: PeerRef, request: OutgoingRequest, cb: (reply: DhtMessage | undefined) => void): void {
    this.messages++;
    this.node.dht.request(peer, request, (outcome) => cb(outcome.ok ? outcome.reply : undefined));
  }

  /** Runs `tasks` in parallel and `then` once all are done (at once, deferred by the tasks' own callbacks). */
  private all(tasks: ((done: () => void) => void)[], then: () => void): void {
    let waiting = tasks.length;
    if (waiting === 0) return then();
    for (const task of tasks) task(() => {
      if (--waiting === 0) then();
    });
  }
}
