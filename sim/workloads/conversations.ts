/**
 * The conversations workload (scenario.conversations): pairs of users write to each other through the real
 * messenger stack. Each user keeps one AccountID for the whole run (drawn from the stream `account/<name>`), so
 * a user brought back by churn returns with a new NodeID and the same account.
 *
 * Every message the workload hands to a sender's ConversationService is counted in `sent` and ends in exactly
 * one outcome the sender learns: delivered (end-to-end ack), failed with a reason, or pending at the end.
 * Messages due while the sender's node is down or not yet joined are not written at all (`notWritten`): the
 * user was offline. One-way latency runs from send() to the recipient's 'message' event (matched by message id).
 */
import { toHex } from '../../protocol/crypto/bytes.ts';
import type { KeyPair } from '../../protocol/crypto/suite.ts';
import type { ConversationService } from '../../protocol/conversation/conversation-service.ts';
import type { OutcomeEvent } from '../../protocol/conversation/events.ts';
import type { Rng } from '../../protocol/runtime/rng.ts';
import type { Simulator } from '../engine/simulator.ts';
import { Sample } from '../metrics/quantiles.ts';
import type { MessageOutcomes } from '../report/report.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Conversation } from '../tap/tap-writer.ts';
import type { MessageTimeline } from '../observers/traffic-series.ts';

export interface ConversationPair {
  readonly a: number;
  readonly b: number;
}

interface InFlight {
  sentAtMs: number;
  pair: number;
  received: boolean;
}

export interface ConversationFigures {
  conversations: number;
  users: number;
  written: number;
  notWritten: number;
  receivedByRecipient: number;
  duplicatesAtRecipient: number;
  receivedWithPfs: number;
  receivedWithoutPfs: number;
  unknownIdsAtRecipient: number;
  /** 'stored' events: a message reached enough mailbox replicas (it stays pending until its outcome). */
  storedOffline: number;
}

/** Users and pairs: `users` distinct non-entry nodes, `count` distinct pairs among them (each user in >= 1 pair). */
export function drawConversations(rng: Rng, candidates: readonly number[], users: number, count: number): { users: number[]; pairs: ConversationPair[] } {
  if (users > candidates.length) throw new RangeError(`conversations.users = ${users} exceeds the ${candidates.length} non-entry nodes`);
  const pool = [...candidates];
  for (let i = 0; i < users; i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const chosen = pool.slice(0, users);
  const maxPairs = (users * (users - 1)) / 2;
  if (count > maxPairs) throw new RangeError(`conversations.count = ${count} exceeds the ${maxPairs} pairs of ${users} users`);
  const pairs: ConversationPair[] = [];
  const seen = new Set<string>();
  const add = (x: number, y: number) => {
    const key = x < y ? `${x}|${y}` : `${y}|${x}`;
    if (x === y || seen.has(key)) return false;
    seen.add(key);
    pairs.push({ a: x, b: y });
    return true;
  };
  // First a perfect matching where possible (2 x count users: everyone in exactly one conversation) ...
  for (let i = 0; i + 1 < chosen.length && pairs.length < count; i += 2) add(chosen[i], chosen[i + 1]);
  // ... then random extra pairs.
  while (pairs.length < count) add(chosen[rng.int(users)], chosen[rng.int(users)]);
  return { users: chosen, pairs };
}

export class ConversationsWorkload {
  readonly accounts = new Map<number, KeyPair>();
  readonly latencyMs = new Sample();
  readonly figures: ConversationFigures;
  sent = 0;
  payloadBytes = 0;
  private readonly outcomes: MessageOutcomes = { delivered: 0, deliveredOffline: 0, failed: {}, pending: 0 };
  private readonly inFlight = new Map<string, InFlight>();
  /** Ids with no outcome yet. */
  private readonly pendingIds = new Set<string>();
  /** Outcomes reported before send() returned the id (write() applies them). */
  private readonly early = new Map<string, OutcomeEvent['outcome']>();
  private readonly truth: Conversation[];
  private readonly accountIndex = new Map<string, number>();

  constructor(
    private readonly sim: Simulator,
    private readonly scenario: Scenario,
    private readonly names: readonly string[],
    readonly users: readonly number[],
    readonly pairs: readonly ConversationPair[],
    /** The user's service, when its node is up, joined and serving the account. */
    private readonly serviceOf: (index: number) => ConversationService | undefined,
    makeAccount: (index: number) => KeyPair,
    /** Told when each message was written and when a delivered one's outcome came back (traffic.series). */
    private readonly timeline?: MessageTimeline,
  ) {
    for (const u of users) {
      const account = makeAccount(u);
      this.accounts.set(u, account);
      this.accountIndex.set(toHex(account.publicKey), u);
    }
    this.truth = pairs.map((p) => ({ source: names[p.a], target: names[p.b], startMs: -1, endMs: -1 }));
    this.figures = {
      conversations: pairs.length,
      users: users.length,
      written: 0,
      notWritten: 0,
      receivedByRecipient: 0,
      duplicatesAtRecipient: 0,
      receivedWithPfs: 0,
      receivedWithoutPfs: 0,
      unknownIdsAtRecipient: 0,
      storedOffline: 0,
    };
    this.schedule();
  }

  /** Subscribes to a freshly attached service of user `index` (every generation of its node). */
  attach(index: number, service: ConversationService): void {
    service.events.on('message', (e) => {
      const m = this.inFlight.get(e.messageId);
      if (!m) {
        this.figures.unknownIdsAtRecipient++;
        return;
      }
      if (m.received) {
        this.figures.duplicatesAtRecipient++;
        return;
      }
      m.received = true;
      this.figures.receivedByRecipient++;
      if (e.protection.pfs) this.figures.receivedWithPfs++;
      else this.figures.receivedWithoutPfs++;
      this.latencyMs.add(this.sim.now() - m.sentAtMs);
    });
    service.events.on('stored', () => {
      this.figures.storedOffline++;
    });
    service.events.on('outcome', (e) => {
      // send() may report an outcome before it returns the id (e.g. too-large): keep it for write().
      if (!this.inFlight.has(e.messageId)) this.early.set(e.messageId, e.outcome);
      else this.resolve(e.messageId, e.outcome);
    });
  }

  private resolve(id: string, outcome: OutcomeEvent['outcome']): void {
    const m = this.inFlight.get(id);
    if (!m || !this.pendingIds.delete(id)) return;
    if (outcome.kind === 'delivered') this.timeline?.delivered(this.sim.now());
    if (outcome.kind === 'delivered' && outcome.offline) this.outcomes.deliveredOffline++;
    else if (outcome.kind === 'delivered') this.outcomes.delivered++;
    else this.outcomes.failed[outcome.reason] = (this.outcomes.failed[outcome.reason] ?? 0) + 1;
    const t = this.truth[m.pair];
    t.endMs = Math.max(t.endMs, this.sim.now());
  }

  finish(): { outcomes: MessageOutcomes; conversations: Conversation[] } {
    this.outcomes.pending = this.pendingIds.size;
    return { outcomes: { ...this.outcomes, failed: { ...this.outcomes.failed } }, conversations: this.truth.filter((t) => t.startMs >= 0) };
  }

  private schedule(): void {
    const c = this.scenario.conversations;
    const startMs = c.startS * 1000;
    const endMs = Math.max(startMs, (this.scenario.durationS - c.drainS) * 1000);
    this.pairs.forEach((_, p) => {
      const rng = this.sim.rng(`conversations/pair${p}`);
      const meanGapMs = 60_000 / c.messagesPerMin;
      if (c.arrival === 'poisson') {
        let t = startMs + rng.exponential(meanGapMs);
        const next = () => {
          this.write(p, rng);
          t += rng.exponential(meanGapMs);
          if (t < endMs) this.sim.at(t, next);
        };
        if (t < endMs) this.sim.at(t, next);
        return;
      }
      // on/off: exponential on and off periods, Poisson messages while on.
      let on = rng.uniform() < c.meanOnS / (c.meanOnS + c.meanOffS);
      let phaseEnd = startMs + rng.exponential((on ? c.meanOnS : c.meanOffS) * 1000);
      let t = startMs;
      const step = () => {
        for (;;) {
          if (on) {
            const gap = rng.exponential(meanGapMs);
            if (t + gap < phaseEnd) {
              t += gap;
              if (t >= endMs) return;
              this.sim.at(t, () => {
                this.write(p, rng);
                step();
              });
              return;
            }
          }
          t = phaseEnd;
          on = !on;
          phaseEnd = t + rng.exponential((on ? c.meanOnS : c.meanOffS) * 1000);
          if (t >= endMs) return;
        }
      };
      step();
    });
  }

  private write(p: number, rng: Rng): void {
    const c = this.scenario.conversations;
    const pair = this.pairs[p];
    const [from, to] = rng.uniform() < 0.5 ? [pair.a, pair.b] : [pair.b, pair.a];
    const size = c.minBytes + rng.int(Math.max(1, c.maxBytes - c.minBytes + 1));
    const body = rng.bytes(size);
    const service = this.serviceOf(from);
    if (!service) {
      this.figures.notWritten++;
      return;
    }
    const id = service.send(this.accounts.get(to)!.publicKey, body);
    this.sent++;
    this.figures.written++;
    this.payloadBytes += size;
    const now = this.sim.now();
    this.timeline?.sent(now);
    this.pendingIds.add(id);
    this.inFlight.set(id, { sentAtMs: now, pair: p, received: false });
    const early = this.early.get(id);
    if (early) {
      this.early.delete(id);
      this.resolve(id, early);
    }
    const t = this.truth[p];
    if (t.startMs < 0) t.startMs = now;
    t.endMs = Math.max(t.endMs, now);
  }
}
