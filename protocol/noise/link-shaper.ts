/**
 * LinkShaper: the noise policy of one node, as a Transport between its SessionManager and the real transport
 * (constants.ts describes the policies). It shapes per link, i.e. per peer address: every datagram the
 * session layer sends (handshakes included) is real traffic to the shaper; dummies are NOISE frames sealed
 * by the session layer on the link's current session (`NoiseSource.sealNoise`), so on the wire they are data
 * packets of the wire size like any other, and the other end discards them as noise after authenticating
 * them. A link lives while its address has a session that can send: the first datagram to an address opens
 * it, the first slot that finds neither a queued datagram nor a session closes it (timer cancelled).
 *
 *   SessionManager --send--> LinkShaper --send--> PunchPort / Transport
 *        ^  sealNoise(address)   |  timers: one per open link ('poisson', 'constant')
 *        +------------------------+
 */
import type { Clock, TimerId } from '../runtime/clock.ts';
import type { Rng } from '../runtime/rng.ts';
import type { Address, ReceiveHandler, Transport } from '../runtime/transport.ts';
import { resolveNoiseConfig, type NoiseConfig, type NoisePolicy } from './constants.ts';
import { DelayHistogram, type DelaySummary } from './delay-histogram.ts';

/** What the shaper needs from the session layer (SessionManager implements it). */
export interface NoiseSource {
  /** A sealed NOISE datagram on the current session to `address`; undefined when none can send. */
  sealNoise(address: Address): Uint8Array | undefined;
  /** Peers with a session that can send now. */
  activePeers(): readonly { readonly address: Address }[];
}

export interface LinkShaperComponents {
  /** The transport below (on a ParatoxNode, its PunchPort). */
  readonly transport: Transport;
  readonly clock: Clock;
  /** Slot phases and dummy gaps; never drawn from with policy 'off'. */
  readonly rng: Rng;
}

export interface LinkShaperStats {
  readonly policy: NoisePolicy;
  /** Links open now, and ever opened. */
  readonly links: number;
  readonly linksOpened: number;
  /** Datagrams from the session layer passed on, and dummies sent (both counted when handed to the transport). */
  readonly realDatagrams: number;
  readonly noiseDatagrams: number;
  readonly realBytes: number;
  readonly noiseBytes: number;
  /** 'constant': real datagrams dropped because the link's queue was full; queued ones dropped by stop(). */
  readonly queueOverflow: number;
  readonly droppedOnStop: number;
  /** Datagrams from the session layer after stop(), dropped. */
  readonly sentAfterStop: number;
  /** 'constant', 'constant-node': time real datagrams waited for a slot. */
  readonly queueDelay: DelaySummary;
  /** 'constant-node': slots in which no link could send (no session yet). */
  readonly emptySlots: number;
}

interface Queued {
  readonly bytes: Uint8Array;
  readonly atMs: number;
}

interface Link {
  readonly to: Address;
  readonly queue: Queued[];
  timer: TimerId | undefined;
  /** 'constant': when the next slot is due (absolute, so a late wall-clock timer does not drift the rate). */
  nextSlotMs: number;
}

export class LinkShaper {
  readonly config: NoiseConfig;
  /** What the SessionManager should send through: the transport itself when the policy is 'off'. */
  readonly transport: Transport;
  private readonly components: LinkShaperComponents;
  private readonly links = new Map<Address, Link>();
  private readonly slotMs: number;
  private readonly delays = new DelayHistogram();
  private source: NoiseSource | undefined;
  private stopped = false;
  private linksOpened = 0;
  private realDatagrams = 0;
  private noiseDatagrams = 0;
  private realBytes = 0;
  private noiseBytes = 0;
  private queueOverflow = 0;
  private droppedOnStop = 0;
  private sentAfterStop = 0;
  /** 'constant-node': the node's one slot timer, the link order it serves round-robin, slots with nothing to send. */
  private nodeTimer: TimerId | undefined;
  private nodeNextSlotMs = 0;
  private cursor = 0;
  private emptySlots = 0;

  constructor(components: LinkShaperComponents, init: Partial<NoiseConfig> = {}) {
    this.components = components;
    this.config = resolveNoiseConfig(init);
    this.slotMs = 1000 / this.config.ratePerS;
    const inner = components.transport;
    this.transport =
      this.config.policy === 'off'
        ? inner
        : {
            localAddress: inner.localAddress,
            send: (to, bytes) => this.send(to, bytes),
            onReceive: (handler: ReceiveHandler) => inner.onReceive(handler),
          };
  }

  /** Gives the shaper its session layer (built after the shaper, on its transport) and opens links to its peers. */
  attach(source: NoiseSource): void {
    this.source = source;
    if (this.config.policy === 'off' || this.stopped) return;
    for (const { address } of source.activePeers()) this.link(address);
    if (this.config.policy === 'constant-node') this.armNodeSlot(this.components.rng.uniform() * this.slotMs);
  }

  stats(): LinkShaperStats {
    return {
      policy: this.config.policy,
      links: this.links.size,
      linksOpened: this.linksOpened,
      realDatagrams: this.realDatagrams,
      noiseDatagrams: this.noiseDatagrams,
      realBytes: this.realBytes,
      noiseBytes: this.noiseBytes,
      queueOverflow: this.queueOverflow,
      droppedOnStop: this.droppedOnStop,
      sentAfterStop: this.sentAfterStop,
      queueDelay: this.delays.summary(),
      emptySlots: this.emptySlots,
    };
  }

  /** Cancels every link timer and drops what is queued (counted); later datagrams are dropped and counted. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.nodeTimer !== undefined) this.components.clock.cancelTimer(this.nodeTimer);
    this.nodeTimer = undefined;
    for (const link of this.links.values()) {
      if (link.timer !== undefined) this.components.clock.cancelTimer(link.timer);
      this.droppedOnStop += link.queue.length;
    }
    this.links.clear();
  }

  // ---- policies ---------------------------------------------------------------------------------------------

  private send(to: Address, bytes: Uint8Array): void {
    if (this.stopped) return void this.sentAfterStop++;
    const link = this.link(to);
    if (this.config.policy === 'poisson') return this.pass(to, bytes, false);
    if (link.queue.length >= this.config.maxQueuedPerLink) return void this.queueOverflow++;
    link.queue.push({ bytes, atMs: this.components.clock.now() });
  }

  /** The link to `to`, opened (first slot at a random phase, or first dummy gap) if it was not. */
  private link(to: Address): Link {
    let link = this.links.get(to);
    if (link) return link;
    const { clock, rng } = this.components;
    if (this.config.policy === 'constant-node') {
      // No timer per link: the node's slot timer serves the links in turn.
      link = { to, queue: [], timer: undefined, nextSlotMs: 0 };
      this.links.set(to, link);
      this.linksOpened++;
      return link;
    }
    const firstMs = this.config.policy === 'constant' ? rng.uniform() * this.slotMs : this.dummyGapMs();
    link = { to, queue: [], timer: undefined, nextSlotMs: clock.now() + firstMs };
    this.links.set(to, link);
    this.linksOpened++;
    const opened = link;
    link.timer = clock.setTimer(firstMs, () => this.tick(opened));
    return link;
  }

  private tick(link: Link): void {
    link.timer = undefined;
    const { clock } = this.components;
    const queued = link.queue.shift();
    if (queued) {
      this.delays.add(clock.now() - queued.atMs);
      this.pass(link.to, queued.bytes, false);
    } else {
      const dummy = this.source?.sealNoise(link.to);
      // sealNoise may have queued a rekey handshake on this link: keep the link for it.
      if (!dummy && link.queue.length === 0) return this.close(link);
      if (dummy) this.pass(link.to, dummy, true);
    }
    if (this.stopped || this.links.get(link.to) !== link) return;
    if (this.config.policy === 'constant') {
      // >= 1 ms (slotMs is, and so is the clamp): never a zero-length re-arm on fractional virtual times.
      link.nextSlotMs = Math.max(link.nextSlotMs + this.slotMs, clock.now() + 1);
      link.timer = clock.setTimer(link.nextSlotMs - clock.now(), () => this.tick(link));
    } else {
      link.timer = clock.setTimer(this.dummyGapMs(), () => this.tick(link));
    }
  }

  /**
   * 'constant-node': one datagram per slot for the whole node. The oldest queued real datagram (any link) goes
   * first, so real traffic waits about one slot, not a round; an idle slot sends a dummy on the next link in
   * round-robin order (a link with no session left is closed and the next one tried). The node's send rate is
   * constant whatever it carries; what a per-link observer still sees is which links get the real datagrams'
   * share of the slots (constants.ts says so).
   */
  private nodeTick(): void {
    this.nodeTimer = undefined;
    if (this.stopped) return;
    const { clock } = this.components;
    const sent = this.config.slotOrder === 'round-robin' ? this.sendRoundRobin(true) : this.sendOldestQueued() || this.sendRoundRobin(false);
    if (!sent) this.emptySlots++;
    this.nodeNextSlotMs = Math.max(this.nodeNextSlotMs + this.slotMs, clock.now() + 1);
    this.armNodeSlot(this.nodeNextSlotMs - clock.now());
  }

  private sendOldestQueued(): boolean {
    let oldest: Link | undefined;
    for (const link of this.links.values()) {
      if (link.queue.length > 0 && (oldest === undefined || link.queue[0].atMs < oldest.queue[0].atMs)) oldest = link;
    }
    const queued = oldest?.queue.shift();
    if (!oldest || !queued) return false;
    this.delays.add(this.components.clock.now() - queued.atMs);
    this.pass(oldest.to, queued.bytes, false);
    return true;
  }

  /** The link whose turn it is sends (its oldest queued datagram when `takeQueued`, else a dummy). */
  private sendRoundRobin(takeQueued: boolean): boolean {
    for (let tries = this.links.size; tries > 0; tries--) {
      const order = [...this.links.values()];
      if (order.length === 0) return false;
      const link = order[this.cursor % order.length];
      const queued = takeQueued ? link.queue.shift() : undefined;
      if (queued) {
        this.cursor++;
        this.delays.add(this.components.clock.now() - queued.atMs);
        this.pass(link.to, queued.bytes, false);
        return true;
      }
      const dummy = this.source?.sealNoise(link.to);
      if (dummy) {
        this.cursor++;
        this.pass(link.to, dummy, true);
        return true;
      }
      if (link.queue.length > 0) {
        this.cursor++; // queued datagrams waiting for a session (handshake under way): keep the link
        continue;
      }
      this.links.delete(link.to); // nothing queued and no session: the link is gone
    }
    return false;
  }

  private armNodeSlot(delayMs: number): void {
    if (this.stopped) return;
    const { clock } = this.components;
    const d = Math.max(1, delayMs);
    if (this.nodeNextSlotMs === 0) this.nodeNextSlotMs = clock.now() + d;
    this.nodeTimer = clock.setTimer(d, () => this.nodeTick());
  }

  /** Exponential gap of mean 1/ratePerS, at least 1 ms (at 10/s that shifts the mean by under 0.01 ms). */
  private dummyGapMs(): number {
    return Math.max(1, this.components.rng.exponential(this.slotMs));
  }

  private pass(to: Address, bytes: Uint8Array, noise: boolean): void {
    if (noise) {
      this.noiseDatagrams++;
      this.noiseBytes += bytes.length;
    } else {
      this.realDatagrams++;
      this.realBytes += bytes.length;
    }
    this.components.transport.send(to, bytes);
  }

  private close(link: Link): void {
    if (link.timer !== undefined) this.components.clock.cancelTimer(link.timer);
    link.timer = undefined;
    this.links.delete(link.to);
  }
}

/** The factory a node calls: `createLinkShaper(components, init.noise)`, then `attach(sessions)`. */
export function createLinkShaper(components: LinkShaperComponents, init: Partial<NoiseConfig> = {}): LinkShaper {
  return new LinkShaper(components, init);
}
