/**
 * Store survival (issue 4: "stores survive the loss of a third of the replica holders").
 *
 * 1. At `storeAtMs`, `stores` content-addressed blobs (blob-record.ts) are each STOREd by a random joined node
 *    (DhtNode.store: the k closest it finds, and itself if it is one of them).
 * 2. At `lossAtMs`, for each record, the nodes holding it right then are read from their record stores (ground
 *    truth), and ceil(storeLossFraction x holders) of them, drawn at random among non-entry holders, go down for
 *    good (entry nodes are the network's fixed bootstrap points; they are counted as holders but never killed).
 * 3. At `checkAtMs`, `storeChecks` random joined nodes each run FIND_VALUE for every record. A record survived
 *    when at least one check finished and every finished check returned its exact value. A check still running
 *    at the end of the run counts as not finding it; one whose node left is dropped.
 * Churn keeps running throughout, so holders also leave (and return as new nodes without the record) on their own.
 *
 * Nothing is skipped silently: a store with no joined node to publish it (`storesSkipped`) or a check with no joined
 * node left to run it (`storeChecksSkipped`) is counted, and when no record could be stored at all the figures
 * say why (`storeMeasurement: "no measurement: nobody joined"`) and survivalRatio is 0, not null.
 */
import { bytesEqual } from '../../../protocol/dht/keys.ts';
import type { ParatoxNode } from '../../../protocol/node/paratox-node.ts';
import type { Rng } from '../../../protocol/runtime/rng.ts';
import type { DriverContext } from '../driver.ts';
import { makeBlob, type Blob } from './blob-record.ts';
import type { DhtPopulation } from './population.ts';

export interface StoreMeterInit {
  stores: number;
  storeAtMs: number;
  lossAtMs: number;
  checkAtMs: number;
  lossFraction: number;
  checks: number;
  excluded: (index: number) => boolean;
}

interface Tracked {
  blob: Blob;
  /** Replicas the publisher's STORE reported (remote acks + its own copy); -1 until it finishes. */
  replicas: number;
  holdersAtLoss: number;
  killed: number;
  checksFound: number;
  checksMissed: number;
  checksPending: Set<{ index: number; node: ParatoxNode }>;
}

export class StoreMeter {
  private readonly records: Tracked[] = [];
  private readonly rng: Rng;
  private storesSkipped = 0;
  private checksSkipped = 0;

  constructor(
    private readonly ctx: DriverContext,
    private readonly population: DhtPopulation,
    private readonly init: StoreMeterInit,
  ) {
    this.rng = ctx.sim.rng('dht/stores');
    if (init.stores === 0) return;
    ctx.sim.at(init.storeAtMs, () => this.storeAll());
    ctx.sim.at(init.lossAtMs, () => this.loseHolders());
    ctx.sim.at(init.checkAtMs, () => this.checkAll());
  }

  figures(): Record<string, unknown> {
    let survived = 0;
    let checksFound = 0;
    let checksDone = 0;
    for (const r of this.records) {
      const missed = r.checksMissed + this.stillRunning(r);
      const done = r.checksFound + missed;
      checksFound += r.checksFound;
      checksDone += done;
      if (done > 0 && missed === 0) survived++;
    }
    const stores = this.records.length;
    const planned = this.init.stores > 0;
    const mean = (f: (r: Tracked) => number) => (stores === 0 ? null : this.records.reduce((s, r) => s + f(r), 0) / stores);
    return {
      stores,
      storesPlanned: this.init.stores,
      storesSkipped: this.storesSkipped,
      storeMeasurement: planned && stores === 0 ? 'no measurement: nobody joined' : null,
      storesSurvived: survived,
      survivalRatio: stores === 0 ? (planned ? 0 : null) : survived / stores,
      storeReplicasMean: mean((r) => Math.max(0, r.replicas)),
      holdersAtLossMean: mean((r) => r.holdersAtLoss),
      holdersKilled: this.records.reduce((s, r) => s + r.killed, 0),
      storeChecks: checksDone,
      storeChecksSkipped: this.checksSkipped,
      storeCheckFoundRatio: checksDone === 0 ? null : checksFound / checksDone,
    };
  }

  private pickJoined(except: ReadonlySet<number> = new Set()): number | undefined {
    const excluded = this.init.excluded;
    return this.population.joined.pick(this.rng, (i) => !excluded(i) && !except.has(i));
  }

  private storeAll(): void {
    const expiresAtMs = this.ctx.scenario.durationS * 1000 + 86_400_000;
    for (let s = 0; s < this.init.stores; s++) {
      const publisher = this.pickJoined();
      if (publisher === undefined) {
        this.storesSkipped = this.init.stores - s;
        return;
      }
      const blob = makeBlob(this.ctx.suite, this.rng.bytes(32), expiresAtMs);
      const tracked: Tracked = { blob, replicas: -1, holdersAtLoss: 0, killed: 0, checksFound: 0, checksMissed: 0, checksPending: new Set() };
      this.records.push(tracked);
      this.population.node(publisher)!.dht.store(blob.key, blob.record, (r) => {
        tracked.replicas = r.replicas;
      });
    }
  }

  private loseHolders(): void {
    const { names } = this.ctx;
    for (const r of this.records) {
      const holders: number[] = [];
      for (let i = 0; i < names.length; i++) {
        const node = this.population.node(i);
        if (node !== undefined && node.dht.records.get(r.blob.key, r.blob.record.recordType) !== undefined) holders.push(i);
      }
      r.holdersAtLoss = holders.length;
      const want = Math.ceil(this.init.lossFraction * holders.length);
      const killable = holders.filter((i) => this.population.role(i) !== 'entry');
      for (let j = 0; j < Math.min(want, killable.length); j++) {
        const at = j + this.rng.int(killable.length - j);
        [killable[j], killable[at]] = [killable[at], killable[j]];
        if (this.population.kill(killable[j])) r.killed++;
      }
    }
  }

  private checkAll(): void {
    for (const r of this.records) {
      const used = new Set<number>();
      for (let c = 0; c < this.init.checks; c++) {
        const index = this.pickJoined(used);
        if (index === undefined) {
          this.checksSkipped += this.init.checks - c;
          break;
        }
        used.add(index);
        const node = this.population.node(index)!;
        const check = { index, node };
        r.checksPending.add(check);
        node.dht.findValue(r.blob.key, r.blob.record.recordType, (res) => {
          r.checksPending.delete(check);
          if (res.record !== undefined && bytesEqual(res.record.value, r.blob.record.value)) r.checksFound++;
          else r.checksMissed++;
        });
      }
    }
  }

  /** Checks still running from a node that is still up: they did not find the record in time. */
  private stillRunning(r: Tracked): number {
    let n = 0;
    for (const c of r.checksPending) if (this.population.node(c.index) === c.node) n++;
    return n;
  }
}
