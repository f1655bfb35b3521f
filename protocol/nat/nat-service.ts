/**
 * NAT traversal over a SessionManager: hole punching coordinated by a rendezvous node, relaying where no
 * punch can work, and a messenger (`send` / `onMessage`) that uses whatever path was found.
 *
 * connect(B, { via: R }) on A:
 *   1. direct: PROBE to B's given address over a session (the handshake itself is the first test);
 *   2. after directGraceMs: PUNCH_REQUEST(B) to R; R sends PUNCH_NOTIFY(A's observed address, nonce) to B and
 *      PUNCH_READY(B's observed address, nonce) to A;
 *   3. A and B send each other punch datagrams (punch-exchange.ts) until one side hears an authentic one;
 *      the address it came from is where the peer's NAT lets us in;
 *   4. A sends PROBE over a session to that address; PROBE_ACK means the session is up: 'punched'
 *      ('direct' if it came back before any punch was sent);
 *   5. nothing heard (or both NATs map per destination, which R's messages reveal up front): 'unpunchable',
 *      unless `relay` is on: then a PROBE sealed for B travels through R (RELAY / RELAYED), and its answer
 *      makes the path 'relayed' (ECIES, so `protection.pfs === false` on those messages).
 * Every outcome is counted (stats.ts) and reported once through the callback, never synchronously.
 *
 * Target side: a PUNCH_NOTIFY is accepted only from a rendezvous this node registered with (or one the
 * `acceptNotify` policy admits), within a rate budget, with a fresh nonce; anything else is dropped and counted.
 * Rendezvous side: rendezvous.ts. A node plays all three roles at once.
 */
import { OFFLINE_PROTECTION } from '../crypto/message-security.ts';
import { CryptoError, type CryptoSuite, type KeyPair } from '../crypto/suite.ts';
import { equalBytes } from '../packet/bytes.ts';
import { byteKey, hexKey } from '../runtime/hex-key.ts';
import { maxBodyBytes } from '../packet/inner-codec.ts';
import type { PayloadType } from '../packet/payload-type.ts';
import type { Clock, TimerId } from '../runtime/clock.ts';
import type { Rng } from '../runtime/rng.ts';
import type { Address } from '../runtime/transport.ts';
import { HandlerTable } from '../messenger/event-bus.ts';
import type { Messenger, Unsubscribe } from '../messenger/messenger.ts';
import type { SessionManager, SessionMessage } from '../session/session-manager.ts';
import type { Peer } from '../session/session.ts';
import { KeyedPeer, keyOfPeer } from '../session/keyed-peer.ts';
import { BoundedMap, RateLimiter } from './bounded-map.ts';
import { REQUEST_ID_BYTES, resolveNatConfig, type NatConfig } from './constants.ts';
import {
  decodeNatMessage,
  encodeNatMessage,
  RELAY_OVERHEAD_BYTES,
  type MappingBehaviour,
  type NatMessage,
  type NatMessageKind,
  type NatMessageOf,
  type RefusalReason,
} from './messages.ts';
import { NatObserver } from './nat-observer.ts';
import { derivePunchKeys, type PunchRole } from './punch-datagram.ts';
import { PunchExchange } from './punch-exchange.ts';
import type { PunchPort } from './punch-port.ts';
import { openRelayed, RELAY_SEAL_OVERHEAD_BYTES, sealRelayed } from './relay-seal.ts';
import { Rendezvous } from './rendezvous.ts';
import { countNatDrop, emptyNatCounters, type NatCounters, type NatDropReason, type NatFailure, type NatStats } from './stats.ts';

export interface NatComponents {
  sessions: SessionManager;
  /** The transport the SessionManager was built over (punch datagrams go in and out beside it). */
  port: PunchPort;
  clock: Clock;
  rng: Rng;
  suite: CryptoSuite;
  /** The current NodeID key pair. */
  identity: () => KeyPair;
  /** Rendezvous role: where to find a target that did not register (e.g. the DHT routing table). */
  knownPeer?: (nodePub: Uint8Array) => Peer | undefined;
  /** Target role: accept PUNCH_NOTIFY from `from` although we never registered with it (default: no). */
  acceptNotify?: (from: Peer) => boolean;
}

/** How a peer is reached after connect(): a punched address, or through a relay. */
export type Route = { readonly kind: 'address'; readonly address: Address } | { readonly kind: 'relay'; readonly via: Peer };

export type ConnectPath = 'direct' | 'punched' | 'relayed';

export type ConnectResult =
  | { ok: true; path: 'direct' | 'punched'; peer: Peer; elapsedMs: number }
  | { ok: true; path: 'relayed'; peer: Peer; via: Peer; elapsedMs: number }
  | { ok: false; reason: NatFailure; detail: string; elapsedMs: number };

export interface ConnectOptions {
  /** The rendezvous: a node both sides have sessions with. Without it only the direct path is tried. */
  via?: Peer;
  /** Try `target.address` directly as well (default true). */
  direct?: boolean;
}

export type RegisterResult =
  | { ok: true; observedAddress: Address; ttlMs: number }
  | { ok: false; reason: RefusalReason | 'timeout' | 'overloaded' | 'stopped' };

/** A delivered message; `via` is set when it came through a relay (then `protection.pfs` is false). */
export interface NatDelivery extends SessionMessage {
  readonly via?: Peer;
}
export type NatMessageHandler = (msg: NatDelivery) => void;

type Phase = 'direct' | 'rendezvous' | 'punching' | 'probing' | 'relaying';

interface Connect {
  readonly target: Peer;
  readonly targetHex: string;
  readonly via?: Peer;
  readonly startMs: number;
  readonly cb: (result: ConnectResult) => void;
  readonly timers: TimerId[];
  phase: Phase;
  /** A punch datagram was sent for this connect: success then counts as 'punched'. */
  punched: boolean;
  done: boolean;
}

interface Probe {
  readonly connect: Connect;
  readonly kind: 'direct' | 'punched' | 'relayed';
}

interface PendingRequest {
  readonly to: Peer;
  readonly accepts: readonly NatMessageKind[];
  readonly onReply: (m: NatMessage) => void;
  timer?: TimerId;
}

/** Why a connect that timed out as a whole failed, by the phase it was in. */
const TIMEOUT_FAILURE: Record<Phase, NatFailure> = {
  direct: 'unreachable',
  rendezvous: 'rendezvous-timeout',
  punching: 'unpunchable',
  probing: 'probe-timeout',
  relaying: 'unpunchable',
};

const FINISHED_MEMORY = 256;

export class NatService implements Messenger {
  readonly config: NatConfig;
  private readonly counters: NatCounters = emptyNatCounters();
  private readonly rendezvousRole: Rendezvous;
  private readonly observer: NatObserver;
  private readonly handlers = new HandlerTable<NatMessageHandler>();
  private readonly subscribedTypes = new Set<number>();
  private readonly connects = new Set<Connect>();
  private readonly connectByTarget = new Map<string, Connect>();
  private readonly probes = new Map<string, Probe>();
  private readonly requests = new Map<string, PendingRequest>();
  /** Ids of finished requests and probes: a late answer to them is not a drop. */
  private readonly finished = new BoundedMap<string, true>(FINISHED_MEMORY);
  private readonly relayIds = new BoundedMap<string, true>(FINISHED_MEMORY);
  private readonly exchanges = new Map<string, PunchExchange>();
  private readonly rendezvous: BoundedMap<string, Peer>;
  private readonly routes: BoundedMap<string, Route>;
  /** Keyed by byteKey (half a hex key's heap): nothing prints or orders these keys. */
  private readonly introducers: BoundedMap<string, Peer>;
  /** The copy the latest introducers entry holds (introducerCopy). */
  private lastIntroducer?: KeyedPeer;
  private readonly recentNonces: BoundedMap<string, true>;
  private readonly notifyLimit: RateLimiter;
  private readonly maxRelayBody: number;
  private stopped = false;

  constructor(
    private readonly c: NatComponents,
    init: Partial<NatConfig> = {},
  ) {
    const config = resolveNatConfig(init);
    this.config = config;
    this.observer = new NatObserver(config.maxObservations, config.registrationTtlMs);
    this.rendezvous = new BoundedMap(config.maxRendezvous);
    this.routes = new BoundedMap(config.maxRoutes);
    this.introducers = new BoundedMap(config.maxIntroducers);
    this.recentNonces = new BoundedMap(config.maxRecentNonces);
    this.notifyLimit = new RateLimiter(config.maxNotifiesPerWindow, config.rateWindowMs, config.maxRendezvous + 64);
    this.maxRelayBody = maxBodyBytes(c.sessions.config.wireSize) - RELAY_OVERHEAD_BYTES - RELAY_SEAL_OVERHEAD_BYTES;
    this.rendezvousRole = new Rendezvous({
      clock: c.clock,
      rng: c.rng.fork('rendezvous'),
      config,
      counters: this.counters,
      send: (to, msg) => this.sendNat(to, msg),
      knownPeer: c.knownPeer,
    });
    c.sessions.onMessage(config.payloadType as PayloadType, (msg) => this.receive(msg));
    c.sessions.onHandshakeTimeout((peer, timeouts, givingUp) => this.onHandshakeTimeout(peer, timeouts, givingUp));
  }

  // ---- public API -------------------------------------------------------------------------------------------

  /** Largest body `send` can carry through a relay. */
  get maxRelayBodyBytes(): number {
    return this.maxRelayBody;
  }

  /** Our NAT's mapping behaviour as peers' reports show it. */
  get mapping(): MappingBehaviour {
    return this.observer.mapping(this.c.clock.now());
  }

  /** Asks `rendezvous` to coordinate punches for us (and learns how it sees our address). */
  register(rendezvous: Peer, cb: (result: RegisterResult) => void = () => {}): void {
    if (this.stopped) return this.later(() => cb({ ok: false, reason: 'stopped' }));
    if (this.requests.size >= this.config.maxConnects + this.config.maxRendezvous) return this.later(() => cb({ ok: false, reason: 'overloaded' }));
    this.request(
      rendezvous,
      (requestId) => ({ kind: 'register', requestId, mapping: this.mapping }),
      ['registered', 'refused'],
      (m) => {
        if (m.kind === 'refused') return cb({ ok: false, reason: m.reason });
        if (m.kind !== 'registered') return;
        const now = this.c.clock.now();
        this.rendezvous.set(hexKey(rendezvous.nodePub), copyPeer(rendezvous), now + m.ttlMs);
        this.counters.registrations++;
        this.noteObserved(rendezvous.nodePub, m.observedAddress);
        cb({ ok: true, observedAddress: m.observedAddress, ttlMs: m.ttlMs });
      },
      () => cb({ ok: false, reason: 'timeout' }),
    );
  }

  /** Finds a working path to `target`: direct, punched through `via`, or relayed by `via`. */
  connect(target: Peer, options: ConnectOptions, cb: (result: ConnectResult) => void): void {
    this.counters.connects++;
    const startMs = this.c.clock.now();
    const early = (reason: NatFailure, detail: string): void => {
      this.countFailure(reason);
      this.later(() => cb({ ok: false, reason, detail, elapsedMs: 0 }));
    };
    if (this.stopped) return early('stopped', 'stopped');
    if (this.connects.size >= this.config.maxConnects) return early('overloaded', `${this.connects.size} connects in progress`);
    if (!validKey(this.c.suite, target.nodePub)) return early('bad-peer-key', 'target key is not a P-256 point');
    const via = options.via !== undefined && !equalBytes(options.via.nodePub, target.nodePub) ? copyPeer(options.via) : undefined;
    const targetHex = hexKey(target.nodePub);
    const c: Connect = { target: copyPeer(target), targetHex, via, startMs, cb, timers: [], phase: 'direct', punched: false, done: false };
    this.connects.add(c);
    this.connectByTarget.set(c.targetHex, c);
    this.timer(c, this.config.connectTimeoutMs, () => this.fail(c, TIMEOUT_FAILURE[c.phase], `no result within ${this.config.connectTimeoutMs} ms`));
    const direct = options.direct !== false;
    if (direct) this.probe(c, this.addressFor(c.target), 'direct');
    if (via !== undefined) this.timer(c, direct ? this.config.directGraceMs : 0, () => this.askRendezvous(c, via));
  }

  /** Sends like SessionManager.send, along the route connect() found for the peer (if any). */
  send(peer: Peer, type: PayloadType, body: Uint8Array): void {
    const route = this.routeOf(peer.nodePub);
    if (route?.kind === 'relay' && this.relaySend(route.via, peer.nodePub, type, body)) return;
    const address = route?.kind === 'address' ? route.address : peer.address;
    this.c.sessions.send(address === peer.address ? peer : { address, nodePub: peer.nodePub }, type, body);
  }

  /** Adds a handler for one payload type, for session and relayed deliveries alike (multi-subscriber). */
  onMessage(type: PayloadType, handler: NatMessageHandler): Unsubscribe {
    if (type === this.config.payloadType) throw new RangeError('onMessage: the NAT payload type is handled by NatService itself');
    // One session subscription per type, fanned out here, so a route is refreshed once per message.
    if (!this.subscribedTypes.has(type)) {
      this.subscribedTypes.add(type);
      this.c.sessions.onMessage(type, (msg) => {
        this.sawSession(msg.from);
        for (const h of this.handlers.get(type)) h(msg);
      });
    }
    return this.handlers.add(type, handler);
  }

  /** The route connect() (or a punch from the peer) found for `nodePub`, if still fresh. */
  routeOf(nodePub: Uint8Array): Route | undefined {
    return this.routes.get(hexKey(nodePub), this.c.clock.now());
  }

  /** Remembers that `introducer` told us about `contactPub` (a natural rendezvous for it). */
  noteIntroducer(contactPub: Uint8Array, introducer: Peer): void {
    if (equalBytes(contactPub, introducer.nodePub)) return;
    this.introducers.set(byteKey(contactPub), this.introducerCopy(introducer));
  }

  /**
   * A copy of `introducer` (never the caller's arrays), shared with the previous entry when it names the same peer:
   * one NODES reply introduces up to k contacts, and a copy each (~270 B of heap) was a tenth of a DHT node's
   * memory (issue 14). Entries only read their Peer, so sharing one changes nothing else. The copy is a KeyedPeer
   * (protocol/session/keyed-peer.ts): its nodePub lives in one flat string, each read a fresh array (~185 B less
   * per introducer than a Uint8Array of its own).
   */
  private introducerCopy(introducer: Peer): Peer {
    const last = this.lastIntroducer;
    if (last !== undefined && last.address === introducer.address && last.key === keyOfPeer(introducer.address, introducer.nodePub)) return last;
    return (this.lastIntroducer = new KeyedPeer(introducer.address, introducer.nodePub));
  }

  introducerOf(contactPub: Uint8Array): Peer | undefined {
    return this.introducers.get(byteKey(contactPub), this.c.clock.now());
  }

  /** Records how `reporterPub` sees our address; a change of mapping behaviour is re-announced to rendezvous. */
  noteObserved(reporterPub: Uint8Array, observed: Address): void {
    const now = this.c.clock.now();
    const before = this.observer.mapping(now);
    const after = this.observer.report(reporterPub, observed, now);
    if (after === before || after === 'unknown' || this.stopped) return;
    for (const r of this.rendezvous.values(now)) this.register(r);
  }

  stats(): NatStats {
    return {
      ...this.counters,
      outcomes: { ...this.counters.outcomes },
      failures: { ...this.counters.failures },
      dropped: { ...this.counters.dropped },
      connectsActive: this.connects.size,
      mapping: this.mapping,
      observedAddress: this.observer.observedAddress,
      routes: this.routes.size,
    };
  }

  /** Cancels every timer and exchange; connects in progress count as 'stopped' and never call back. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of [...this.connects]) this.finish(c, undefined, 'stopped');
    for (const r of this.requests.values()) if (r.timer !== undefined) this.c.clock.cancelTimer(r.timer);
    this.requests.clear();
    for (const x of this.exchanges.values()) x.cancel();
    this.exchanges.clear();
  }

  // ---- connect steps ----------------------------------------------------------------------------------------

  private askRendezvous(c: Connect, via: Peer): void {
    if (c.done) return;
    c.phase = 'rendezvous';
    this.counters.punchRequestsSent++;
    this.request(
      via,
      (requestId) => ({ kind: 'punch-request', requestId, targetPub: c.target.nodePub, mapping: this.mapping }),
      ['punch-ready', 'refused'],
      (m) => {
        if (m.kind === 'refused') return this.fail(c, 'rendezvous-refused', m.reason);
        if (m.kind === 'punch-ready') this.onPunchReady(c, via, m);
      },
      () => this.fail(c, 'rendezvous-timeout', `no answer from the rendezvous after ${this.config.requestRetries + 1} attempts`),
    );
  }

  private onPunchReady(c: Connect, via: Peer, m: NatMessageOf<'punch-ready'>): void {
    if (c.done) return;
    if (!equalBytes(m.targetPub, c.target.nodePub)) {
      // The rendezvous answered about someone else: a lie or a bug; either way it cannot be trusted now.
      this.drop('mismatch');
      return this.fail(c, 'rendezvous-refused', 'PUNCH_READY names another target');
    }
    this.noteObserved(via.nodePub, m.observedAddress);
    if (this.mapping === 'address-dependent' && m.targetMapping === 'address-dependent') {
      return this.unpunchable(c, 'both NATs map per destination');
    }
    c.phase = 'punching';
    const started = this.startExchange('requester', m.nonce, c.target.nodePub, m.targetAddress, {
      onHeard: (address) => {
        if (c.done) return;
        c.phase = 'probing';
        this.probe(c, address, 'punched');
      },
      onEnd: (heard) => {
        if (!heard && !c.done && c.phase === 'punching') this.unpunchable(c, 'no punch got through');
      },
    });
    if (started) c.punched = true;
    else this.fail(c, 'overloaded', `${this.exchanges.size} punch exchanges in progress`);
  }

  private unpunchable(c: Connect, detail: string): void {
    if (c.done) return;
    if (!this.config.relay || c.via === undefined) return this.fail(c, 'unpunchable', detail);
    c.phase = 'relaying';
    this.probe(c, c.via.address, 'relayed', detail);
  }

  /**
   * PROBE over a session to `address` (or sealed through the relay), answered by PROBE_ACK. Resent with the
   * same id every requestTimeoutMs (a lost probe or ack must not fail a working path) until its deadline:
   * probeTimeoutMs on a session (spanning handshake retries), requestRetries + 2 rounds through a relay.
   */
  private probe(c: Connect, address: Address, kind: Probe['kind'], detail = ''): void {
    const requestId = this.freshId();
    const hex = hexKey(requestId);
    this.probes.set(hex, { connect: c, kind });
    const body = encodeNatMessage({ kind: 'probe', requestId });
    const type = this.config.payloadType as PayloadType;
    const sendOnce = (): boolean => {
      this.counters.probesSent++;
      if (kind === 'relayed') return this.relaySend(c.via!, c.target.nodePub, type, body);
      this.c.sessions.send({ address, nodePub: c.target.nodePub }, type, body);
      return true;
    };
    if (!sendOnce()) return this.fail(c, 'unpunchable', `${detail}; nothing can be relayed to this target`);
    const { requestTimeoutMs, requestRetries, probeTimeoutMs } = this.config;
    const deadline = this.c.clock.now() + (kind === 'relayed' ? (requestRetries + 2) * requestTimeoutMs : probeTimeoutMs);
    const tick = (): void => {
      if (!this.probes.has(hex)) return;
      const left = deadline - this.c.clock.now();
      if (left > 0) {
        sendOnce();
        return this.timer(c, Math.min(requestTimeoutMs, left), tick);
      }
      this.retireProbe(hex);
      if (kind === 'direct' && c.via !== undefined) return; // the rendezvous path carries on
      if (kind === 'direct') return this.fail(c, 'unreachable', 'no answer on the direct path');
      if (kind === 'punched') return this.fail(c, 'probe-timeout', `punched ${address} but no session answered`);
      this.fail(c, 'unpunchable', `${detail}; the relay did not answer`);
    };
    this.timer(c, Math.min(requestTimeoutMs, deadline - this.c.clock.now()), tick);
  }

  private succeed(c: Connect, path: ConnectPath, peer: Peer): void {
    if (path === 'relayed') this.setRoute(c.target.nodePub, { kind: 'relay', via: c.via! });
    else if (path === 'punched') this.setRoute(c.target.nodePub, { kind: 'address', address: peer.address });
    this.finish(c, path === 'relayed' ? { ok: true, path, peer: c.target, via: c.via!, elapsedMs: 0 } : { ok: true, path, peer, elapsedMs: 0 });
  }

  private fail(c: Connect, reason: NatFailure, detail: string): void {
    this.finish(c, { ok: false, reason, detail, elapsedMs: 0 });
  }

  private finish(c: Connect, result: ConnectResult | undefined, stoppedReason?: NatFailure): void {
    if (c.done) return;
    c.done = true;
    for (const t of c.timers) this.c.clock.cancelTimer(t);
    this.connects.delete(c);
    if (this.connectByTarget.get(c.targetHex) === c) this.connectByTarget.delete(c.targetHex);
    for (const [hex, p] of this.probes) if (p.connect === c) this.retireProbe(hex);
    if (result === undefined) return this.countFailure(stoppedReason ?? 'stopped');
    if (result.ok) this.counters.outcomes[result.path]++;
    else this.countFailure(result.reason);
    c.cb({ ...result, elapsedMs: this.c.clock.now() - c.startMs });
  }

  private countFailure(reason: NatFailure): void {
    this.counters.failures[reason] = (this.counters.failures[reason] ?? 0) + 1;
  }

  // ---- receive path -----------------------------------------------------------------------------------------

  private receive(msg: SessionMessage): void {
    if (this.stopped) return;
    const decoded = decodeNatMessage(msg.body);
    if (!decoded.ok) return this.drop(decoded.error === 'unknown-type' ? 'unknown-type' : 'malformed');
    this.sawSession(msg.from);
    this.handle({ address: msg.from.address, nodePub: msg.from.nodePub }, decoded.message, undefined);
  }

  /** One NAT message from an authenticated peer; `via` is the relay when it arrived sealed through one. */
  private handle(from: Peer, m: NatMessage, via: Peer | undefined): void {
    if (via !== undefined && m.kind !== 'probe' && m.kind !== 'probe-ack') return this.drop('unsupported');
    switch (m.kind) {
      case 'register':
        return this.rendezvousRole.onRegister(from, m);
      case 'punch-request':
        return this.rendezvousRole.onPunchRequest(from, m);
      case 'relay':
        return this.rendezvousRole.onRelay(from, m);
      case 'registered':
      case 'punch-ready':
        return this.onReply(from, m);
      case 'refused':
        if (this.relayIds.delete(hexKey(m.requestId))) return void this.counters.relayRefused++;
        return this.onReply(from, m);
      case 'punch-notify':
        return this.onNotify(from, m);
      case 'probe':
        return this.onProbe(from, m, via);
      case 'probe-ack':
        return this.onProbeAck(from, m, via);
      case 'relayed':
        return this.onRelayed(from, m);
    }
  }

  private onReply(from: Peer, m: Extract<NatMessage, { requestId: Uint8Array }>): void {
    const hex = hexKey(m.requestId);
    const req = this.requests.get(hex);
    if (req === undefined || !equalBytes(req.to.nodePub, from.nodePub) || !req.accepts.includes(m.kind)) {
      if (req === undefined && this.finished.has(hex, this.c.clock.now())) return void this.counters.lateReplies++;
      return this.drop('unsolicited');
    }
    this.requests.delete(hex);
    this.finished.set(hex, true);
    if (req.timer !== undefined) this.c.clock.cancelTimer(req.timer);
    req.onReply(m);
  }

  private onNotify(from: Peer, m: NatMessageOf<'punch-notify'>): void {
    const now = this.c.clock.now();
    const isRendezvous = this.rendezvous.has(hexKey(from.nodePub), now) || this.c.acceptNotify?.(from) === true;
    if (!isRendezvous) return this.drop('not-rendezvous');
    if (equalBytes(m.requesterPub, this.c.identity().publicKey)) return this.drop('malformed');
    const nonceHex = hexKey(m.nonce);
    if (this.recentNonces.has(nonceHex, now)) return this.drop('duplicate');
    if (!this.notifyLimit.allow(hexKey(from.nodePub), now)) return this.drop('rate-limited');
    this.recentNonces.set(nonceHex, true, now + this.config.rateWindowMs);
    if (this.mapping === 'address-dependent' && m.requesterMapping === 'address-dependent') {
      this.counters.notifiesAccepted++;
      return void this.counters.punchesSkipped++;
    }
    const started = this.startExchange('target', m.nonce, m.requesterPub, m.requesterAddress, {
      onHeard: (address) => this.setRoute(m.requesterPub, { kind: 'address', address }),
      onEnd: () => {},
    });
    if (started) this.counters.notifiesAccepted++;
  }

  private onProbe(from: Peer, m: NatMessageOf<'probe'>, via: Peer | undefined): void {
    this.counters.probesAnswered++;
    const ack = encodeNatMessage({ kind: 'probe-ack', requestId: m.requestId });
    if (via !== undefined) this.relaySend(via, from.nodePub, this.config.payloadType as PayloadType, ack);
    else this.c.sessions.send(from, this.config.payloadType as PayloadType, ack);
  }

  private onProbeAck(from: Peer, m: NatMessageOf<'probe-ack'>, via: Peer | undefined): void {
    const hex = hexKey(m.requestId);
    const p = this.probes.get(hex);
    if (p === undefined) {
      if (this.finished.has(hex, this.c.clock.now())) return void this.counters.lateProbeAcks++;
      return this.drop('unsolicited');
    }
    const c = p.connect;
    if (!equalBytes(c.target.nodePub, from.nodePub) || (p.kind === 'relayed') !== (via !== undefined)) return this.drop('mismatch');
    this.retireProbe(hex);
    if (p.kind === 'relayed') return this.succeed(c, 'relayed', c.target);
    this.succeed(c, c.punched ? 'punched' : 'direct', from);
  }

  private onRelayed(from: Peer, m: NatMessageOf<'relayed'>): void {
    const opened = openRelayed(this.c.suite, this.c.identity(), m.sourcePub, m.sealed);
    if (!opened.ok) return this.drop('relay-auth-failed');
    const now = this.c.clock.now();
    const { sentAtMs, sealId, type, body } = opened.value;
    if (Math.abs(now - sentAtMs) > this.config.relayMaxSkewMs) return this.drop('stale');
    if (this.recentNonces.has(sealId, now)) return this.drop('replay');
    this.recentNonces.set(sealId, true, now + 2 * this.config.relayMaxSkewMs);
    this.counters.relayedDelivered++;
    const sender: Peer = { address: from.address, nodePub: m.sourcePub };
    // Answers go back the way this came unless a better path is already known.
    if (this.routeOf(m.sourcePub)?.kind !== 'address') this.setRoute(m.sourcePub, { kind: 'relay', via: from });
    if (type === this.config.payloadType) {
      const inner = decodeNatMessage(body);
      if (!inner.ok) return this.drop('malformed');
      return this.handle(sender, inner.message, from);
    }
    const handlers = this.handlers.get(type);
    if (handlers.length === 0) return this.drop('unsupported');
    for (const h of handlers) h({ from: sender, body, protection: OFFLINE_PROTECTION, via: from });
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private onHandshakeTimeout(peer: Peer, timeouts: number, givingUp: boolean): void {
    if (this.stopped) return;
    const hex = hexKey(peer.nodePub);
    const route = this.routeOf(peer.nodePub);
    if (givingUp && route?.kind === 'address' && route.address === peer.address) this.routes.delete(hex);
    if (!this.config.autoPunch || timeouts !== 1 || route !== undefined || this.connectByTarget.has(hex)) return;
    const via = this.introducerOf(peer.nodePub);
    if (via === undefined) return;
    this.counters.autoPunches++;
    this.connect(peer, { via, direct: false }, () => {});
  }

  private startExchange(
    role: PunchRole,
    nonce: Uint8Array,
    peerPub: Uint8Array,
    peerAddress: Address,
    events: { onHeard: (address: Address) => void; onEnd: (heard: boolean) => void },
  ): boolean {
    const nonceHex = hexKey(nonce);
    if (this.exchanges.size >= this.config.maxPunches || this.exchanges.has(nonceHex)) {
      this.drop('overloaded');
      return false;
    }
    const own = this.c.identity();
    let keys;
    try {
      keys = derivePunchKeys(this.c.suite, own.privateKey, own.publicKey, peerPub, nonce, role, {
        punch: this.config.punchAttempts,
        ack: this.config.punchAckLimit,
      });
    } catch (e) {
      if (!(e instanceof CryptoError)) throw e;
      this.drop('malformed');
      return false;
    }
    const exchange = new PunchExchange(
      {
        port: this.c.port,
        suite: this.c.suite,
        rng: this.c.rng,
        clock: this.c.clock,
        config: this.config,
        counters: this.counters,
        wireSize: this.c.sessions.config.wireSize,
      },
      {
        keys,
        peerAddress,
        onHeard: events.onHeard,
        onEnd: (heard) => {
          this.exchanges.delete(nonceHex);
          events.onEnd(heard);
        },
      },
    );
    this.exchanges.set(nonceHex, exchange);
    exchange.start();
    return true;
  }

  /** Seals `body` for `targetPub` and hands it to `via`; false when it cannot go (too large, bad key). */
  private relaySend(via: Peer, targetPub: Uint8Array, type: PayloadType, body: Uint8Array): boolean {
    if (body.length > this.maxRelayBody) return false;
    let sealed: Uint8Array;
    try {
      sealed = sealRelayed(this.c.suite, this.c.rng, this.c.identity(), targetPub, this.c.clock.now(), type, body);
    } catch (e) {
      if (!(e instanceof CryptoError)) throw e;
      return false;
    }
    const requestId = this.freshId();
    this.relayIds.set(hexKey(requestId), true);
    this.counters.relayedSent++;
    this.sendNat(via, { kind: 'relay', requestId, targetPub, sealed });
    return true;
  }

  /** Sends `msg` with a fresh request id, resending on timeout; one reply of an accepted kind completes it. */
  private request(
    to: Peer,
    build: (requestId: Uint8Array) => NatMessage,
    accepts: readonly NatMessageKind[],
    onReply: (m: NatMessage) => void,
    onTimeout: () => void,
  ): void {
    const requestId = this.freshId();
    const hex = hexKey(requestId);
    const msg = build(requestId);
    const req: PendingRequest = { to: copyPeer(to), accepts, onReply };
    this.requests.set(hex, req);
    let retriesLeft = this.config.requestRetries;
    const attempt = (): void => {
      this.sendNat(to, msg);
      req.timer = this.c.clock.setTimer(this.config.requestTimeoutMs, () => {
        req.timer = undefined;
        if (this.requests.get(hex) !== req) return;
        if (retriesLeft-- > 0) return attempt();
        this.requests.delete(hex);
        this.finished.set(hex, true);
        onTimeout();
      });
    };
    attempt();
  }

  private sendNat(to: Peer, msg: NatMessage): void {
    this.c.sessions.send(to, this.config.payloadType as PayloadType, encodeNatMessage(msg));
  }

  /** A session delivered from this peer: a relay route to it is no longer needed. */
  private sawSession(from: Peer): void {
    const hex = hexKey(from.nodePub);
    if (this.routes.get(hex, this.c.clock.now())?.kind === 'relay') this.routes.delete(hex);
  }

  private setRoute(nodePub: Uint8Array, route: Route): void {
    this.routes.set(hexKey(nodePub), route, this.c.clock.now() + this.config.routeTtlMs);
  }

  private addressFor(peer: Peer): Address {
    const route = this.routeOf(peer.nodePub);
    return route?.kind === 'address' ? route.address : peer.address;
  }

  private retireProbe(hex: string): void {
    if (this.probes.delete(hex)) this.finished.set(hex, true);
  }

  private timer(c: Connect, delayMs: number, fn: () => void): void {
    c.timers.push(
      this.c.clock.setTimer(delayMs, () => {
        if (!c.done) fn();
      }),
    );
  }

  private later(fn: () => void): void {
    this.c.clock.setTimer(0, fn);
  }

  private freshId(): Uint8Array {
    return this.c.rng.bytes(REQUEST_ID_BYTES);
  }

  private drop(reason: NatDropReason): void {
    countNatDrop(this.counters, reason);
  }
}

function copyPeer(p: Peer): Peer {
  return { address: p.address, nodePub: p.nodePub.slice() };
}

function validKey(suite: CryptoSuite, pub: Uint8Array): boolean {
  if (pub.length !== 33) return false;
  try {
    // ECDH with a fixed scalar validates the point (SP 800-56A §5.6.2.3 partial validation) at one multiply.
    suite.ecdh(ONE, pub);
    return true;
  } catch {
    return false;
  }
}

const ONE = (() => {
  const k = new Uint8Array(32);
  k[31] = 1;
  return k;
})();
