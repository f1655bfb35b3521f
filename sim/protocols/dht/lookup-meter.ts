/**
 * Lookup measurement (issue 4: ">= 99 % of lookups for existing ids succeed in O(log n) hops").
 *
 * Existing ids: during the measurement window every joined node looks up, at exponential gaps averaging
 * 60 / lookupsPerNodePerMin seconds, the NodeID of a node drawn uniformly from those that are up and joined at
 * that moment (a node that is up but has not finished joining is not in the network yet). A lookup succeeds
 * when FIND_NODE returns the target itself, with the target's address. It is measured only if the target is
 * still up (the same generation) when the lookup ends: a target that left meanwhile is counted apart
 * (`targetLeft`), as is a lookup whose originator left (`abandoned`; its callback never runs). A measured
 * lookup still running at the end of the run counts as a failure (`unfinished`). Every lookup issued ends in
 * exactly one of: finished and measured (`lookups`), `targetLeft`, `abandoned`, `unfinished` (accountLookups()).
 * When nothing could be measured although lookups were planned, `noMeasurement` says why (e.g. nobody joined).
 *
 * Non-existent ids: `nonExistentLookups` random 256-bit keys, spread evenly over the window, each from a random
 * joined node. Correct when the closest node returned is at least as close to the key as the closest other node
 * that is up and joined when the lookup ends (returned contacts all answered, so they are alive); `closestOverlapMean`
 * is the mean share of the true k closest among the k returned.
 */
import { bytesEqual, compareDistance, type DhtKey } from '../../../protocol/dht/keys.ts';
import type { ParatoxNode } from '../../../protocol/node/paratox-node.ts';
import type { Rng } from '../../../protocol/runtime/rng.ts';
import { Sample } from '../../metrics/quantiles.ts';
import type { DriverContext } from '../driver.ts';
import type { DhtPopulation } from './population.ts';

export interface LookupMeterInit {
  /** Measurement window, ms of virtual time: lookups start in [startMs, stopMs). */
  startMs: number;
  stopMs: number;
  lookupsPerNodePerMin: number;
  nonExistentLookups: number;
  k: number;
  /** Nodes left out as sources and targets (hooks' `excluded`). */
  excluded: (index: number) => boolean;
}

interface Pending {
  source: ParatoxNode;
  sourceIndex: number;
  target: number;
  targetNode: ParatoxNode;
  startMs: number;
}

export class LookupMeter {
  /** Finished lookups whose target was still up: succeeded + not found. */
  lookups = 0;
  succeeded = 0;
  /** Lookups started (existing ids). */
  issued = 0;
  /** Finished lookups whose target had left by then. */
  private targetLeftFinished = 0;
  /** Lookup times that found no other joined node to look up (nothing issued). */
  noTarget = 0;
  /** Non-existent-id lookups: started, skipped (no joined node to start from), ended without ground truth. */
  nonExistentIssued = 0;
  nonExistentSkipped = 0;
  nonExistentNoTruth = 0;
  /** Nodes (not excluded) seen joining. */
  private joinedSeen = 0;
  /** Hops of successful lookups, by count. */
  readonly hops = new Map<number, number>();
  readonly latencyMs = new Sample();
  messages = 0;
  nonExistent = 0;
  closestCorrect = 0;
  private overlapSum = 0;
  private readonly pending = new Set<Pending>();
  /** Non-existent-id lookups still running. */
  private nonExistentRunning = 0;
  private readonly rng: Rng;
  private readonly meanGapMs: number;

  constructor(
    private readonly ctx: DriverContext,
    private readonly population: DhtPopulation,
    private readonly init: LookupMeterInit,
  ) {
    this.rng = ctx.sim.rng('dht/lookups');
    this.meanGapMs = init.lookupsPerNodePerMin > 0 ? 60_000 / init.lookupsPerNodePerMin : Infinity;
    population.onJoined((i, node) => {
      if (!init.excluded(i)) this.joinedSeen++;
      this.scheduleNext(i, node);
    });
    this.scheduleNonExistent();
  }

  /** Lookups still running whose originator is up: they count as failures. */
  get unfinished(): number {
    let n = 0;
    for (const p of this.pending) if (this.population.node(p.sourceIndex) === p.source && this.targetUp(p)) n++;
    return n;
  }

  /** At the end: tells the timeline when the unfinished (measured, failed) lookups were sent. Call once. */
  timeUnfinished(): void {
    const timeline = this.ctx.timeline;
    if (!timeline) return;
    for (const p of this.pending) if (this.population.node(p.sourceIndex) === p.source && this.targetUp(p)) timeline.sent(p.startMs);
  }

  /** Lookups whose target left: finished after it left, or still running from an up originator when it had. */
  get targetLeft(): number {
    let n = this.targetLeftFinished;
    for (const p of this.pending) if (this.population.node(p.sourceIndex) === p.source && !this.targetUp(p)) n++;
    return n;
  }

  /** Lookups whose originator left before they ended (never measured). */
  get abandoned(): number {
    let n = 0;
    for (const p of this.pending) if (this.population.node(p.sourceIndex) !== p.source) n++;
    return n;
  }

  /** Lookups counted in the success ratio: finished ones plus the unfinished ones. */
  get measured(): number {
    return this.lookups + this.unfinished;
  }

  get closestOverlapMean(): number | null {
    return this.nonExistent === 0 ? null : this.overlapSum / this.nonExistent;
  }

  /** Where every issued lookup ended (for checkParts): the parts must add up to `issued`. */
  accountLookups(): { issued: number; parts: Record<string, number> } {
    const parts = { finished: this.lookups, targetLeft: this.targetLeft, abandoned: this.abandoned, unfinished: this.unfinished };
    return { issued: this.issued, parts };
  }

  /** The same for non-existent-id lookups. */
  accountNonExistent(): { issued: number; parts: Record<string, number> } {
    return { issued: this.nonExistentIssued, parts: { measured: this.nonExistent, noTruth: this.nonExistentNoTruth, running: this.nonExistentRunning } };
  }

  /** Why nothing was measured although lookups were planned; null when something was measured or nothing planned. */
  get noMeasurement(): string | null {
    if (!this.planned || this.measured > 0) return null;
    if (this.joinedSeen === 0) return 'no measurement: nobody joined';
    if (this.issued === 0) return 'no measurement: no other joined node to look up';
    return 'no measurement: every lookup lost its target or its originator';
  }

  /** Whether existing-id lookups were asked for (a rate and a non-empty window). */
  get planned(): boolean {
    return this.meanGapMs !== Infinity && this.init.stopMs > this.init.startMs;
  }

  private scheduleNext(i: number, node: ParatoxNode): void {
    if (this.meanGapMs === Infinity || this.init.excluded(i)) return;
    const now = this.ctx.sim.now();
    const at = Math.max(now, this.init.startMs) + this.rng.exponential(this.meanGapMs);
    if (at >= this.init.stopMs) return;
    this.population.clockOf(i).setTimer(at - now, () => {
      if (this.population.node(i) !== node) return;
      this.issue(i, node);
      this.scheduleNext(i, node);
    });
  }

  private issue(i: number, source: ParatoxNode): void {
    const excluded = this.init.excluded;
    const target = this.population.joined.pick(this.rng, (t) => t !== i && !excluded(t));
    if (target === undefined) {
      this.noTarget++;
      return;
    }
    const targetNode = this.population.node(target)!;
    const startMs = this.ctx.sim.now();
    const p: Pending = { source, sourceIndex: i, target, targetNode, startMs };
    this.pending.add(p);
    this.issued++;
    source.dht.findNode(targetNode.dht.key, (r) => {
      this.pending.delete(p);
      if (!this.targetUp(p)) {
        this.targetLeftFinished++;
        return;
      }
      this.lookups++;
      // Measured now that its target is known to be up: a message of traffic.messagesSent, sent at its start.
      this.ctx.timeline?.sent(startMs);
      this.messages += r.messages;
      const found = r.found;
      const ok =
        found !== undefined && found.address === this.ctx.names[target] && bytesEqual(found.nodePub, targetNode.identity.publicKey);
      if (!ok) return;
      this.succeeded++;
      this.ctx.timeline?.delivered(this.ctx.sim.now());
      this.hops.set(r.hops, (this.hops.get(r.hops) ?? 0) + 1);
      this.latencyMs.add(this.ctx.sim.now() - startMs);
    });
  }

  private targetUp(p: Pending): boolean {
    return this.population.node(p.target) === p.targetNode && this.population.isJoined(p.target);
  }

  private scheduleNonExistent(): void {
    const n = this.init.nonExistentLookups;
    const span = this.init.stopMs - this.init.startMs;
    if (n === 0 || !(span > 0)) return;
    for (let j = 0; j < n; j++) {
      this.ctx.sim.at(this.init.startMs + ((j + 0.5) * span) / n, () => this.issueNonExistent());
    }
  }

  private issueNonExistent(): void {
    const excluded = this.init.excluded;
    const i = this.population.joined.pick(this.rng, (t) => !excluded(t));
    if (i === undefined) {
      this.nonExistentSkipped++;
      return;
    }
    const source = this.population.node(i)!;
    const key = this.rng.bytes(32);
    this.nonExistentIssued++;
    this.nonExistentRunning++;
    source.dht.findNode(key, (r) => {
      this.nonExistentRunning--;
      const truth = this.trueClosest(key, i);
      if (truth.length === 0) {
        this.nonExistentNoTruth++;
        return;
      }
      this.nonExistent++;
      const best = r.closest[0];
      if (best !== undefined && compareDistance(key, best.key, truth[0]) <= 0) this.closestCorrect++;
      const returned = r.closest.slice(0, this.init.k);
      const hits = truth.filter((t) => returned.some((c) => bytesEqual(c.key, t))).length;
      this.overlapSum += hits / truth.length;
    });
  }

  /** Keys of the k up-and-joined nodes other than `self` closest to `key` (ground truth), closest first. */
  private trueClosest(key: DhtKey, self: number): DhtKey[] {
    const keys: DhtKey[] = [];
    for (const t of this.population.joined.values()) {
      if (t !== self && !this.init.excluded(t)) keys.push(this.population.node(t)!.dht.key);
    }
    keys.sort((a, b) => compareDistance(key, a, b));
    return keys.slice(0, this.init.k);
  }
}
