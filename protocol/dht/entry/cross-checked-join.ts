/**
 * Joining through entry nodes (`createEntryJoin(defence)`), three ways:
 *
 * 'none': join through the first entry as given, trusting its answers. Only the chance that this entry lies.
 * 'multi-entry': join through every known entry at once (ping all, self lookup from all), no cross-check. The
 *   fair baseline: Kademlia's own lookups already mix what honest entries return into the table.
 * 'cross-check' (crossCheckedJoin):
 *  1. GET_ONLINE from every entry: each answers a sample of contacts it believes online.
 *  2. CONFIRM each entry's list at every *other* entry that answered: 'exists' / 'unknown' per contact.
 *  3. A list some other entry partly denies (confirms < DISPUTE_SHARE of it) is *disputed* (evidence-judge.ts). Votes never flag: three liars
 *     denying one honest entry look exactly like three honest entries denying one liar.
 *  4. The newcomer checks disputed lists itself: it resolves a random sample of their contacts' signed bindings
 *     through disjoint paths, one seeded per entry (disjoint-resolve.ts, S/Kademlia). A disputed list of which
 *     less than EVIDENCE_THRESHOLD resolves is flawed: the entry is flagged and the contacts only it vouched for are barred (EntryGuard).
 *     A disputed list that resolves is contested: nobody is flagged.
 *  5. Bootstrap (ParatoxNode.join) from every entry not flagged, as multi-entry does (`bootstrapFrom: 'union'`
 *     adds every listed contact not barred; measured worse, see CrossCheckOptions). So the defence can only
 *     remove what the newcomer's own lookups could not find; with no flag it is the multi-entry join.
 *  6. Optionally publish a signed flawed-entry report per flagged entry (flawed-record.ts: a bounded set per
 *     entry, one slot per reporter) and, once joined, consult reports about the entries not flagged. A report is
 *     a hint: the accused list is resolved again through the newcomer's own DHT and only a list that fails is
 *     forced flawed, so a smear costs lookups, never an honest entry's place.
 *
 * Threat model and limits: caught are liars whose colluders cannot prove they exist (kept apart from the honest
 * DHT), whatever the split of the vote. Not caught: colluders that integrate (they publish bindings, so they
 * exist by every test; the join then equals multi-entry), liars that list honest nodes (nothing to catch),
 * attacker nodes met later in lookups (not listed, not barred).
 */
import type { BootstrapResult, DhtNode } from '../dht-node.ts';
import { keysEqual, keyToHex } from '../keys.ts';
import type { ConfirmStatus, DhtMessage } from '../messages.ts';
import type { OutgoingRequest } from '../rpc.ts';
import type { Contact, PeerRef } from '../types.ts';
import { EVIDENCE_THRESHOLD, ONLINE_SAMPLE, RECORD_TYPE_FLAWED_ENTRY, VERIFY_PATHS, VERIFY_SAMPLE } from './constants.ts';
import { disjointResolve, seedPaths } from './disjoint-resolve.ts';
import { disputedEntries, judgeByEvidence, type EvidenceInit, type EvidenceVerdict } from './evidence-judge.ts';
import type { EntryGuard } from './entry-guard.ts';
import { createFlawedReport, decodeFlawedReports, flawedReportKey, flawedReportsRecord } from './flawed-record.ts';
import type { Rng } from '../../runtime/rng.ts';
import { sample } from './get-online-handler.ts';

export type EntryDefence = 'none' | 'multi-entry' | 'cross-check';

/** What the join needs of a node: ParatoxNode fits. */
export interface JoiningNode {
  readonly dht: Pick<DhtNode, 'key' | 'table' | 'request' | 'contactOf' | 'store' | 'findValue' | 'resolve' | 'config' | 'validators' | 'capReply'>;
  readonly peerRef: PeerRef;
  join(entries: readonly PeerRef[], cb: (result: BootstrapResult) => void): void;
}

export interface CrossCheckOptions extends EvidenceInit {
  /** Draws the sample of a disputed list the newcomer checks (default: its first contacts, which a liar orders). */
  rng?: Rng;
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
  /** Disjoint paths per own check of a disputed list's contacts (default VERIFY_PATHS). */
  verifyPaths?: number;
  /** Contacts of a disputed list the newcomer resolves itself (default VERIFY_SAMPLE). */
  verifySample?: number;
  /**
   * What the node bootstraps from: 'entries' (default) = the entries not flagged, as multi-entry does, and their
   * listed contacts only when no entry is left; 'union' = those entries plus every listed contact not barred.
   * 'union' was measured worse (scenarios/README.md): it pings every colluder an unflagged liar listed straight
   * into the table, where the entries' own lookups admit only what answers closest.
   */
  bootstrapFrom?: 'entries' | 'union';
  sign?: (message: Uint8Array) => Uint8Array;
  now?: () => number;
}

export interface EntryJoinResult {
  defence: EntryDefence;
  /** The node ran its bootstrap (false when the cross-check left nobody to bootstrap from). */
  joined: boolean;
  bootstrap?: BootstrapResult;
  /** Per entry, in the order given (empty for 'none'). */
  verdicts: EvidenceVerdict[];
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
  if (defence === 'multi-entry') return multiEntryJoin;
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

/** The fair baseline: every known entry, no cross-check. */
export const multiEntryJoin: EntryJoin = (node, entries, cb) => {
  node.join(entries, (bootstrap) =>
    cb({ defence: 'multi-entry', joined: true, bootstrap, verdicts: [], flawed: [], reported: [], bootstrapContacts: entries.length, messages: 0 }),
  );
};

export function crossCheckedJoin(node: JoiningNode, entries: readonly PeerRef[], opts: CrossCheckOptions, cb: (result: EntryJoinResult) => void): void {
  const state = new CrossCheck(node, entries, opts, cb);
  state.start();
}

class CrossCheck {
  private readonly lists: (PeerRef[] | undefined)[];
  private readonly votes: (ConfirmStatus[] | undefined)[][];
  /** resolved[i][c]: the newcomer's own check of contact c of list i (disputed lists only). */
  private readonly resolved: ((boolean | undefined)[] | undefined)[];
  private messages = 0;

  constructor(
    private readonly node: JoiningNode,
    private readonly entries: readonly PeerRef[],
    private readonly opts: CrossCheckOptions,
    private readonly cb: (result: EntryJoinResult) => void,
  ) {
    this.lists = entries.map(() => undefined);
    this.votes = entries.map(() => entries.map(() => undefined));
    this.resolved = entries.map(() => undefined);
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
    this.verify(disputedEntries({ lists: this.lists, votes: this.votes }, this.opts), () => {
      const judgement = judgeByEvidence({ lists: this.lists, votes: this.votes, resolved: this.resolved }, this.opts);
      this.apply(judgement.verdicts, judgement.confirmed);
      const bootstrap = this.bootstrapSet(judgement.verdicts, judgement.confirmed);
      if (bootstrap.length === 0) return this.finish(false, undefined, judgement.verdicts, [], 0);
      this.node.join(bootstrap, (result) => {
        this.publishReports(judgement.verdicts);
        if (!this.opts.consultFlawed || !result.ok) return this.finish(true, result, judgement.verdicts, [], bootstrap.length);
        this.consult(judgement.verdicts, (verdicts, reported) => this.finish(true, result, verdicts, reported, bootstrap.length));
      });
    });
  }

  /**
   * The newcomer's own check of the disputed lists: the first `verifySample` contacts of each, each resolved
   * through disjoint paths seeded one per entry (the entry and what it listed). Before any table exists, so the
   * check runs on what the entries said, not on a view one of them already shaped.
   */
  private verify(disputed: readonly number[], then: () => void): void {
    const now = this.opts.now;
    if (now === undefined || disputed.length === 0) return then();
    const sampleSize = this.opts.verifySample ?? VERIFY_SAMPLE;
    const groups = this.entries.map((entry, i) => (this.lists[i] === undefined ? [] : [entry, ...(this.lists[i] ?? [])]));
    const seeds = seedPaths(groups, this.opts.verifyPaths ?? VERIFY_PATHS);
    const checks = new Map<string, boolean | undefined>();
    const wanted: PeerRef[] = [];
    const chosen = new Map<number, Set<number>>();
    for (const i of disputed) {
      const indices = (this.lists[i] ?? []).map((_, c) => c);
      const picked = this.opts.rng === undefined ? indices.slice(0, sampleSize) : sample(indices, sampleSize, this.opts.rng);
      chosen.set(i, new Set(picked));
      for (const c of picked) {
        const peer = this.lists[i]![c];
        const id = keyToHex(peer.nodePub);
        if (checks.has(id)) continue;
        checks.set(id, undefined);
        wanted.push(peer);
      }
    }
    this.all(
      wanted.map((peer) => (done: () => void) => {
        const admit = (c: Contact) => this.opts.guard.admitContact(c, 'reply');
        disjointResolve(this.node.dht, this.node.dht.contactOf(peer).key, seeds, { now, paths: seeds.length, admit }, (r) => {
          this.messages += r.messages;
          checks.set(keyToHex(peer.nodePub), r.found);
          done();
        });
      }),
      () => {
        for (const i of disputed) {
          this.resolved[i] = (this.lists[i] ?? []).map((peer, c) => (chosen.get(i)!.has(c) ? checks.get(keyToHex(peer.nodePub)) : undefined));
        }
        then();
      },
    );
  }

  /** Flags flawed entries and bars the unconfirmed contacts they listed. */
  private apply(verdicts: readonly EvidenceVerdict[], confirmed: readonly boolean[][]): void {
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

  /** Every answering entry not flagged, then ('union', or when no entry is left) every listed contact the guard admits. */
  private bootstrapSet(verdicts: readonly EvidenceVerdict[], _confirmed: readonly boolean[][]): PeerRef[] {
    const seen = new Set<string>();
    const out: PeerRef[] = [];
    const add = (peer: PeerRef): void => {
      const id = keyToHex(peer.nodePub);
      if (seen.has(id) || !this.opts.guard.admitContact(this.node.dht.contactOf(peer), 'bootstrap')) return;
      seen.add(id);
      out.push(peer);
    };
    for (const v of verdicts) if (v.answered && !v.flawed) add(this.entries[v.index]);
    if (out.length > 0 && (this.opts.bootstrapFrom ?? 'entries') === 'entries') return out;
    this.lists.forEach((list) => (list ?? []).forEach(add));
    return out;
  }

  private publishReports(verdicts: readonly EvidenceVerdict[]): void {
    const { publishFlawed, sign, now, suite } = this.opts;
    if (!publishFlawed || sign === undefined || now === undefined) return;
    for (const v of verdicts) {
      if (!v.flawed) continue;
      const entryPub = this.entries[v.index].nodePub;
      const report = createFlawedReport(sign, { entryPub, reporterPub: this.node.peerRef.nodePub, nowMs: now() });
      this.node.dht.store(flawedReportKey(suite, entryPub), flawedReportsRecord([report]));
    }
  }

  /**
   * Looks up reports about the entries not flagged yet. A report is an accusation anyone can make, so it is only
   * a hint: the accused entry's list is checked again through our own, now joined, DHT (a resolve of every
   * contact it listed: honest nodes have published bindings, colluders kept apart have not). Only an entry whose
   * list fails that check too is forced flawed, and the verdict is recomputed without its votes: so a smear
   * report against an honest entry costs lookups, never the honest entry's vote.
   */
  private consult(verdicts: EvidenceVerdict[], cb: (verdicts: EvidenceVerdict[], reported: PeerRef[]) => void): void {
    const reported = new Set<number>();
    const threshold = this.opts.evidenceThreshold ?? EVIDENCE_THRESHOLD;
    const tasks = verdicts
      .filter((v) => v.answered && !v.flawed)
      .map((v) => (done: () => void) => {
        this.messages++;
        const entryPub = this.entries[v.index].nodePub;
        this.node.dht.findValue(flawedReportKey(this.opts.suite, entryPub), RECORD_TYPE_FLAWED_ENTRY, (r) => {
          const reports = r.record === undefined ? [] : (decodeFlawedReports(r.record.value) ?? []);
          // A report by ourselves would be circular; one by the accused is refused by every holder anyway.
          const counts = reports.some((report) => keysEqual(report.entryPub, entryPub) && !keysEqual(report.reporterPub, this.node.peerRef.nodePub) && !keysEqual(report.reporterPub, entryPub));
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
      const judgement = judgeByEvidence({ lists: this.lists, votes: this.votes, resolved: this.resolved, forcedFlawed }, this.opts);
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

  private finish(joined: boolean, bootstrap: BootstrapResult | undefined, verdicts: EvidenceVerdict[], reported: PeerRef[], bootstrapContacts: number): void {
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
