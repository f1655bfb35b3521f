import type { Rng } from '../../protocol/runtime/rng.ts';
import { describeError } from '../engine/errors.ts';
import type { Simulator } from '../engine/simulator.ts';
import { sampleLatencyMs, validateLatencySpec } from './latency.ts';
import { ByteSlab } from './byte-slab.ts';
import { NatBox } from './nat.ts';
import type { SendPort, SimNode } from './sim-node.ts';
import { SimTransport } from './sim-transport.ts';
import {
  DEFAULT_NETWORK_CONFIG,
  DEFAULT_REGION,
  type DatagramAccount,
  type DropReason,
  type LatencySpec,
  type NetworkConfig,
  type NetworkStats,
  type SimNodeOptions,
  type TapListener,
  type TruthTapListener,
} from './types.ts';

export type HandlerErrorListener = (node: string, error: unknown) => void;

const DROP_COUNTER: Record<DropReason, keyof NetworkStats> = {
  mtu: 'droppedMtu',
  loss: 'droppedLoss',
  nat: 'droppedNat',
  down: 'droppedDown',
  queue: 'droppedQueue',
  unknown: 'droppedUnknown',
  noHandler: 'droppedNoHandler',
};

/**
 * The simulated network every datagram goes through. Per datagram, in order:
 * 1. at send(): sender down, over MTU, unknown destination and uplink-queue overflow are dropped; the sender's
 *    NAT picks the external source address (creating a mapping if needed);
 * 2. after the uplink's FIFO serialisation delay (size / uplinkBytesPerS behind everything queued), the datagram
 *    leaves onto the link: the tap sees (time, source host, target host, size), hosts named by node name (a
 *    symmetric NAT's per-destination mappings `n3:1`, `n3:2` are ports of host `n3`), and truth taps (the runner's
 *    measuring observers, never Eve) the same plus whether it is noise (markNoise); then random loss applies;
 * 3. after the link latency (region-pair spec, drawn per datagram, so jitter may reorder) plus both nodes'
 *    access latency, it arrives: receiver down and the receiver's NAT filter drop; otherwise the receive
 *    handler gets a private copy of the bytes.
 * All randomness comes from `sim.rng('network')`. Sends, deliveries and drops go to the trace, and delivered
 * bytes are mixed into the trace hash.
 */
export class SimNetwork implements SendPort {
  readonly stats: NetworkStats = {
    sent: 0,
    transmitted: 0,
    delivered: 0,
    droppedMtu: 0,
    droppedLoss: 0,
    droppedNat: 0,
    droppedDown: 0,
    droppedQueue: 0,
    droppedUnknown: 0,
    droppedNoHandler: 0,
    tappedBytes: 0,
    deliveredBytes: 0,
    handlerErrors: 0,
  };
  readonly config: Readonly<NetworkConfig>;
  private readonly rng: Rng;
  private readonly nodes = new Map<string, SimNode>();
  /** External address (node name or symmetric-NAT mapping) -> node behind it. */
  private readonly addresses = new Map<string, SimNode>();
  private readonly regionIndex = new Map<string, number>();
  /** Latency spec by [sourceRegion][targetRegion]. */
  private pairSpec: LatencySpec[][] = [];
  private readonly slab = new ByteSlab();
  private taps: TapListener[] = [];
  private truthTaps: TruthTapListener[] = [];
  /** Datagrams (the sender's buffers, by identity) that are cover traffic: ground truth for truth taps only. */
  private readonly noise = new WeakSet<Uint8Array>();
  private handlerErrorListeners: HandlerErrorListener[] = [];
  /** Datagrams waiting in an uplink queue / travelling on a link right now (counted on their own, not derived). */
  private queuedNow = 0;
  private onLinkNow = 0;

  /** `config` fields left out take DEFAULT_NETWORK_CONFIG's values. */
  constructor(
    private readonly sim: Simulator,
    config: Partial<NetworkConfig> = {},
  ) {
    this.config = validateConfig({ ...DEFAULT_NETWORK_CONFIG, ...config });
    this.rng = sim.rng('network');
  }

  /** Adds a node and returns its transport. Names must be unique and must not contain ':' (NAT mappings). */
  addNode(name: string, opts: SimNodeOptions = {}): SimTransport {
    const where = `SimNetwork.addNode(${JSON.stringify(name)})`;
    if (name.length === 0 || name.includes(':')) throw new RangeError(`${where}: names must be non-empty, without ':'`);
    if (this.nodes.has(name)) throw new RangeError(`${where}: duplicate node`);
    const uplink = opts.uplinkBytesPerS === undefined ? this.config.uplinkBytesPerS : opts.uplinkBytesPerS;
    check(uplink === null || isPositiveFinite(uplink), `${where}: uplinkBytesPerS must be > 0 or null, got ${uplink}`);
    const access = opts.accessLatencyMs ?? 0;
    check(access >= 0 && access < Infinity, `${where}: accessLatencyMs must be finite and >= 0, got ${access}`);
    const nat = opts.nat ?? 'none';
    check(NAT_TYPES.has(nat), `${where}: unknown NAT type ${String(nat)}`);
    const node: SimNode = {
      name,
      regionIndex: this.regionOf(opts.region ?? DEFAULT_REGION),
      nat: new NatBox(name, nat, (mapping) => this.addresses.set(mapping, node)),
      uplinkBytesPerS: uplink,
      accessLatencyMs: access,
      up: true,
      epoch: 0,
      uplinkFreeAtMs: 0,
      handler: null,
    };
    this.nodes.set(name, node);
    this.addresses.set(name, node);
    return new SimTransport(node, this);
  }

  /** Takes a node down (its sends, queued datagrams and arrivals are dropped) or back up. */
  setUp(name: string, up: boolean): void {
    const node = this.nodeNamed(name);
    if (node.up === up) return;
    node.up = up;
    if (!up) {
      node.epoch++;
      node.uplinkFreeAtMs = this.sim.now();
    }
    this.sim.trace.record(up ? 'net.up' : 'net.down', this.sim.now(), name);
  }

  isUp(name: string): boolean {
    return this.nodeNamed(name).up;
  }

  /** Registers a link observer; returns a function that removes it. */
  onTap(listener: TapListener): () => void {
    this.taps = [...this.taps, listener];
    return () => {
      this.taps = this.taps.filter((l) => l !== listener);
    };
  }

  /** Registers a ground-truth link observer (TruthTapListener: the tap's row plus whether it is noise). */
  onTruthTap(listener: TruthTapListener): () => void {
    this.truthTaps = [...this.truthTaps, listener];
    return () => {
      this.truthTaps = this.truthTaps.filter((l) => l !== listener);
    };
  }

  /**
   * Marks `bytes` (the buffer a node is about to send) as cover traffic, for truth taps. Called by the runner's
   * wiring when a session layer seals a NOISE frame; it changes nothing about how the datagram travels.
   */
  markNoise(bytes: Uint8Array): void {
    this.noise.add(bytes);
  }

  /** Called when a receive handler throws (after it is counted and traced). Returns a remover. */
  onHandlerError(listener: HandlerErrorListener): () => void {
    this.handlerErrorListeners = [...this.handlerErrorListeners, listener];
    return () => {
      this.handlerErrorListeners = this.handlerErrorListeners.filter((l) => l !== listener);
    };
  }

  /** Datagrams sent but neither delivered nor dropped yet (in an uplink queue or on a link). */
  get inFlight(): number {
    const s = this.stats;
    let dropped = 0;
    for (const key of Object.values(DROP_COUNTER)) dropped += s[key];
    return s.sent - s.delivered - dropped;
  }

  /**
   * Where every datagram sent so far is now: delivered, dropped (by reason), waiting in an uplink queue, or on a
   * link. The queue and link figures are counted as datagrams enter and leave them, not derived from `sent`, so
   * checkDatagrams (sim/observers/accounting.ts) can tell a datagram that vanished from one that is under way.
   */
  datagramAccount(): DatagramAccount {
    const s = this.stats;
    const dropped = {} as Record<DropReason, number>;
    for (const [reason, key] of Object.entries(DROP_COUNTER) as Array<[DropReason, keyof NetworkStats]>) dropped[reason] = s[key];
    return { sent: s.sent, transmitted: s.transmitted, delivered: s.delivered, dropped, queuedAtEnd: this.queuedNow, inFlightAtEnd: this.onLinkNow };
  }

  /** Number of nodes added. */
  get size(): number {
    return this.nodes.size;
  }

  /** @internal The send path of SimTransport. */
  sendFrom(src: SimNode, to: string, bytes: Uint8Array): void {
    const now = this.sim.now();
    const size = bytes.length;
    this.stats.sent++;
    if (!src.up) return this.drop('down', src.name, to, size);
    if (size > this.config.mtuBytes) return this.drop('mtu', src.name, to, size);
    const dst = this.addresses.get(to);
    if (dst === undefined) return this.drop('unknown', src.name, to, size);
    let departMs = now;
    const rate = src.uplinkBytesPerS;
    if (rate !== null) {
      // FIFO uplink at constant rate: the backlog still to send is exactly (busy time left) * rate.
      const busyMs = src.uplinkFreeAtMs > now ? src.uplinkFreeAtMs - now : 0;
      const backlogBytes = (busyMs * rate) / 1000;
      if (backlogBytes + size > this.config.queueLimitBytes) return this.drop('queue', src.name, to, size);
      departMs = now + busyMs + (size * 1000) / rate;
      src.uplinkFreeAtMs = departMs;
    }
    const source = src.nat.outbound(to);
    const trace = this.sim.trace;
    if (trace.enabled) trace.record('net.send', now, src.name, source, to, size);
    // Copy now: the datagram's content is fixed at send time, and the receiver gets a buffer of its own.
    const copy = this.slab.copy(bytes);
    const noise = this.truthTaps.length > 0 && this.noise.has(bytes);
    if (departMs === now) this.transmit(src, src.epoch, source, dst, to, copy, noise);
    else {
      const epoch = src.epoch;
      this.queuedNow++;
      this.sim.at(departMs, () => {
        this.queuedNow--;
        this.transmit(src, epoch, source, dst, to, copy, noise);
      });
    }
  }

  /** The datagram leaves the sender's uplink onto the link. */
  private transmit(src: SimNode, epoch: number, source: string, dst: SimNode, to: string, bytes: Uint8Array, noise: boolean): void {
    const size = bytes.length;
    if (src.epoch !== epoch) return this.drop('down', source, to, size);
    const stats = this.stats;
    stats.transmitted++;
    stats.tappedBytes += size;
    const now = this.sim.now();
    const taps = this.taps;
    // Hosts, not NAT mappings: the tap and its ground truth name the same addresses (sim/eve/README.md).
    for (let i = 0; i < taps.length; i++) taps[i](now, src.name, dst.name, size);
    const truthTaps = this.truthTaps;
    for (let i = 0; i < truthTaps.length; i++) truthTaps[i](now, src.name, dst.name, size, noise);
    const lossRate = this.config.lossRate;
    if (lossRate > 0 && this.rng.uniform() < lossRate) return this.drop('loss', source, to, size);
    const linkMs = sampleLatencyMs(this.pairSpec[src.regionIndex][dst.regionIndex], this.rng);
    const latencyMs = linkMs + src.accessLatencyMs + dst.accessLatencyMs;
    this.onLinkNow++;
    this.sim.after(latencyMs, () => this.deliver(source, dst, to, bytes));
  }

  /** The datagram arrives at the receiver's NAT. */
  private deliver(source: string, dst: SimNode, to: string, bytes: Uint8Array): void {
    this.onLinkNow--;
    const size = bytes.length;
    if (!dst.up) return this.drop('down', source, to, size);
    if (!dst.nat.admits(to, source)) return this.drop('nat', source, to, size);
    const handler = dst.handler;
    if (handler === null) return this.drop('noHandler', source, to, size);
    this.stats.delivered++;
    this.stats.deliveredBytes += size;
    const trace = this.sim.trace;
    if (trace.enabled) {
      trace.record('net.deliver', this.sim.now(), source, to, size);
      trace.recordBytes(bytes);
    }
    try {
      handler(source, bytes);
    } catch (e) {
      this.handlerFailed(dst.name, e);
    }
  }

  private handlerFailed(node: string, e: unknown): void {
    this.stats.handlerErrors++;
    this.sim.trace.record('net.handlerError', this.sim.now(), node, describeError(e));
    for (const l of this.handlerErrorListeners) l(node, e);
  }

  private drop(reason: DropReason, source: string, to: string, size: number): void {
    this.stats[DROP_COUNTER[reason]]++;
    const trace = this.sim.trace;
    if (trace.enabled) trace.record('net.drop', this.sim.now(), source, to, size, reason);
  }

  private nodeNamed(name: string): SimNode {
    const node = this.nodes.get(name);
    if (node === undefined) throw new RangeError(`SimNetwork: unknown node ${name}`);
    return node;
  }

  /** Index of a region, extending the pair table when the region is new. */
  private regionOf(region: string): number {
    const known = this.regionIndex.get(region);
    if (known !== undefined) return known;
    const index = this.regionIndex.size;
    this.regionIndex.set(region, index);
    const names = [...this.regionIndex.keys()];
    this.pairSpec = names.map((a) => names.map((b) => this.specBetween(a, b)));
    return index;
  }

  private specBetween(a: string, b: string): LatencySpec {
    const r = this.config.regionLatency;
    return r[`${a}|${b}`] ?? r[`${b}|${a}`] ?? this.config.latency;
  }
}

const NAT_TYPES = new Set(['none', 'fullCone', 'restricted', 'symmetric']);

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

function isPositiveFinite(v: number): boolean {
  return v > 0 && v < Infinity;
}

function validateConfig(c: NetworkConfig): NetworkConfig {
  check(Number.isInteger(c.mtuBytes) && c.mtuBytes > 0, `NetworkConfig.mtuBytes must be a positive integer, got ${c.mtuBytes}`);
  check(c.lossRate >= 0 && c.lossRate < 1, `NetworkConfig.lossRate must be in [0, 1), got ${c.lossRate}`);
  const uplink = c.uplinkBytesPerS;
  check(uplink === null || isPositiveFinite(uplink), `NetworkConfig.uplinkBytesPerS must be > 0 or null, got ${uplink}`);
  check(c.queueLimitBytes > 0, `NetworkConfig.queueLimitBytes must be > 0, got ${c.queueLimitBytes}`);
  validateLatencySpec(c.latency, 'NetworkConfig.latency');
  for (const [key, spec] of Object.entries(c.regionLatency)) {
    check(key.split('|').length === 2, `NetworkConfig.regionLatency: key ${JSON.stringify(key)} must look like "a|b"`);
    validateLatencySpec(spec, `NetworkConfig.regionLatency[${key}]`);
  }
  return Object.freeze({ ...c });
}
