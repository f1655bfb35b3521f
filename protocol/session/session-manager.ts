/**
 * Secure sessions between nodes over an injected datagram Transport: ECMQV handshakes (handshake.ts),
 * fixed-size AES-256-GCM data packets (packet/data-packet.ts), anti-replay, queues and timers. Synchronous
 * and callback-driven: the simulator runs it in virtual time, so no Promise appears anywhere here.
 *
 * Receive path: the first 16 bytes of every datagram are connId || seq masked under this node's header key
 * (packet/header-protection.ts); unmasked, the connId is one this node chose. A known connId routes to its
 * session (msg2 for a pending initiator, data otherwise), or to a one-shot query of ours awaiting its reply
 * (one-shot.ts; with config.oneShotTypes, a request to a peer without a session goes as one datagram, sender
 * authenticated, and its reply comes on a connId of its own). An unknown one is, in turn: a late msg2 for a
 * handshake given up (retired connIds); a packet for a session gone (its unmasked seq is small: dropped with
 * no public-key work); a cookie reply (tried under the handshakes pending to the sender's address only); else
 * a handshake init or a one-shot query, whose first bytes are an Elligator Squared point, not a header (one ECDH
 * tells which: the query's identity part is tried first, then msg1). Whatever the bytes, the
 * path ends in a delivery or in exactly one counted drop; nothing throws out of it.
 *
 * Handshake floods (WireGuard §5.3): an init costs the responder an ECDH and an ECMQV. Above
 * handshakeLoadInitsPerS inits a second, or handshakeLoadHalfOpen half-open handshakes, the responder is
 * under load and answers inits without a valid mac2 with a cookie reply (same size, no ECDH); an init with
 * a valid mac2 proves its source address receives, and is admitted under a per-source token bucket. Replay
 * memory (a large set of ephemeral keys) and half-open state (bounded, freed when a handshake confirms or
 * expires) are kept apart, so neither doubles as an admission limit an attacker can fill cheaply.
 */
import { ONE_SHOT_PROTECTION, SESSION_PROTECTION, type MessageProtection } from '../crypto/message-security.ts';
import { CryptoError, type CryptoSuite, type KeyPair } from '../crypto/suite.ts';
import { equalBytes } from '../packet/bytes.ts';
import { byteKey, hexKey } from '../runtime/hex-key.ts';
import { KeyedPeer, keyOfPeer } from './keyed-peer.ts';
import { CONN_ID_BYTES, DATA_HEADER_BYTES } from '../packet/constants.ts';
import { DIRECTION_LABEL, MIN_DATA_PACKET_BYTES } from '../packet/data-packet.ts';
import { PacketEncodeError, type DecodeResult } from '../packet/errors.ts';
import type { Frame } from '../packet/frame.ts';
import { HEADER_KEY_BYTES, MIN_PROTECTED_PACKET_BYTES, toggleHeaderMask } from '../packet/header-protection.ts';
import { maxBodyBytes } from '../packet/inner-codec.ts';
import { isPayloadType, isSessionControlType, PayloadType, payloadTypeName } from '../packet/payload-type.ts';
import { checkWireSize } from '../packet/wire-size.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Rng } from '../runtime/rng.ts';
import type { Address, Transport } from '../runtime/transport.ts';
import { ReceiveCipher, SendCipher } from './cipher-state.ts';
import { resolveSessionConfig, type SessionConfig } from './constants.ts';
import { CookieChecker, openCookieReplyTo } from './cookie.ts';
import { ExpiringSet } from './expiring-set.ts';
import { ExpiringGroups } from './expiring-groups.ts';
import { createQuery, maxQueryBodyBytes, openQuery, openReply, sealReply, type ReceivedQuery } from './one-shot.ts';
import {
  createInit,
  createResponse,
  decodeInitField,
  EPHEMERAL_FIELD,
  initBody,
  initSharedSecret,
  openInit,
  openResponse,
  parseInitField,
  type InitHead,
  verifyInitiatorTag,
  type HandshakeContext,
  type InitiatorResult,
  type InitLayout,
  type ReceivedInit,
} from './handshake.ts';
import { isFreshInitTimestamp } from './init-guard.ts';
import { InitLoadMeter } from './init-load-meter.ts';
import { KeyedTokenBuckets } from '../runtime/keyed-token-buckets.ts';
import { EventBus, HandlerTable } from '../messenger/event-bus.ts';
import type { Messenger, Unsubscribe } from '../messenger/messenger.ts';
import { Session, type Peer } from './session.ts';
import { keepInSlot, slotView } from './session-material.ts';
import { decodeRekeyOffer, deriveRekeyedKeys, encodeRekeyOffer, type ChainKeys, type RekeyedKeys, type RekeyOffer } from './rekey.ts';
import { countDrop, emptyStats, REKEY_COUNTER, type DropReason, type RekeyCause, type SendDropReason, type SessionStats } from './stats.ts';

export interface SessionComponents {
  readonly transport: Transport;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly suite: CryptoSuite;
  /** The current NodeID key pair; read at every new handshake, so a rotated key takes effect at once. */
  readonly identity: () => KeyPair;
  /**
   * Every NodeID key an init may be addressed to (current first, then a rotated-out key in its grace period,
   * node-id-rotator.ts). An init that fails authentication under `identity()` is tried under the others;
   * absent: only `identity()`.
   */
  readonly liveIdentities?: () => readonly KeyPair[];
}

export interface SessionMessage {
  readonly from: Peer;
  readonly body: Uint8Array;
  readonly protection: MessageProtection;
}

export type MessageHandler = (msg: SessionMessage) => void;

/** See SessionManager.onHandshakeTimeout. */
export type HandshakeTimeoutListener = (peer: Peer, timeouts: number, givingUp: boolean) => void;

/**
 * What the session layer tells other layers. 'handshake-timeout': a handshake this node started timed out
 * waiting for msg2, before the resend (or, when `givingUp`, before it fails); `timeouts` counts 1, 2, ...
 * 'noise-sealed': sealNoise made `packet` (counted in noiseSent) for the caller to send; observers use it to tell
 * cover traffic apart on the wire (the simulator's traffic series). It changes nothing in the protocol.
 */
export type SessionEvent =
  | { readonly kind: 'handshake-timeout'; readonly peer: Peer; readonly timeouts: number; readonly givingUp: boolean }
  | { readonly kind: 'noise-sealed'; readonly address: Address; readonly packet: Uint8Array };

/** Per (address, nodePub): the session used for sending, our pending handshake, the send queue. */
interface PeerState {
  /** Holds no nodePub buffer of its own (keyed-peer.ts); shared with this peer's sessions. */
  readonly peer: KeyedPeer;
  /** Its key in `peers` (peer.key); its sessions share this string. */
  readonly key: string;
  /** Sessions of this peer in byConnId (a count: nothing iterates them). */
  sessionCount: number;
  current?: Session;
  initiating?: Session;
  /** Frames waiting for a session; absent while empty (an emptied array keeps its capacity, ~200 B per peer). */
  queue?: Frame[];
}

/** A responder handshake waiting for msg3, by its init's ephemeral key (to answer a retransmitted init). */
interface HalfOpen {
  readonly session: Session;
  /** SHA-256 of the init without its mac2 trailer: a retransmission has the same. */
  readonly bodyHash: Uint8Array;
  readonly layout: InitLayout;
}

interface Delivery {
  readonly handlers: readonly MessageHandler[];
  readonly msg: SessionMessage;
}

/** A one-shot query of ours awaiting its reply (by its reply connId), with what a fallback to a session needs. */
interface PendingQuery {
  readonly peer: KeyedPeer;
  readonly replyKey: Uint8Array;
  /** As sent: a cookie reply from a responder under load is bound to these bytes. */
  readonly packet: Uint8Array;
  readonly frame: Frame;
}

/** Where and how to answer a peer's one-shot query (one reply per query, of the query's payload type). */
interface ReplyChannel {
  readonly type: number;
  readonly replyConnId: Uint8Array;
  readonly replyHeaderKey: Uint8Array;
  readonly replyKey: Uint8Array;
}

export class SessionManager implements Messenger {
  readonly config: SessionConfig;
  private readonly components: SessionComponents;
  private readonly ctx: HandshakeContext;
  private readonly byConnId = new Map<string, Session>();
  private readonly peers = new Map<string, PeerState>();
  private readonly handlers = new HandlerTable<MessageHandler>();
  /** Multi-subscriber events for the layers above (NAT traversal listens for handshake timeouts). */
  readonly events = new EventBus<SessionEvent>();
  /** Ephemeral keys of accepted inits, for 2 x handshakeMaxSkewMs: a replay is recognised without ECDH. */
  private readonly replays: ExpiringSet;
  private readonly halfOpen = new Map<string, HalfOpen>();
  private readonly load: InitLoadMeter;
  private readonly cookies: CookieChecker;
  /** Under load, per source: inits with a valid mac2 admitted, and cookie replies sent (separate tables). */
  private readonly mac2Limiter: KeyedTokenBuckets;
  private readonly cookieLimiter: KeyedTokenBuckets;
  /** connIds of handshakes this node gave up on: a msg2 still on its way is late, not an attack. */
  private readonly retired: ExpiringSet;
  private readonly counters = emptyStats();
  private sweepTimer?: number;
  private closed = false;
  /** Deliveries found while handling one datagram; handlers run after the decoder's safety net. */
  private pending: Delivery[] = [];
  /**
   * The peers behind each address (one per NodeID key; several while a peer rotates), for sealNoise, in insertion
   * order. Almost every address has one: it is held bare, and an array only for a second one (issue 14: an array
   * per address was ~2 KB per DHT node). Read through peersAt.
   */
  private readonly byAddress = new Map<Address, PeerState | PeerState[]>();
  /**
   * This node's header-protection key, given to every peer in the handshake; they mask what they send here
   * under it. Secret node state from the node's own Rng (a fork: drawing it shifts no other stream).
   */
  private readonly headerKey: Uint8Array;
  /** One-shot queries (one-shot.ts): ours awaiting replies (grouped by address, for cookie replies) ... */
  private readonly pendingQueries: ExpiringGroups<PendingQuery>;
  /** ... and the channels to answer other nodes' queries on (grouped by peerKey). */
  private readonly replyChannels: ExpiringGroups<ReplyChannel>;
  private readonly oneShotTypes: ReadonlySet<number>;
  /** One-shot queries sent per peerKey since we last had a session with it (least recently used first). */
  private readonly oneShotCounts = new Map<string, number>();
  private nextChannelId = 0;

  constructor(components: SessionComponents, init: Partial<SessionConfig> = {}) {
    this.components = components;
    this.config = resolveSessionConfig(init);
    const { suite, rng } = components;
    this.ctx = { suite, rng, wireSize: this.config.wireSize, paddingMode: this.config.paddingMode };
    this.headerKey = rng.fork('header-key').bytes(HEADER_KEY_BYTES);
    const c = this.config;
    this.replays = new ExpiringSet(2 * c.handshakeMaxSkewMs, c.maxRecentHandshakes, 'refuse');
    this.load = new InitLoadMeter(c.handshakeLoadInitsPerS);
    // A stream of its own (forking draws nothing from `rng`), so cookies never shift keys or padding.
    this.cookies = new CookieChecker(suite, rng.fork('cookie'), c.cookieSecretLifetimeMs, this.ctx);
    // WireGuard's ratelimiter.c: so many handshakes per second per source address, with a burst.
    const limit = () => KeyedTokenBuckets.perSecond(c.handshakeRatePerSourcePerS, c.handshakeBurstPerSource, c.maxRateLimitedSources);
    this.mac2Limiter = limit();
    this.cookieLimiter = limit();
    this.retired = new ExpiringSet(this.responderPatienceMs(), c.maxRetiredHandshakes, 'evict-oldest');
    this.pendingQueries = new ExpiringGroups(c.oneShotReplyWindowMs, c.maxPendingOneShots);
    this.replyChannels = new ExpiringGroups(c.oneShotReplyWindowMs, c.maxReplyChannels);
    this.oneShotTypes = new Set(c.oneShotTypes);
    components.transport.onReceive((from, bytes) => this.receive(from, bytes));
  }

  // ---- public API -------------------------------------------------------------------------------------------

  /**
   * Sends `body` to `peer` in a fixed-size packet, after a handshake if no session exists (messages queue
   * meanwhile, bounded; overflow is counted). Throws PacketEncodeError for a session-control type or a body
   * larger than maxBodyBytes(wireSize); an invalid peer key is a counted drop (keys come from the network).
   */
  send(peer: Peer, type: PayloadType, body: Uint8Array): void {
    if (!isPayloadType(type) || isSessionControlType(type)) {
      throw new PacketEncodeError('bad-type', `send: ${payloadTypeName(type)} is not an application payload type`);
    }
    const max = maxBodyBytes(this.config.wireSize);
    if (body.length > max) throw new PacketEncodeError('body-too-large', `send: body of ${body.length} bytes exceeds ${max}`);
    if (this.closed) return this.dropSend('closed');
    if (peer.nodePub.length !== 33) return this.dropSend('bad-peer-key');
    const ps = this.peerState(peer);
    const frame: Frame = { type, body: body.slice() };
    // The peer asked us a one-shot query: it has no session to receive on (a session we still hold is stale), so
    // the answer goes on the query's reply channel.
    if (this.replyChannels.size > 0 && this.replyOnChannel(ps, frame)) return;
    const current = ps.current;
    if (current?.canSend()) {
      this.transmit(current, frame);
      return this.maybeRekey(ps);
    }
    if (current) {
      // Its send key is exhausted (or it closed): retire it for sending and rekey with a fresh handshake.
      ps.current = undefined;
      this.countRekey('key-exhausted');
    }
    if (!current && !ps.initiating && !ps.queue?.length && this.oneShotTypes.has(type) && this.mayQuery(ps, body.length)) return this.sendQuery(ps, frame);
    if ((ps.queue?.length ?? 0) >= this.config.maxQueuedMessages) return this.dropSend('queue-overflow');
    (ps.queue ??= []).push(frame);
    if (!ps.initiating) this.startHandshake(ps, current ? 'rekey' : payloadTypeName(type));
  }

  /**
   * Peers with an established session this node can send on now (one entry per address and NodeID key): the
   * links a noise policy keeps busy (protocol/noise/link-shaper.ts).
   */
  activePeers(): Peer[] {
    const out: Peer[] = [];
    for (const ps of this.peers.values()) {
      if (ps.current?.canSend()) out.push({ address: ps.peer.address, nodePub: ps.peer.nodePub }); // a fresh copy (KeyedPeer)
    }
    return out;
  }

  /**
   * One cover datagram for `address`: a PayloadType.NOISE frame with an empty body, sealed (and padded to the
   * wire size) under the next seq of the current session to that address, so on the wire it is one more
   * data packet. The caller sends it (the link shaper, in a slot of its own). undefined when no session to
   * the address can send, or (noiseKeepsAlive off) when its key is due for a rekey. Counted in packetsSent,
   * noiseSent and noiseBytesSent; starts a rekey only when noiseKeepsAlive.
   */
  sealNoise(address: Address): Uint8Array | undefined {
    if (this.closed) return undefined;
    let ps: PeerState | undefined;
    for (const candidate of this.peersAt(address)) {
      if (candidate.current?.canSend()) ps = candidate;
    }
    if (!ps?.current?.send) return undefined;
    // Cover traffic alone never buys a session a new key unless noise is activity (noiseKeepsAlive): a noise-only
    // rekey would give the link a fresh session, fresh activity and another idle period, so noise would keep every
    // link it ever covered alive for good (against noiseKeepsAlive: false) and pay a full handshake per link per
    // rekey period. Past its rekey age such a key carries no more noise; the link goes quiet and idles out, and the
    // next real send rekeys as usual.
    const keepsAlive = this.config.noiseKeepsAlive;
    if (!keepsAlive && this.rekeyCause(ps.current, ps.current.send.sent()) !== undefined) return undefined;
    const packet = this.seal(ps.current, { type: PayloadType.NOISE, body: new Uint8Array(0) });
    this.counters.packetsSent++;
    this.counters.bytesSent += packet.length;
    this.events.emit({ kind: 'noise-sealed', address, packet });
    if (keepsAlive) this.maybeRekey(ps);
    return packet;
  }

  /** Adds a handler for one payload type; every handler of the type sees every message, in registration order. */
  onMessage(type: PayloadType, handler: MessageHandler): Unsubscribe {
    if (isSessionControlType(type)) throw new PacketEncodeError('bad-type', `onMessage: ${payloadTypeName(type)} is handled internally`);
    return this.handlers.add(type, handler);
  }

  /** Shorthand for `events.on('handshake-timeout', ...)`; NAT traversal starts hole punching on the first one. */
  onHandshakeTimeout(listener: HandshakeTimeoutListener): Unsubscribe {
    return this.events.on('handshake-timeout', (e) => listener(e.peer, e.timeouts, e.givingUp));
  }

  stats(): SessionStats {
    return {
      ...this.counters,
      sessionsOpen: this.byConnId.size,
      handshakesByTrigger: { ...this.counters.handshakesByTrigger },
      dropped: { ...this.counters.dropped },
      sendDropped: { ...this.counters.sendDropped },
    };
  }

  /**
   * What this node's receive path would make of `bytes` from `from`, without side effects: 'data' for the
   * unmasked connId of a session here, 'response' while that session awaits msg2 or a one-shot query of ours its
   * reply, 'cookie' for a cookie reply to a handshake or query pending towards `from`, else 'init' (a handshake init
   * or query, `mac2` when it carries a valid one for `from`, or garbage). A probe for tests and the wire classifier's ground truth: on the wire nothing
   * else tells them apart.
   */
  probe(bytes: Uint8Array, from?: Address): DatagramKind {
    if (bytes.length < MIN_PROTECTED_PACKET_BYTES) return { kind: 'init' };
    const connIdHex = hexKey(toggleHeaderMask(this.ctx.suite, this.headerKey, bytes).subarray(0, CONN_ID_BYTES));
    const session = this.byConnId.get(connIdHex);
    if (session) return { kind: session.state === 'initiating' ? 'response' : 'data', connIdHex };
    if (this.pendingQueries.get(connIdHex, this.components.clock.now())) return { kind: 'response', connIdHex };
    if (from === undefined) return { kind: 'init' };
    if (this.findCookie(from, bytes, this.components.clock.now())) return { kind: 'cookie' };
    return { kind: 'init', mac2: this.cookies.hasValidMac2(from, bytes, this.components.clock.now()) };
  }

  /** Cancels every timer and erases every session key; later sends and datagrams are dropped and counted. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer !== undefined) this.components.clock.cancelTimer(this.sweepTimer);
    for (const session of [...this.byConnId.values()]) this.removeSession(session);
    for (const ps of this.peers.values()) this.dropQueue(ps, 'closed');
    this.pendingQueries.clear();
    this.replyChannels.clear();
    this.oneShotCounts.clear();
    this.peers.clear();
    this.byAddress.clear();
  }

  // ---- receive path -----------------------------------------------------------------------------------------

  private receive(from: Address, bytes: Uint8Array): void {
    this.counters.packetsReceived++;
    this.counters.bytesReceived += bytes.length;
    if (this.closed) return this.drop('closed');
    try {
      this.route(from, bytes);
    } catch {
      // Decoders return typed results, so reaching here is a bug; count it (tests assert the counter stays
      // 0) rather than let one crafted datagram take the node down.
      this.pending = [];
      this.drop('internal');
    }
    const deliveries = this.pending;
    this.pending = [];
    for (const d of deliveries) {
      this.counters.messagesDelivered++;
      for (const handler of d.handlers) handler(d.msg);
    }
  }

  private route(from: Address, bytes: Uint8Array): void {
    const size = checkWireSize(bytes.length, this.config.wireSize, this.config.paddingMode, MIN_DATA_PACKET_BYTES);
    if (!size.ok) return this.reject(size);
    const clear = toggleHeaderMask(this.ctx.suite, this.headerKey, bytes);
    const connIdHex = hexKey(clear.subarray(0, CONN_ID_BYTES));
    const session = this.byConnId.get(connIdHex);
    if (session?.state === 'initiating') return this.handleResponse(session, clear);
    if (session) return this.handleSessionPacket(session, clear);
    const now = this.components.clock.now();
    const query = this.pendingQueries.get(connIdHex, now);
    if (query) return this.handleReply(connIdHex, query, clear);
    if (this.retired.has(connIdHex, now)) return this.drop('late-handshake-reply');
    // Masked under our header key, which outlives sessions: a data packet (or msg2) for a session gone. An init
    // has ES bytes here, which unmask to random and pass with probability 1 - 2^-32.
    if (hasSessionSeq(clear)) return this.drop('unknown-session');
    const cookie = this.findCookie(from, bytes, now);
    if (cookie) return 'session' in cookie ? this.onCookie(cookie.session, cookie.value) : this.queryMetCookie(cookie.queryId, cookie.query);
    // An init has no header to unmask (its sender has no header key yet): it goes on as received.
    return this.handleInit(from, bytes);
  }

  /**
   * A cookie reply carries nothing in clear but a random nonce (cookie-packet.ts): it is recognised by opening
   * it for the handshakes this node has pending towards `from` (a hash and an AES-GCM open each; one per NodeID
   * key at that address, so bounded however many datagrams an attacker sends from it), then for the one-shot
   * queries pending there (as many as maxPendingOneShots allows, ours alone).
   */
  private findCookie(
    from: Address,
    bytes: Uint8Array,
    nowMs: number,
  ): { session: Session; value: Uint8Array } | { queryId: string; query: PendingQuery } | undefined {
    for (const ps of this.peersAt(from)) {
      const hs = ps.initiating?.initiator;
      if (!hs) continue;
      const cookie = openCookieReplyTo(this.ctx.suite, { init: hs.packet, responderStaticPub: hs.peerStaticPub }, bytes, this.ctx);
      if (cookie.ok) return { session: ps.initiating!, value: cookie.value };
    }
    if (this.pendingQueries.size === 0) return undefined;
    for (const [queryId, query] of this.pendingQueries.inGroup(from, nowMs)) {
      if (openCookieReplyTo(this.ctx.suite, { init: query.packet, responderStaticPub: query.peer.nodePub }, bytes, this.ctx).ok) return { queryId, query };
    }
    return undefined;
  }

  /**
   * Unknown connId, not a cookie: a handshake init, or garbage. Everything up to openUnderLiveKeys is cheap
   * (hashes and table lookups: the ES field is not even decoded); under load only a valid mac2 gets past it.
   */
  private handleInit(from: Address, bytes: Uint8Array): void {
    const field = parseInitField(this.ctx, bytes);
    if (!field.ok) return this.reject(field);
    const now = this.components.clock.now();
    // Keyed by the encoding as sent: a retransmission repeats it; a re-encoding of the same point fails the
    // AEAD (the encoding is its AAD), so no second key needs the (costlier) decoded point.
    const ephemeralKey = byteKey(field.value); // one char per byte: half a hex key's heap, kept up to 2 x maxSkew
    const halfOpen = this.halfOpen.get(ephemeralKey);
    if (halfOpen) return this.handleRepeatedInit(halfOpen, bytes);
    if (this.replays.has(ephemeralKey, now)) return this.drop('replay');
    const underLoad = this.load.arrive(now) || this.halfOpen.size >= this.config.handshakeLoadHalfOpen;
    const mac2Valid = this.cookies.hasValidMac2(from, bytes, now);
    if (underLoad && !mac2Valid) return this.demandCookie(from, bytes, now);
    if (underLoad && !this.mac2Limiter.take(from, now)) return this.drop('handshake-rate-limited');
    const head = decodeInitField(field.value);
    if (!head.ok) return this.reject(head);
    // Without a valid mac2 the init may still carry a stale one (its cookie outlived our secret): try both.
    const identity = this.components.identity();
    const found = this.openUnderLiveKeys(identity, bytes, head.value, mac2Valid ? ['mac2'] : ['plain', 'mac2'], !mac2Valid);
    if ('query' in found) return this.acceptQuery(from, found.query, ephemeralKey, now);
    const { opened, staticKey } = found;
    // A data packet for a session gone (or garbage) and an init for another key look alike by design.
    if (!opened.ok) return this.drop(opened.error.code === 'auth-failed' ? 'unknown-session' : opened.error.code);
    if (!isFreshInitTimestamp(opened.value.timestampMs, now, this.config.handshakeMaxSkewMs)) return this.drop('stale-handshake');
    if (!this.replays.hasRoom(now) || this.halfOpen.size >= this.config.maxHalfOpenHandshakes) return this.drop('handshake-overload');
    this.acceptInit(from, opened.value, ephemeralKey, bytes, staticKey, staticKey !== identity);
  }

  /** Under load: a cookie reply for the init's source instead of any ECDH (rate-limited per source). */
  private demandCookie(from: Address, init: Uint8Array, nowMs: number): void {
    if (!this.cookieLimiter.take(from, nowMs)) return this.drop('handshake-rate-limited');
    const reply = this.cookies.reply({ source: from, init, responderStaticPub: this.components.identity().publicKey, nowMs });
    this.drop('handshake-needs-cookie');
    this.counters.cookieRepliesSent++;
    this.sendDatagram(from, reply);
  }

  /**
   * openInit under the current key; only when that fails authentication (one ECDH + one AEAD open each), under
   * the other live keys in turn, so a node without a key in grace pays nothing extra. Reports the current key's
   * failure when none opens it.
   */
  private openUnderLiveKeys(
    identity: KeyPair,
    bytes: Uint8Array,
    head: InitHead,
    layouts: readonly InitLayout[],
    mayBeQuery: boolean,
  ): { opened: DecodeResult<ReceivedInit & { readonly layout: InitLayout }>; staticKey: KeyPair } | { query: DecodeResult<ReceivedQuery> } {
    const first = this.openUnderKey(identity, bytes, head, layouts, mayBeQuery);
    const live = this.components.liveIdentities;
    if ('query' in first || first.opened.ok || first.opened.error.code !== 'auth-failed' || live === undefined) return first;
    for (const key of live()) {
      if (equalBytes(key.publicKey, identity.publicKey)) continue;
      const other = this.openUnderKey(key, bytes, head, layouts, mayBeQuery);
      if ('query' in other || other.opened.ok) return other;
    }
    return first;
  }

  /**
   * One ECDH for both readings of an ES-headed datagram: a one-shot query (its small identity part opens under k1,
   * so it is tried first) or msg1. A query without a mac2 never claims one: `mayBeQuery` false skips it.
   */
  private openUnderKey(
    key: KeyPair,
    bytes: Uint8Array,
    head: InitHead,
    layouts: readonly InitLayout[],
    mayBeQuery: boolean,
  ): { opened: DecodeResult<ReceivedInit & { readonly layout: InitLayout }>; staticKey: KeyPair } | { query: DecodeResult<ReceivedQuery> } {
    const es = initSharedSecret(this.ctx, key, head);
    if (es === undefined) return { opened: openInit(this.ctx, key, bytes, layouts, head), staticKey: key };
    if (mayBeQuery) {
      const query = openQuery(this.ctx, key, bytes, head, es);
      if (query.ok || query.error.code !== 'auth-failed') return { query };
    }
    return { opened: openInit(this.ctx, key, bytes, layouts, head, es), staticKey: key };
  }

  /** Same ephemeral key again: resend msg2 for a byte-identical retransmission still awaiting msg3. */
  private handleRepeatedInit(halfOpen: HalfOpen, bytes: Uint8Array): void {
    const { session } = halfOpen;
    const identical = equalBytes(halfOpen.bodyHash, this.components.suite.sha256(initBody(bytes, halfOpen.layout)));
    // A copy after the handshake moved on, or different bytes under a known ephemeral key: a replay.
    if (!identical || session.state !== 'awaiting-confirm' || !session.responder) return this.drop('replay');
    this.counters.handshakeRetransmits++;
    // To the address that sent the original, never to this datagram's (spoofable) source.
    this.sendDatagram(session.peer.address, session.responder.packet);
  }

  /** `identity`: the key the init opened under, the current one unless `onPreviousKey` (a key still in grace). */
  private acceptInit(
    from: Address,
    init: ReceivedInit & { readonly layout: InitLayout },
    ephemeralKey: string,
    bytes: Uint8Array,
    identity: KeyPair,
    onPreviousKey: boolean,
  ): void {
    const localConnId = this.freshConnId();
    const response = createResponse(this.ctx, { init, staticKey: identity, localConnId, headerKey: this.headerKey });
    if (!response.ok) return this.reject(response);
    const { keys } = response.value;
    const now = this.components.clock.now();
    const ps = this.peerState({ address: from, nodePub: init.initiatorStaticPub });
    const session = new Session('responder', ps.peer, localConnId, hexKey(localConnId), now);
    session.localIdentityPub = identity.publicKey;
    session.responder = response.value;
    this.armCiphers(session, keys.responderToInitiator, keys.initiatorToResponder, init.initiatorConnId, init.initiatorHeaderKey);
    this.replays.add(ephemeralKey, now);
    this.halfOpen.set(ephemeralKey, { session, bodyHash: this.components.suite.sha256(initBody(bytes, init.layout)), layout: init.layout });
    session.initEphemeralKey = ephemeralKey;
    this.addSession(session);
    this.counters.handshakesAccepted++;
    if (onPreviousKey) this.counters.handshakesOnPreviousKey++;
    this.sendDatagram(from, response.value.packet);
    session.timer = this.components.clock.setTimer(this.responderPatienceMs(), () => this.expireHalfOpen(session));
  }

  /** The initiator resends msg1 up to handshakeRetries times, then msg3 as often: a responder waits for all of it. */
  private responderPatienceMs(): number {
    return this.config.handshakeTimeoutMs * (2 * this.config.handshakeRetries + 2);
  }

  /** The session no longer waits for msg3 (confirmed or gone): its half-open slot is free again. */
  private leaveHalfOpen(session: Session): void {
    if (session.initEphemeralKey === undefined) return;
    this.halfOpen.delete(session.initEphemeralKey);
    session.initEphemeralKey = undefined;
  }

  /** A responder session (a handshake's, or an in-session rekey's successor) that the initiator never confirmed. */
  private expireHalfOpen(session: Session): void {
    session.timer = undefined;
    if (session.state !== 'awaiting-confirm') return;
    this.countFailed(session);
    this.removeSession(session);
  }

  /** A session that never confirmed: a failed handshake, or a failed rekey when an in-session rekey made it. */
  private countFailed(session: Session): void {
    if (session.predecessor) this.counters.rekeysFailed++;
    else this.counters.handshakesFailed++;
  }

  /** msg2 (clear form: header unmasked) for a handshake we started; cookie replies come by findCookie. */
  private handleResponse(session: Session, bytes: Uint8Array): void {
    const hs = session.initiator;
    if (!hs) return this.drop('internal');
    const result = openResponse(this.ctx, hs, bytes);
    if (result.ok) return this.establishInitiator(session, result.value);
    // An envelope that opens but a tag that does not match: anyone who saw msg1 can seal such an envelope
    // (its key depends on the ephemerals only), so it is no reason to give up. SP 800-56A §5.9.1: the keys
    // it derived are not used; the handshake keeps waiting for the real msg2 until its own timeout.
    if (result.error.code === 'bad-confirmation') return this.drop('forged-handshake-reply');
    this.reject(result);
  }

  /**
   * The responder is under load and sent a cookie: send a new msg1 (fresh ephemeral key) carrying mac2 under
   * it, now. The retransmission timer keeps running, so cookie replies never extend a handshake's life; a
   * reply repeating the cookie the current msg1 already carries changes nothing (a replayed reply is inert).
   */
  private onCookie(session: Session, cookie: Uint8Array): void {
    const hs = session.initiator!;
    if (hs.cookie && equalBytes(hs.cookie, cookie)) return this.drop('duplicate-handshake');
    this.counters.cookieRepliesReceived++;
    hs.ephemeral.privateKey.fill(0);
    const now = this.components.clock.now();
    session.initiator = createInit(this.ctx, {
      localConnId: session.localConnId,
      staticKey: hs.staticKey,
      peerStaticPub: hs.peerStaticPub,
      nowMs: now,
      headerKey: this.headerKey,
      cookie,
    });
    this.counters.handshakeRetransmits++;
    this.sendDatagram(session.peer.address, session.initiator.packet);
  }

  private establishInitiator(session: Session, result: InitiatorResult): void {
    const { keys } = result;
    this.cancelTimer(session);
    this.armCiphers(session, keys.initiatorToResponder, keys.responderToInitiator, result.remoteConnId, result.remoteHeaderKey);
    session.confirmTag = result.confirmTag;
    session.keepResponderEphemeral(result.responderEphemeralField);
    session.initiator?.ephemeral.privateKey.fill(0); // Z is derived: erase the ephemeral secret (PFS)
    session.initiator = undefined;
    keys.confirmInitiator.fill(0);
    keys.confirmResponder.fill(0);
    session.state = 'established';
    session.attempts = 0;
    session.lastActivityMs = this.components.clock.now();
    const ps = this.peerState(session.peer);
    if (ps.initiating === session) ps.initiating = undefined;
    ps.current = session;
    this.sendConfirm(session);
    this.flushQueue(ps);
  }

  /**
   * The session's two ciphers, their keys and the peer's connId and header key copied into the session's one
   * buffer (session-material.ts); the handshake's copies of the traffic keys are erased at once.
   */
  private armCiphers(session: Session, sendKey: Uint8Array, receiveKey: Uint8Array, remoteConnId: Uint8Array, remoteHeaderKey: Uint8Array): void {
    const m = session.material;
    const initiator = session.role === 'initiator';
    const sendLabel = initiator ? DIRECTION_LABEL.initiatorToResponder : DIRECTION_LABEL.responderToInitiator;
    const receiveLabel = initiator ? DIRECTION_LABEL.responderToInitiator : DIRECTION_LABEL.initiatorToResponder;
    const connId = keepInSlot(m, 'remoteConnId', remoteConnId);
    const headerKey = keepInSlot(m, 'remoteHeaderKey', remoteHeaderKey);
    session.send = new SendCipher(this.ctx.suite, keepInSlot(m, 'sendKey', sendKey), sendLabel, connId, headerKey, this.config.maxPacketsPerKey);
    session.receive = new ReceiveCipher(this.ctx.suite, keepInSlot(m, 'receiveKey', receiveKey), receiveLabel, this.config.replayWindow);
    sendKey.fill(0);
    receiveKey.fill(0);
  }

  /** msg3, resent with a fresh seq until some authentic packet from the responder shows it arrived. */
  private sendConfirm(session: Session): void {
    if (!session.confirmTag || session.state !== 'established') return;
    this.transmit(session, { type: PayloadType.HANDSHAKE_CONFIRM, body: session.confirmTag });
    session.timer = this.components.clock.setTimer(this.config.handshakeTimeoutMs, () => {
      session.timer = undefined;
      if (session.acked || session.state !== 'established') return;
      if (session.attempts >= this.config.handshakeRetries) {
        this.countFailed(session);
        return this.removeSession(session);
      }
      session.attempts++;
      this.counters.handshakeRetransmits++;
      this.sendConfirm(session);
    });
  }

  /** A datagram (clear form: header unmasked) on an established (or responder half-open) session. */
  private handleSessionPacket(session: Session, bytes: Uint8Array): void {
    if (session.hasResponderEphemeral && this.isDuplicateResponse(session, bytes)) return this.drop('duplicate-handshake');
    if (!session.receive) return this.drop('internal');
    // Another msg2 (forged, or a second answer): seq 0 like the responder's first data packet, but not
    // authentic under the session key. The handshake is over; counted apart from attacks on the data path.
    if (session.role === 'initiator' && hasSeqZero(bytes) && !session.receive.authentic(bytes, this.ctx)) return this.drop('late-handshake-reply');
    const opened = session.receive.open(bytes, this.ctx);
    if (!opened.ok) return this.reject(opened);
    const { frame } = opened.value;
    if (this.isActivity(frame)) session.lastActivityMs = this.components.clock.now();
    if (session.role === 'initiator') return this.onInitiatorFrame(session, frame);
    return this.onResponderFrame(session, frame);
  }

  private isDuplicateResponse(session: Session, bytes: Uint8Array): boolean {
    // msg2 again (clear form): its ES field equals the one we accepted; a data packet matches with prob 2^-512.
    if (bytes.length < EPHEMERAL_FIELD.offset + EPHEMERAL_FIELD.length) return false;
    const field = bytes.subarray(EPHEMERAL_FIELD.offset, EPHEMERAL_FIELD.offset + EPHEMERAL_FIELD.length);
    return session.isResponderEphemeral(field);
  }

  private onInitiatorFrame(session: Session, frame: Frame): void {
    if (!session.acked) {
      // Only a responder that verified our msg3 sends on this session: bilateral confirmation is complete.
      session.acked = true;
      session.confirmTag = undefined;
      this.cancelTimer(session);
      if (session.predecessor) this.rekeyConfirmed(session);
      else this.counters.handshakesCompleted++;
    }
    if (frame.type === PayloadType.HANDSHAKE_ACK) return;
    if (frame.type === PayloadType.HANDSHAKE_CONFIRM) return this.drop('unexpected-type');
    if (isRekeyFrame(frame)) return this.onRekeyFrame(session, frame);
    this.deliver(session, frame);
  }

  private onResponderFrame(session: Session, frame: Frame): void {
    if (session.predecessor && session.state === 'awaiting-confirm') {
      // A successor from an in-session rekey: any authentic frame on it proves the offerer derived its keys.
      this.establishRekeyed(session);
      if (frame.type === PayloadType.HANDSHAKE_CONFIRM) return;
    }
    if (frame.type === PayloadType.HANDSHAKE_CONFIRM) return this.onConfirm(session, frame.body);
    if (frame.type === PayloadType.HANDSHAKE_ACK) return this.drop('unexpected-type');
    if (isRekeyFrame(frame)) return session.state === 'established' ? this.onRekeyFrame(session, frame) : this.drop('unexpected-type');
    // Cover traffic is authentic but carries nothing: never held for a confirmation (it would fill the buffer).
    if (session.state === 'established' || frame.type === PayloadType.NOISE) return this.deliver(session, frame);
    // Authentic but not yet confirmed (msg3 lost or overtaken): hold it until msg3 arrives.
    const early = (session.early ??= []);
    if (early.length >= this.config.maxQueuedMessages) return this.drop('unconfirmed');
    early.push(frame);
  }

  private onConfirm(session: Session, tag: Uint8Array): void {
    if (session.state === 'established') {
      // A resent msg3: our ACK was lost. The packet is authentic, so answering costs nothing.
      this.counters.handshakeRetransmits++;
      return this.transmit(session, { type: PayloadType.HANDSHAKE_ACK, body: new Uint8Array(0) });
    }
    if (!session.responder || !verifyInitiatorTag(this.ctx.suite, session.responder, tag)) {
      this.drop('bad-confirmation');
      this.counters.handshakesFailed++;
      return this.removeSession(session);
    }
    this.cancelTimer(session);
    this.leaveHalfOpen(session);
    session.eraseHandshakeKeys();
    session.state = 'established';
    this.counters.handshakesCompleted++;
    const ps = this.peerState(session.peer);
    ps.current = session;
    this.transmit(session, { type: PayloadType.HANDSHAKE_ACK, body: new Uint8Array(0) });
    const early = session.early;
    session.early = undefined;
    for (const frame of early ?? []) this.deliver(session, frame);
    this.flushQueue(ps);
  }

  private deliver(session: Session, frame: Frame): void {
    this.deliverFrom(session.peer, frame, SESSION_PROTECTION);
  }

  private deliverFrom(peer: KeyedPeer, frame: Frame, protection: MessageProtection): void {
    // Noise ends here, whatever its body: counted, neither delivered nor dropped.
    if (frame.type === PayloadType.NOISE) return void this.counters.noiseReceived++;
    const handlers = this.handlers.get(frame.type);
    if (handlers.length === 0) return this.drop('no-handler');
    // A copy of the key per message (a KeyedPeer reads a fresh one): a handler that scribbles on it corrupts nothing.
    const from: Peer = { address: peer.address, nodePub: peer.nodePub };
    this.pending.push({ handlers, msg: { from, body: frame.body, protection } });
  }

  // ---- one-shot queries (one-shot.ts) -----------------------------------------------------------------------

  /** Whether a message of `bodyLength` to `ps` may go as a one-shot query: it fits, and the peer's allowance is not used up. */
  private mayQuery(ps: PeerState, bodyLength: number): boolean {
    if (bodyLength > maxQueryBodyBytes(this.config.wireSize)) return false;
    const limit = this.config.oneShotsPerPeer;
    if (limit === null) return true;
    const sent = this.oneShotCounts.get(ps.key) ?? 0;
    this.oneShotCounts.delete(ps.key);
    if (sent >= limit) return false; // a session now: counted from zero again after it
    this.oneShotCounts.set(ps.key, sent + 1);
    if (this.oneShotCounts.size > 4 * this.config.maxPendingOneShots) this.oneShotCounts.delete(this.oneShotCounts.keys().next().value!);
    return true;
  }

  /** A query instead of a handshake: one datagram, its reply expected on a connId of its own. */
  private sendQuery(ps: PeerState, frame: Frame): void {
    const now = this.components.clock.now();
    const replyConnId = this.freshConnId();
    let query;
    try {
      query = createQuery(this.ctx, { staticKey: this.components.identity(), peerStaticPub: ps.peer.nodePub, nowMs: now, replyConnId, headerKey: this.headerKey, frame });
    } catch (e) {
      if (!(e instanceof CryptoError)) throw e;
      this.dropSend('bad-peer-key');
      return this.forgetIfIdle(ps);
    }
    this.pendingQueries.add(hexKey(replyConnId), ps.peer.address, { peer: ps.peer, replyKey: query.replyKey, packet: query.packet, frame }, now);
    this.counters.oneShotsSent++;
    this.counters.messagesSent++;
    this.counters.realBytesSent += query.packet.length;
    this.sendDatagram(ps.peer.address, query.packet);
    this.forgetIfIdle(ps);
  }

  private handleReply(id: string, query: PendingQuery, clear: Uint8Array): void {
    const opened = openReply(this.ctx, query.replyKey, clear);
    // Not authentic: the query keeps waiting for its real reply (only the holder of the peer's key can seal one).
    if (!opened.ok) return this.reject(opened);
    this.pendingQueries.delete(id);
    this.counters.oneShotRepliesReceived++;
    if (isSessionControlType(opened.value.type)) return this.drop('unexpected-type');
    this.deliverFrom(query.peer, opened.value, ONE_SHOT_PROTECTION);
  }

  /**
   * A responder under load answers a query (which it cannot tell from msg1 before its ECDH) with a cookie reply;
   * a query carries no mac2, so its message goes on through a handshake, which handles the cookie (cookie.ts).
   */
  private queryMetCookie(id: string, q: PendingQuery): void {
    this.pendingQueries.delete(id);
    this.counters.oneShotFallbacks++;
    // Counted again when the session sends it.
    this.counters.messagesSent--;
    const ps = this.peerState(q.peer);
    if ((ps.queue?.length ?? 0) >= this.config.maxQueuedMessages) {
      this.dropSend('queue-overflow');
      return this.forgetIfIdle(ps);
    }
    (ps.queue ??= []).push(q.frame);
    if (ps.current?.canSend()) this.flushQueue(ps);
    else if (!ps.initiating) this.startHandshake(ps, payloadTypeName(q.frame.type));
  }

  /** A peer's query, opened and fresh: delivered, with a channel for the one reply. */
  private acceptQuery(from: Address, opened: DecodeResult<ReceivedQuery>, ephemeralKey: string, nowMs: number): void {
    if (!opened.ok) return this.reject(opened);
    const query = opened.value;
    if (!isFreshInitTimestamp(query.timestampMs, nowMs, this.config.handshakeMaxSkewMs)) return this.drop('stale-handshake');
    const { type } = query.frame;
    if (isSessionControlType(type) || type === PayloadType.NOISE) return this.drop('unexpected-type');
    if (this.handlers.get(type).length === 0) return this.drop('no-handler');
    if (!this.replays.add(ephemeralKey, nowMs)) return this.drop('handshake-overload');
    const peer = new KeyedPeer(from, query.initiatorStaticPub);
    const { replyConnId, replyHeaderKey, replyKey } = query;
    this.replyChannels.add(String(this.nextChannelId++), peer.key, { type, replyConnId, replyHeaderKey, replyKey }, nowMs);
    this.counters.oneShotsAccepted++;
    this.deliverFrom(peer, query.frame, ONE_SHOT_PROTECTION);
  }

  /**
   * The oldest live channel of `ps` for `frame`'s type answers it (and is used up); false when `ps` asked nothing
   * of that type lately. Other types take a session: a channel never carries, say, an onion cell without PFS.
   */
  private replyOnChannel(ps: PeerState, frame: Frame): boolean {
    const match = this.replyChannels.inGroup(ps.key, this.components.clock.now()).find(([, c]) => c.type === frame.type);
    if (match === undefined) return false;
    const [id, channel] = match;
    this.replyChannels.delete(id);
    const packet = sealReply(this.ctx, { ...channel, frame });
    this.counters.oneShotRepliesSent++;
    this.counters.messagesSent++;
    this.counters.realBytesSent += packet.length;
    this.sendDatagram(ps.peer.address, packet);
    this.forgetIfIdle(ps);
    return true;
  }

  // ---- send path --------------------------------------------------------------------------------------------

  /** `trigger`: what needed the session, counted in handshakesByTrigger (a payload type's name, or 'rekey'). */
  private startHandshake(ps: PeerState, trigger: string): void {
    const now = this.components.clock.now();
    const localConnId = this.freshConnId();
    let initiator;
    try {
      initiator = createInit(this.ctx, { localConnId, staticKey: this.components.identity(), peerStaticPub: ps.peer.nodePub, nowMs: now, headerKey: this.headerKey });
    } catch (e) {
      if (!(e instanceof CryptoError)) throw e;
      this.counters.handshakesFailed++;
      this.dropQueue(ps, 'bad-peer-key');
      return this.forgetIfIdle(ps);
    }
    const session = new Session('initiator', ps.peer, localConnId, hexKey(localConnId), now);
    session.localIdentityPub = initiator.staticKey.publicKey;
    session.initiator = initiator;
    ps.initiating = session;
    this.addSession(session);
    this.counters.handshakesStarted++;
    countDrop(this.counters.handshakesByTrigger, trigger);
    this.sendInit(session);
  }

  /** msg1, resent byte for byte on each timeout (one key, one nonce, one plaintext). */
  private sendInit(session: Session): void {
    if (!session.initiator) return;
    this.sendDatagram(session.peer.address, session.initiator.packet);
    session.timer = this.components.clock.setTimer(this.config.handshakeTimeoutMs, () => {
      session.timer = undefined;
      if (session.state !== 'initiating') return;
      const peer: Peer = { address: session.peer.address, nodePub: session.peer.nodePub }; // a fresh copy (KeyedPeer)
      this.events.emit({ kind: 'handshake-timeout', peer, timeouts: session.attempts + 1, givingUp: session.attempts >= this.config.handshakeRetries });
      if (session.state !== 'initiating') return;
      if (session.attempts >= this.config.handshakeRetries) return this.failHandshake(session);
      session.attempts++;
      this.counters.handshakeRetransmits++;
      this.sendInit(session);
    });
  }

  private failHandshake(session: Session): void {
    this.counters.handshakesFailed++;
    const ps = this.peers.get(session.peerKey);
    this.removeSession(session);
    if (ps && !ps.current?.canSend()) this.dropQueue(ps, 'handshake-failed');
    if (ps) this.forgetIfIdle(ps);
  }

  private flushQueue(ps: PeerState): void {
    const queue = ps.queue;
    if (queue === undefined) return;
    while (ps.queue === queue && queue.length > 0 && ps.current?.canSend()) this.transmit(ps.current, queue.shift()!);
    if (queue.length === 0 && ps.queue === queue) ps.queue = undefined;
    // A key that ran out mid-flush: the rest waits for a fresh handshake. (ps.queue, not `queue`: a queue dropped
    // during the flush is detached with its frames already counted, and must not start a handshake.)
    if ((ps.queue?.length ?? 0) > 0 && !ps.initiating) {
      if (ps.current) {
        ps.current = undefined;
        this.countRekey('key-exhausted');
      }
      this.startHandshake(ps, 'rekey');
    }
  }

  private transmit(session: Session, frame: Frame): void {
    // Application frames only come here after canSend(); a control frame on an exhausted key is skipped
    // (the peer retries or the session expires) rather than ever reusing a nonce.
    if (!session.send || session.send.exhausted()) return;
    const packet = this.seal(session, frame);
    if (!isSessionControlType(frame.type) && frame.type !== PayloadType.NOISE) this.counters.messagesSent++;
    this.sendDatagram(session.peer.address, packet);
  }

  /** Seals `frame` on `session` (canSend checked by the caller) and counts its bytes as real, noise or control. */
  private seal(session: Session, frame: Frame): Uint8Array {
    const packet = session.send!.seal(frame, this.ctx);
    if (this.isActivity(frame)) session.lastActivityMs = this.components.clock.now();
    if (frame.type === PayloadType.NOISE) {
      this.counters.noiseSent++;
      this.counters.noiseBytesSent += packet.length;
    } else if (!isSessionControlType(frame.type)) {
      this.counters.realBytesSent += packet.length;
    }
    return packet;
  }

  /**
   * Whether a frame keeps its session from idling out: noise does not, unless config.noiseKeepsAlive, so
   * cover traffic neither holds sessions (and the shaper's links) to peers nobody talks to any more nor keeps
   * sending to a peer that left.
   */
  private isActivity(frame: Frame): boolean {
    return frame.type !== PayloadType.NOISE || this.config.noiseKeepsAlive;
  }

  /**
   * Time- or count-based rekeying (SessionConfig.rekeyAfterMs / rekeyAfterPackets): a fresh handshake while
   * the current session keeps sending; establishInitiator / onConfirm switch ps.current when it completes, and
   * the old session keeps receiving until it idles out, so packets in flight on it still arrive.
   */
  private maybeRekey(ps: PeerState): void {
    const session = ps.current;
    if (this.closed || ps.initiating || !session?.send) return;
    const cause = this.rekeyCause(session, session.send.sent());
    if (cause === undefined) return;
    // One rekey per session: an offer of ours or of the peer's already names its successor.
    if (session.rekey) return;
    if (this.config.rekeyMethod === 'in-session' && this.underCurrentIdentity(session)) {
      // Wait until the peer surely holds the keys (its ack) and the session is old enough for the peer to answer
      // (it refuses younger ones; same default): the limits are soft, the current key keeps working meanwhile.
      if (!this.confirmedBothWays(session) || this.ageMs(session) < this.config.minRekeyIntervalMs) return;
      this.countRekey(cause);
      return this.offerRekey(session);
    }
    this.countRekey(cause);
    this.startHandshake(ps, 'rekey');
  }

  private rekeyCause(session: Session, sealed: number): RekeyCause | undefined {
    const { rekeyAfterMs, rekeyAfterPackets } = this.config;
    if (rekeyAfterPackets !== null && sealed >= rekeyAfterPackets) return 'packets';
    if (rekeyAfterMs === null) return undefined;
    // The responder waits 1.5x as long (WireGuard's 180 s / 120 s), so the initiator normally rekeys first.
    const limitMs = session.role === 'initiator' ? rekeyAfterMs : 1.5 * rekeyAfterMs;
    return this.ageMs(session) >= limitMs ? 'time' : undefined;
  }

  /** How long ago `session`'s handshake (or the rekey that made it) started. */
  private ageMs(session: Session): number {
    return this.components.clock.now() - (session.bornMs ?? session.lastActivityMs);
  }

  private countRekey(cause: RekeyCause): void {
    this.counters.rekeys++;
    this.counters[REKEY_COUNTER[cause]]++;
  }

  private sendDatagram(to: Address, packet: Uint8Array): void {
    this.counters.packetsSent++;
    this.counters.bytesSent += packet.length;
    this.components.transport.send(to, packet);
  }

  // ---- in-session rekey (rekey.ts) --------------------------------------------------------------------------

  /** Whether both sides hold the session's keys: an initiator's msg3 was acknowledged, a responder verified msg3. */
  private confirmedBothWays(session: Session): boolean {
    return session.canSend() && (session.role === 'responder' || session.acked);
  }

  /**
   * Whether the session runs under our current NodeID key. One under a rotated-out key renews only by a full
   * handshake (to our current key), as before in-session rekeys: otherwise a session would carry an old NodeID on
   * for as long as it is used, past its grace period.
   */
  private underCurrentIdentity(session: Session): boolean {
    const pub = session.localIdentityPub;
    return pub === undefined || equalBytes(pub, this.components.identity().publicKey);
  }

  /** REKEY_INIT on `session`: a fresh ephemeral key and the connId its successor will receive on. */
  private offerRekey(session: Session): void {
    const ephemeral = this.ctx.suite.generateKeyPair(this.ctx.rng);
    const connId = this.freshConnId();
    session.rekey = { kind: 'offered', ephemeral, connId, offer: encodeRekeyOffer(connId, ephemeral.publicKey), attempts: 0 };
    this.counters.rekeysOffered++;
    this.sendRekeyOffer(session);
  }

  /**
   * The offer, resealed under the next seq on a timeout, once: an offer unanswered twice most likely went to a peer
   * that lost the session (it restarted), and a full handshake is what recovers the link, so it follows at once
   * (with handshakeRetries resends the link stayed dead 5 s longer: ~1,500 more datagrams lost at 250 nodes).
   */
  private sendRekeyOffer(session: Session): void {
    const rekey = session.rekey;
    if (rekey?.kind !== 'offered') return;
    this.transmit(session, { type: PayloadType.REKEY_INIT, body: rekey.offer });
    rekey.timer = this.components.clock.setTimer(this.config.handshakeTimeoutMs, () => {
      rekey.timer = undefined;
      if (session.rekey !== rekey) return;
      const ps = this.peers.get(session.peerKey);
      // Another session took over meanwhile (the peer's own rekey or handshake): nothing left to renew.
      if (ps?.current !== session) return this.withdrawOffer(session);
      if (rekey.attempts < Math.min(1, this.config.handshakeRetries) && session.canSend()) {
        rekey.attempts++;
        this.counters.handshakeRetransmits++;
        return this.sendRekeyOffer(session);
      }
      this.withdrawOffer(session);
      this.counters.rekeysFailed++;
      if (!ps.initiating && !this.closed) this.startHandshake(ps, 'rekey');
    });
  }

  /** Forgets our offer on `session`: its ephemeral key erased, its timer stopped; the session may offer again. */
  private withdrawOffer(session: Session): void {
    const rekey = session.rekey;
    if (rekey?.kind !== 'offered') return;
    if (rekey.timer !== undefined) this.components.clock.cancelTimer(rekey.timer);
    rekey.ephemeral.privateKey.fill(0);
    session.rekey = undefined;
  }

  private onRekeyFrame(session: Session, frame: Frame): void {
    if (frame.type === PayloadType.REKEY_INIT) return this.onRekeyOffer(session, frame.body);
    this.onRekeyAnswer(session, frame.body);
  }

  /**
   * The peer's REKEY_INIT (authentic: only the peer this session confirmed can send it). Answered once per
   * session, never on one younger than minRekeyIntervalMs; a resend of the answered offer gets the same answer.
   */
  private onRekeyOffer(session: Session, body: Uint8Array): void {
    const rekey = session.rekey;
    if (rekey?.kind === 'answered') {
      if (!equalBytes(rekey.offer, body)) return this.drop('rekey-refused');
      this.counters.handshakeRetransmits++;
      return this.transmit(session, { type: PayloadType.REKEY_RESP, body: rekey.response });
    }
    if (rekey?.kind === 'done') return this.drop('rekey-refused');
    // Both offered at once: the session's initiator keeps its offer; the responder withdraws its own and answers.
    if (rekey?.kind === 'offered') {
      if (session.role === 'initiator') return this.drop('rekey-collision');
      this.withdrawOffer(session);
    }
    if (this.ageMs(session) < this.config.minRekeyIntervalMs || !this.underCurrentIdentity(session)) return this.drop('rekey-refused');
    const theirs = decodeRekeyOffer(body);
    if (!theirs.ok) return this.reject(theirs);
    const ephemeral = this.ctx.suite.generateKeyPair(this.ctx.rng);
    const ours: RekeyOffer = { connId: this.freshConnId(), ephemeralPub: ephemeral.publicKey };
    const keys = this.rekeyedKeys(session, { ownEphemeral: ephemeral, initiatorOffer: theirs.value, responderOffer: ours, weInitiated: false });
    if (!keys) return this.drop('bad-handshake');
    const response = encodeRekeyOffer(ours.connId, ours.ephemeralPub);
    session.rekey = { kind: 'answered', offer: body.slice(), response };
    const next = this.successor(session, 'responder', ours.connId, keys.responderToInitiator, keys.initiatorToResponder, theirs.value.connId);
    next.timer = this.components.clock.setTimer(this.responderPatienceMs(), () => this.expireHalfOpen(next));
    this.counters.rekeysAnswered++;
    this.transmit(session, { type: PayloadType.REKEY_RESP, body: response });
  }

  /** The answer to our offer: the successor is ready; we send on it at once and confirm until the peer answers on it. */
  private onRekeyAnswer(session: Session, body: Uint8Array): void {
    const rekey = session.rekey;
    if (rekey?.kind !== 'offered') return this.drop('duplicate-handshake');
    const theirs = decodeRekeyOffer(body);
    if (!theirs.ok) return this.reject(theirs);
    if (rekey.timer !== undefined) this.components.clock.cancelTimer(rekey.timer);
    session.rekey = { kind: 'done' };
    const mine: RekeyOffer = { connId: rekey.connId, ephemeralPub: rekey.ephemeral.publicKey };
    const keys = this.rekeyedKeys(session, { ownEphemeral: rekey.ephemeral, initiatorOffer: mine, responderOffer: theirs.value, weInitiated: true });
    if (!keys) {
      // A peer that answers with a non-point: no successor; the session rekeys by a full handshake.
      this.counters.rekeysFailed++;
      this.drop('bad-handshake');
      const ps = this.peers.get(session.peerKey);
      if (ps && !ps.initiating) this.startHandshake(ps, 'rekey');
      return;
    }
    const next = this.successor(session, 'initiator', mine.connId, keys.initiatorToResponder, keys.responderToInitiator, theirs.value.connId);
    next.state = 'established';
    next.confirmTag = new Uint8Array(0);
    const ps = this.peerState(session.peer);
    ps.current = next;
    this.sendConfirm(next);
    this.flushQueue(ps);
  }

  /** deriveRekeyedKeys over `session`'s keys; undefined when the peer's key is not a point. */
  private rekeyedKeys(
    session: Session,
    args: { ownEphemeral: KeyPair; initiatorOffer: RekeyOffer; responderOffer: RekeyOffer; weInitiated: boolean },
  ): RekeyedKeys | undefined {
    try {
      return deriveRekeyedKeys(this.ctx.suite, { ...args, chain: chainKeysOf(session) });
    } catch (e) {
      if (e instanceof CryptoError) return undefined;
      throw e;
    }
  }

  /** The session a rekey of `session` makes: same peer and header key, new connIds and keys, held by byConnId. */
  private successor(
    session: Session,
    role: Session['role'],
    localConnId: Uint8Array,
    sendKey: Uint8Array,
    receiveKey: Uint8Array,
    remoteConnId: Uint8Array,
  ): Session {
    const next = new Session(role, session.peer, localConnId, hexKey(localConnId), this.components.clock.now());
    next.predecessor = session;
    next.localIdentityPub = session.localIdentityPub;
    this.armCiphers(next, sendKey, receiveKey, remoteConnId, slotView(session.material, 'remoteHeaderKey'));
    this.addSession(next);
    return next;
  }

  /** Answering side: the offerer's first authentic packet on the successor. It becomes the session we send on. */
  private establishRekeyed(session: Session): void {
    this.cancelTimer(session);
    session.state = 'established';
    const ps = this.peerState(session.peer);
    ps.current = session;
    // Stops the offerer's confirm resends (its first packet here may have been data, its confirm lost).
    this.transmit(session, { type: PayloadType.HANDSHAKE_ACK, body: new Uint8Array(0) });
    this.rekeyConfirmed(session);
    this.flushQueue(ps);
  }

  /** Both sides now send on `session`: its predecessor only receives what was in flight, for rekeyGraceMs. */
  private rekeyConfirmed(session: Session): void {
    this.counters.rekeysCompleted++;
    const old = session.predecessor;
    session.predecessor = undefined;
    if (!old || old.state === 'closed') return;
    this.cancelTimer(old);
    old.timer = this.components.clock.setTimer(this.config.rekeyGraceMs, () => {
      old.timer = undefined;
      this.counters.sessionsExpired++;
      this.removeSession(old);
    });
  }

  // ---- bookkeeping ------------------------------------------------------------------------------------------

  private peerState(peer: Peer): PeerState {
    const key = peerKey(peer);
    let ps = this.peers.get(key);
    if (!ps) {
      const keyed = peer instanceof KeyedPeer ? peer : new KeyedPeer(peer.address, peer.nodePub);
      ps = { peer: keyed, key: keyed.key, sessionCount: 0 };
      this.peers.set(key, ps);
      const sameAddress = this.byAddress.get(peer.address);
      if (sameAddress === undefined) this.byAddress.set(peer.address, ps);
      else if (Array.isArray(sameAddress)) sameAddress.push(ps);
      else this.byAddress.set(peer.address, [sameAddress, ps]); // same key: keeps the address's place in the map
    }
    return ps;
  }

  /** The peers behind `address`, oldest first (see byAddress). */
  private peersAt(address: Address): readonly PeerState[] {
    const at = this.byAddress.get(address);
    return at === undefined ? NO_PEERS : Array.isArray(at) ? at : [at];
  }

  private forgetIfIdle(ps: PeerState): void {
    if (ps.sessionCount > 0 || (ps.queue?.length ?? 0) > 0) return;
    this.peers.delete(ps.key);
    const address = ps.peer.address;
    const sameAddress = this.byAddress.get(address);
    if (sameAddress === ps) return void this.byAddress.delete(address);
    if (!Array.isArray(sameAddress)) return;
    const at = sameAddress.indexOf(ps);
    if (at >= 0) sameAddress.splice(at, 1);
    // Back to one peer: held bare again (same key, so the address keeps its place in the map).
    if (sameAddress.length === 1) this.byAddress.set(address, sameAddress[0]);
    else if (sameAddress.length === 0) this.byAddress.delete(address);
  }

  private addSession(session: Session): void {
    session.bornMs = this.components.clock.now();
    this.byConnId.set(session.localConnIdHex, session);
    this.peerState(session.peer).sessionCount++;
    this.armSweep();
  }

  private removeSession(session: Session): void {
    this.cancelTimer(session);
    if (session.rekey?.kind === 'offered' && session.rekey.timer !== undefined) this.components.clock.cancelTimer(session.rekey.timer);
    this.leaveHalfOpen(session);
    if (session.state === 'initiating') this.retired.add(session.localConnIdHex, this.components.clock.now());
    // Frames held for a confirmation that never came: counted now, so each datagram ends in one drop.
    if (session.early?.length) this.drop('unconfirmed', session.early.length);
    const wasOpen = this.byConnId.delete(session.localConnIdHex);
    const ps = this.peers.get(session.peerKey);
    if (ps) {
      if (wasOpen) ps.sessionCount--;
      if (ps.current === session) ps.current = undefined;
      if (ps.initiating === session) ps.initiating = undefined;
      this.forgetIfIdle(ps);
    }
    session.destroy();
  }

  private cancelTimer(session: Session): void {
    if (session.timer !== undefined) this.components.clock.cancelTimer(session.timer);
    session.timer = undefined;
  }

  /** A random connId not in use here (a collision among 2^64 values is unlikely, but cheap to rule out). */
  private freshConnId(): Uint8Array {
    for (;;) {
      const id = this.components.rng.bytes(CONN_ID_BYTES);
      const hex = hexKey(id);
      if (!this.byConnId.has(hex) && (this.pendingQueries.size === 0 || !this.pendingQueries.get(hex, this.components.clock.now()))) return id;
    }
  }

  /** One sweep timer while any session exists, so an idle node leaves no timer behind. */
  private armSweep(): void {
    if (this.sweepTimer !== undefined || this.closed) return;
    const intervalMs = Math.max(1, Math.ceil(this.config.idleSessionMs / 2));
    this.sweepTimer = this.components.clock.setTimer(intervalMs, () => {
      this.sweepTimer = undefined;
      this.sweepIdle();
      if (this.byConnId.size > 0) this.armSweep();
    });
  }

  private sweepIdle(): void {
    const now = this.components.clock.now();
    for (const session of [...this.byConnId.values()]) {
      if (session.state !== 'established' || now - session.lastActivityMs < this.config.idleSessionMs) continue;
      this.counters.sessionsExpired++;
      this.removeSession(session);
    }
  }

  private drop(reason: DropReason, n = 1): void {
    countDrop(this.counters.dropped, reason, n);
  }

  private reject(result: DecodeResult<unknown>): void {
    if (!result.ok) this.drop(result.error.code);
  }

  private dropSend(reason: SendDropReason, n = 1): void {
    countDrop(this.counters.sendDropped, reason, n);
  }

  private dropQueue(ps: PeerState, reason: SendDropReason): void {
    if (ps.queue?.length) this.dropSend(reason, ps.queue.length);
    ps.queue = undefined;
  }
}

/** What SessionManager.probe makes of a datagram (tests' ground truth). */
export interface DatagramKind {
  readonly kind: 'data' | 'response' | 'cookie' | 'init';
  readonly connIdHex?: string;
  /** An init carrying a valid mac2 for its source. */
  readonly mac2?: boolean;
}

/**
 * Whether an unmasked header's seq is one a session sends (< 2^32: top 4 bytes zero; a key good for more
 * packets is rekeyed long before in practice). Replaces the SEC 1 point-prefix check of the old format: it
 * works because the mask is under the receiver's one header key, which outlives its sessions, so a packet
 * for a session gone still unmasks to (old connId, small seq); an init's first 16 bytes (ES field) unmask to
 * random, so an init is misread with probability 2^-32 (then dropped as unknown-session; its handshake
 * retries and the next one, with a fresh ephemeral key, gets through).
 */
function hasSessionSeq(clear: Uint8Array): boolean {
  return (clear[CONN_ID_BYTES] | clear[CONN_ID_BYTES + 1] | clear[CONN_ID_BYTES + 2] | clear[CONN_ID_BYTES + 3]) === 0;
}

/** Whether an unmasked header's seq is 0: msg2's head, or the first data packet of a direction. */
function hasSeqZero(clear: Uint8Array): boolean {
  for (let i = CONN_ID_BYTES; i < DATA_HEADER_BYTES; i++) if (clear[i] !== 0) return false;
  return true;
}

function isRekeyFrame(frame: Frame): boolean {
  return frame.type === PayloadType.REKEY_INIT || frame.type === PayloadType.REKEY_RESP;
}

/** A session's two traffic keys by its own roles (both sides order them alike): the chain a rekey derives from. */
function chainKeysOf(session: Session): ChainKeys {
  const send = slotView(session.material, 'sendKey');
  const receive = slotView(session.material, 'receiveKey');
  return session.role === 'initiator'
    ? { initiatorToResponder: send, responderToInitiator: receive }
    : { initiatorToResponder: receive, responderToInitiator: send };
}

/** No peers at an address (shared: peersAt allocates nothing for an unknown address). */
const NO_PEERS: readonly PeerState[] = [];

/** `peers`' key of `peer` (keyed-peer.ts); a KeyedPeer has it already. */
function peerKey(peer: Peer): string {
  return peer instanceof KeyedPeer ? peer.key : keyOfPeer(peer.address, peer.nodePub);
}
