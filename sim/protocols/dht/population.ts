/**
 * The simulated DHT population: one ParatoxNode per simulated node, its arrival, join, churn and death.
 *
 * - Entry nodes (0 .. entryNodes-1) start at t = 0, join through each other and never churn: drivers tell the
 *   runner so through ProtocolDriver.mayChurn (`mayChurn(i)` below), so churn never schedules their departure.
 * - Every other node arrives at a time drawn uniformly over joinSpreadS and joins through entriesPerNewcomer
 *   random entries. When churn takes it down, its ParatoxNode stops; when churn brings it back, it returns as
 *   a NEW node: a new NodeID key pair from the stream `node/<name>/gen<k>`, at the same address, and joins
 *   again. Other nodes' tables still hold the old NodeID at that address: the session layer cannot complete a
 *   handshake with a key the new node does not hold, the RPCs time out, and liveness checks evict the entry.
 * - `kill(i)` takes a node down for good (store-survival measurement); later churn events leave it down.
 */
import { ParatoxNode, type ParatoxNodeInit } from '../../../protocol/node/paratox-node.ts';
import type { BootstrapResult } from '../../../protocol/dht/dht-node.ts';
import type { RecordValidator } from '../../../protocol/dht/record-validator.ts';
import type { PeerRef } from '../../../protocol/dht/types.ts';
import type { Clock, TimerId } from '../../../protocol/runtime/clock.ts';
import type { Rng } from '../../../protocol/runtime/rng.ts';
import type { DriverContext } from '../driver.ts';
import type { DhtRole, DhtScenarioHooks } from './hooks.ts';
import { IndexSet } from './index-set.ts';
import { dhtInitOf, natInitOf, noiseInitOf, sessionInitOf } from '../node-init.ts';

/** A failed join (no entry answered) is tried again this much later, with freshly drawn entries ... */
const JOIN_RETRY_MS = 5_000;
/** ... at most this many times in all. */
const JOIN_ATTEMPTS = 5;

interface Slot {
  /** Generation of the node now (or last) at this address: 0 for the first, +1 per return from churn. */
  gen: number;
  node?: ParatoxNode;
  joined: boolean;
  dead: boolean;
  /** Pending arrival (driver-owned event), cancelled if churn takes the node down first. */
  arrival?: number;
  /** Pending join retry on the node's clock: cancelled when the node stops, so a stop leaves no timer behind. */
  joinRetry?: TimerId;
}

export interface PopulationCounts {
  /** ParatoxNodes built over the run (all generations). */
  nodesBuilt: number;
  joinAttempts: number;
  joinsOk: number;
  joinsFailed: number;
  /** Nodes that gave up joining after JOIN_ATTEMPTS. */
  joinsAbandoned: number;
  /** Returns from churn (each a new NodeID). */
  rejoins: number;
  killed: number;
}

export class DhtPopulation {
  /** Nodes that are up and whose last join succeeded. */
  readonly joined = new IndexSet();
  readonly entryCount: number;
  readonly counts: PopulationCounts = {
    nodesBuilt: 0,
    joinAttempts: 0,
    joinsOk: 0,
    joinsFailed: 0,
    joinsAbandoned: 0,
    rejoins: 0,
    killed: 0,
  };
  /** Every node ever built, for the summed statistics. */
  readonly everyNode: ParatoxNode[] = [];
  private readonly slots: Slot[];
  private readonly arrivalMs: number[];
  private readonly joinRng: Rng;
  private readonly joinedListeners: Array<(index: number, node: ParatoxNode) => void> = [];

  constructor(
    private readonly ctx: DriverContext,
    private readonly hooks: readonly DhtScenarioHooks[],
    private readonly validators: readonly RecordValidator[],
  ) {
    const { scenario, names, sim } = ctx;
    this.entryCount = Math.min(scenario.dht.entryNodes, names.length);
    this.slots = names.map(() => ({ gen: 0, joined: false, dead: false }));
    const spread = sim.rng('dht/arrival');
    this.arrivalMs = names.map((_, i) => (i < this.entryCount ? 0 : spread.uniform() * scenario.dht.joinSpreadS * 1000));
    this.joinRng = sim.rng('dht/join');
  }

  role(i: number): DhtRole {
    return i < this.entryCount ? 'entry' : 'peer';
  }

  node(i: number): ParatoxNode | undefined {
    return this.slots[i].node;
  }

  isJoined(i: number): boolean {
    return this.joined.has(i);
  }

  entryRefs(): PeerRef[] {
    const refs: PeerRef[] = [];
    for (let i = 0; i < this.entryCount; i++) {
      const node = this.slots[i].node;
      if (node !== undefined) refs.push(node.peerRef);
    }
    return refs;
  }

  /** The clock node i's timers run on (entries keep their own owner name, as before churn skipped them). */
  clockOf(i: number): Clock {
    const name = this.ctx.names[i];
    return this.ctx.sim.clock(i < this.entryCount ? `${name}#entry` : name);
  }

  /** `fn(index, node)` runs whenever a node completes a successful join. */
  onJoined(fn: (index: number, node: ParatoxNode) => void): void {
    this.joinedListeners.push(fn);
  }

  /** The runner starts node i: at t = 0 for everyone, later when churn brings it back. */
  start(i: number): void {
    const slot = this.slots[i];
    const { sim, network, names } = this.ctx;
    if (slot.dead) {
      // The runner has just put the link up; a dead node stays down.
      network.setUp(names[i], false);
      return;
    }
    if (slot.node !== undefined || slot.arrival !== undefined) return;
    if (this.role(i) === 'entry') {
      this.build(i);
      // Entries join through each other once all of them exist (they are started in index order at t = 0).
      const node = slot.node!;
      this.clockOf(i).setTimer(0, () => this.join(i, node, 1));
      return;
    }
    const delayMs = Math.max(0, this.arrivalMs[i] - sim.now());
    slot.arrival = sim.after(delayMs, () => {
      slot.arrival = undefined;
      this.arrive(i);
    });
  }

  /** Whether churn may take node i down: entry nodes stay up for the whole run. */
  mayChurn(i: number): boolean {
    return this.role(i) !== 'entry';
  }

  /** The runner stops node i (churn departure). */
  stop(i: number): void {
    const slot = this.slots[i];
    if (slot.dead) return;
    if (this.role(i) === 'entry') throw new Error(`DhtPopulation.stop: entry node ${this.ctx.names[i]} may not churn (mayChurn)`);
    if (slot.arrival !== undefined) {
      this.ctx.sim.cancel(slot.arrival);
      slot.arrival = undefined;
    }
    this.retire(i);
  }

  /** Takes node i down for good. Entry nodes cannot be killed (returns false). */
  kill(i: number): boolean {
    const slot = this.slots[i];
    if (slot.dead || this.role(i) === 'entry') return false;
    this.stop(i);
    slot.dead = true;
    this.counts.killed++;
    const { sim, network, names } = this.ctx;
    sim.cancelTimersOf(names[i]);
    network.setUp(names[i], false);
    return true;
  }

  private arrive(i: number): void {
    const slot = this.slots[i];
    if (slot.gen > 0) this.counts.rejoins++;
    const node = this.build(i);
    this.join(i, node, 1);
  }

  private build(i: number): ParatoxNode {
    const { sim, scenario, transports, names, suite } = this.ctx;
    const slot = this.slots[i];
    // Generation 0 draws from node/<name>; every return from churn from a fresh stream (a new NodeID).
    const stream = slot.gen === 0 ? `node/${names[i]}` : `node/${names[i]}/gen${slot.gen}`;
    slot.gen++;
    const node = new ParatoxNode(
      { transport: transports[i], clock: this.clockOf(i), rng: sim.rng(stream), suite },
      this.nodeInit(i, sessionInitOf(scenario)),
    );
    slot.node = node;
    slot.joined = false;
    this.everyNode.push(node);
    // Ground truth for the traffic series: the datagrams counted in traffic.noisePackets are the ones marked noise.
    node.sessions.events.on('noise-sealed', (e) => this.ctx.network.markNoise(e.packet));
    this.counts.nodesBuilt++;
    return node;
  }

  /** The driver's options merged with every hook's: later hooks override policy/handlers, validators add up. */
  private nodeInit(i: number, session: ParatoxNodeInit['session']): ParatoxNodeInit {
    const init: ParatoxNodeInit = { session, dht: dhtInitOf(this.ctx.scenario), dhtPolicy: { validators: [...this.validators] } };
    const noise = noiseInitOf(this.ctx.scenario);
    if (noise) init.noise = noise;
    const nat = natInitOf(this.ctx.scenario);
    if (nat) init.nat = nat;
    const rotation = this.ctx.scenario.nodeIdRotation;
    if (rotation !== null) init.rotation = { periodMs: rotation.periodS * 1000, graceMs: Math.min(rotation.graceS, rotation.periodS) * 1000 };
    for (const hook of this.hooks) {
      const extra = hook.nodeInit?.(i, this.role(i));
      if (extra === undefined) continue;
      const validators = [...(init.dhtPolicy?.validators ?? []), ...(extra.dhtPolicy?.validators ?? [])];
      init.identity = extra.identity ?? init.identity;
      init.session = { ...init.session, ...extra.session };
      init.dht = { ...init.dht, ...extra.dht };
      init.dhtPolicy = { ...init.dhtPolicy, ...extra.dhtPolicy, validators };
      init.messenger = extra.messenger ?? init.messenger;
    }
    return init;
  }

  private entriesFor(i: number): PeerRef[] {
    const refs = this.entryRefs();
    if (this.role(i) === 'entry') return refs.filter((_, e) => e !== i);
    const want = Math.min(this.ctx.scenario.dht.entriesPerNewcomer, refs.length);
    for (let j = 0; j < want; j++) {
      const r = j + this.joinRng.int(refs.length - j);
      [refs[j], refs[r]] = [refs[r], refs[j]];
    }
    let chosen: readonly PeerRef[] = refs.slice(0, want);
    for (const hook of this.hooks) if (hook.joinEntries) chosen = hook.joinEntries(i, chosen);
    return [...chosen];
  }

  private join(i: number, node: ParatoxNode, attempt: number): void {
    const slot = this.slots[i];
    slot.joinRetry = undefined;
    if (slot.node !== node) return;
    this.counts.joinAttempts++;
    const entries = this.entriesFor(i);
    if (entries.length === 0 && this.role(i) === 'entry') {
      // A lone entry node is the whole network: nothing to join.
      this.joinedOk(i, node);
      return;
    }
    node.join(entries, (result: BootstrapResult) => {
      if (slot.node !== node) return;
      for (const hook of this.hooks) hook.onJoined?.(i, node, result);
      if (result.ok) {
        this.joinedOk(i, node);
        return;
      }
      this.counts.joinsFailed++;
      if (attempt >= JOIN_ATTEMPTS) {
        this.counts.joinsAbandoned++;
        return;
      }
      slot.joinRetry = this.clockOf(i).setTimer(JOIN_RETRY_MS, () => this.join(i, node, attempt + 1));
    });
  }

  private joinedOk(i: number, node: ParatoxNode): void {
    this.counts.joinsOk++;
    this.slots[i].joined = true;
    this.joined.add(i);
    for (const fn of this.joinedListeners) fn(i, node);
  }

  private retire(i: number): void {
    const slot = this.slots[i];
    const node = slot.node;
    if (node === undefined) return;
    if (slot.joinRetry !== undefined) this.clockOf(i).cancelTimer(slot.joinRetry);
    slot.joinRetry = undefined;
    node.stop();
    slot.node = undefined;
    slot.joined = false;
    this.joined.delete(i);
  }
}
