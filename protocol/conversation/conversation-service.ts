/**
 * End-to-end conversations between AccountIDs over Channels (protocol/messenger/channel.ts): the ECMQV
 * handshake (handshake.ts, e2e-session.ts), then reliable, ordered, exactly-once messages of up to
 * maxMessageBytes with fragment-level acknowledgements and retransmission (outbox.ts, inbox.ts). Every send()
 * ends in exactly one 'outcome' event: delivered (with latency) or failed (with a reason); until then it is
 * counted by pending().
 *
 * One Conversation per peer account holds what outlives a channel: the outbox (our seqs under our random
 * stream id) and the inbox (the peer's stream, what was delivered). Sessions are just pipes: when the active
 * one closes while messages are unacknowledged, openChannel is asked again (bounded attempts, backoff) and the
 * outbox resent on the new session; the inbox drops anything already delivered, so nothing arrives twice.
 *
 * Who can send what (the rendezvous point and relays carry every byte and may drop, replay, reorder or inject):
 * - anyone can open a channel to us and send msg1 under their own account key; they get a conversation of
 *   their own (bounded by maxConversations, maxSessions, maxBufferedBytes), never someone else's.
 * - without Z (a static private key and the ephemeral) nobody can produce a record, a tag or a READY, so an
 *   injected or modified payload is dropped and counted; replayed records fail the replay window, replayed
 *   inits the InitGuard.
 */
import { decodePoint } from '../crypto/p256.ts';
import type { CryptoSuite, KeyPair } from '../crypto/suite.ts';
import type { Channel } from '../messenger/channel.ts';
import { EventBus } from '../messenger/event-bus.ts';
import { equalBytes, toHex } from '../packet/bytes.ts';
import type { Clock, TimerId } from '../runtime/clock.ts';
import type { Rng } from '../runtime/rng.ts';
import { InitGuard } from '../session/init-guard.ts';
import { resolveConversationConfig, type ConversationConfig } from './constants.ts';
import { E2eSession, type SessionFailure, type SessionHost } from './e2e-session.ts';
import { OfflineCourier } from './offline-courier.ts';
import type { OfflineMailbox } from './offline.ts';
import { deliveredEvent, failedEvent, messageEvent, sessionEvent, type ConversationEvent } from './events.ts';
import { Inbox, type ByteBudget } from './inbox.ts';
import { chunkFor, minChunk, Outbox, type OutMessage } from './outbox.ts';
import { emptyConversationStats, type ConversationDropReason, type ConversationStats, type FailureReason } from './stats.ts';
import { encodeAck, encodeFrag, FrameType, MESSAGE_ID_BYTES, STREAM_BYTES, type AckFrame, type FragFrame, type Frame } from './wire.ts';

export type OpenChannelResult = { ok: true; channel: Channel } | { ok: false; reason: string };

export interface ConversationComponents {
  clock: Clock;
  rng: Rng;
  suite: CryptoSuite;
  account: KeyPair;
  /** Opens a fresh Channel to the account (Alice side); cb exactly once. */
  openChannel(accountPub: Uint8Array, cb: (r: OpenChannelResult) => void): void;
  /**
   * Optional offline store (protocol/mailbox's MailboxOffline): messages that cannot get a channel are sealed to
   * the peer's account and stored in its mailbox instead of failing; our own mailbox is fetched every offlinePollMs.
   */
  offline?: OfflineMailbox;
}

interface Conversation {
  readonly peerPub: Uint8Array;
  readonly peerHex: string;
  readonly outbox: Outbox;
  readonly inbox: Inbox;
  readonly sessions: Set<E2eSession>;
  /** The open session new fragments go out on. */
  active: E2eSession | undefined;
  /** openChannel is pending, or our own initiator session is still handshaking. */
  opening: boolean;
  /** Failed channel opens / handshakes in a row. */
  attempts: number;
  retryTimer: TimerId | undefined;
  pumpTimer: TimerId | undefined;
  ackTimer: TimerId | undefined;
  ackSession: E2eSession | undefined;
  lastActivityMs: number;
}

export class ConversationService {
  readonly config: ConversationConfig;
  readonly events = new EventBus<ConversationEvent>();
  private readonly counters = emptyConversationStats();
  private readonly conversations = new Map<string, Conversation>();
  private readonly sessions = new Set<E2eSession>();
  private readonly sessionConversation = new Map<E2eSession, Conversation>();
  /** Failures decided inside send() are reported on the next tick, so the caller has the id first. */
  private readonly deferred = new Map<string, { timer: TimerId; to: Uint8Array; reason: FailureReason }>();
  private readonly budget: ByteBudget;
  private readonly host: SessionHost;
  private readonly courier: OfflineCourier | undefined;
  private stopped = false;

  constructor(
    private readonly components: ConversationComponents,
    init: Partial<ConversationConfig> = {},
  ) {
    this.config = resolveConversationConfig(init);
    this.budget = { used: 0, max: this.config.maxBufferedBytes };
    const c = components;
    this.host = {
      ctx: { suite: c.suite, rng: c.rng },
      config: this.config,
      clock: c.clock,
      account: c.account,
      stats: this.counters,
      guard: new InitGuard<E2eSession>(this.config.handshakeMaxSkewMs, this.config.maxRecentHandshakes),
      drop: (reason) => this.drop(reason),
      admitPeer: (session, pub) => this.admitPeer(session, pub),
      established: (session) => this.established(session),
      frame: (session, frame) => this.frame(session, frame),
      closed: (session, reason, failure) => this.closed(session, reason, failure),
    };
    this.courier = c.offline
      ? new OfflineCourier(
          {
            clock: c.clock,
            rng: c.rng,
            account: c.account,
            config: this.config,
            stats: this.counters,
            emit: (e) => this.events.emit(e),
            fail: (id, to, reason) => {
              this.countFailure(reason);
              this.events.emit(failedEvent(id, to, reason));
            },
            drop: (reason) => this.drop(reason),
          },
          c.offline,
        )
      : undefined;
  }

  // ---- API ----------------------------------------------------------------------------------------------------

  /** Queues a message for the account; returns its id (16 random bytes, hex). */
  send(toAccountPub: Uint8Array, body: Uint8Array): string {
    const idBytes = this.components.rng.bytes(MESSAGE_ID_BYTES);
    const id = toHex(idBytes);
    this.counters.messagesSent++;
    const to = toAccountPub.slice();
    const refusal = this.refusal(to, body);
    const conv = refusal ? undefined : this.conversationFor(to);
    const msg = conv?.outbox.add({ id, idBytes, body: body.slice(), sentAtMs: this.components.clock.now() });
    if (!conv || !msg) {
      this.failLater(id, to, refusal ?? (conv ? 'queue-full' : 'conversation-limit'));
      return id;
    }
    msg.timeoutTimer = this.components.clock.setTimer(this.config.messageTimeoutMs, () => {
      msg.timeoutTimer = undefined;
      // Never put on a session (no channel came up in time): the mailbox can still take it.
      if (this.courier && msg.transmissions === 0) return this.divert(conv, msg);
      this.resolveFailed(conv, msg, 'timeout');
    });
    conv.lastActivityMs = this.components.clock.now();
    this.pump(conv);
    return id;
  }

  /** Bob side: an incoming Channel from the rendezvous layer; the handshake runs over it. */
  accept(channel: Channel): void {
    if (this.stopped) {
      this.drop('closed');
      return channel.close('stopped');
    }
    if (this.sessions.size >= this.config.maxSessions && !this.evictHalfOpen()) {
      this.drop('session-limit');
      return channel.close('session-limit');
    }
    this.counters.channelsAccepted++;
    const session = new E2eSession(this.host, channel, 'responder');
    this.sessions.add(session);
    session.start();
  }

  /** Fetches our offline mailbox now (it is also fetched every offlinePollMs); no-op without an offline store. */
  fetchOffline(): void {
    this.courier?.fetch();
  }

  /** Messages whose outcome has not been reported yet (stored offline ones included). */
  pending(): number {
    let n = this.deferred.size + (this.courier?.pending ?? 0);
    for (const conv of this.conversations.values()) n += conv.outbox.size();
    return n;
  }

  stats(): ConversationStats {
    return {
      ...this.counters,
      messagesFailed: { ...this.counters.messagesFailed },
      dropped: { ...this.counters.dropped },
      sessionsOpen: this.sessions.size,
      conversations: this.conversations.size,
      bufferedBytes: this.budget.used,
    };
  }

  /** Fails every pending message with 'stopped' (emitting outcomes), closes channels, cancels timers. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const [id, d] of [...this.deferred]) {
      this.components.clock.cancelTimer(d.timer);
      this.emitDeferred(id);
    }
    for (const conv of this.conversations.values()) {
      for (const msg of conv.outbox.all()) this.resolveFailed(conv, msg, 'stopped');
    }
    this.courier?.stop();
    for (const session of [...this.sessions]) session.close('stopped');
    for (const conv of this.conversations.values()) this.dispose(conv);
    this.conversations.clear();
  }

  // ---- sending --------------------------------------------------------------------------------------------------

  private refusal(to: Uint8Array, body: Uint8Array): FailureReason | undefined {
    if (this.stopped) return 'stopped';
    if (body.length > this.config.maxMessageBytes) return 'too-large';
    if (this.pending() >= this.config.maxPendingMessages) return 'queue-full';
    try {
      decodePoint(to);
    } catch {
      return 'bad-peer-key';
    }
    return undefined;
  }

  private failLater(id: string, to: Uint8Array, reason: FailureReason): void {
    const timer = this.components.clock.setTimer(0, () => this.emitDeferred(id));
    this.deferred.set(id, { timer, to, reason });
  }

  private emitDeferred(id: string): void {
    const d = this.deferred.get(id);
    if (!d) return;
    this.deferred.delete(id);
    this.countFailure(d.reason);
    this.events.emit(failedEvent(id, d.to, d.reason));
  }

  private countFailure(reason: FailureReason): void {
    this.counters.messagesFailed[reason] = (this.counters.messagesFailed[reason] ?? 0) + 1;
  }

  private resolveFailed(conv: Conversation, msg: OutMessage, reason: FailureReason): void {
    if (!conv.outbox.remove(msg.seq)) return;
    if (msg.timeoutTimer !== undefined) this.components.clock.cancelTimer(msg.timeoutTimer);
    this.countFailure(reason);
    this.events.emit(failedEvent(msg.id, conv.peerPub, reason));
    this.pump(conv);
  }

  private resolveDelivered(conv: Conversation, msg: OutMessage): void {
    if (msg.timeoutTimer !== undefined) this.components.clock.cancelTimer(msg.timeoutTimer);
    this.counters.messagesAcked++;
    this.events.emit(deliveredEvent(msg.id, conv.peerPub, this.components.clock.now() - msg.sentAtMs));
  }

  /** Sends every due fragment on the active session (or gets a session), then sleeps until the next is due. */
  private pump(conv: Conversation): void {
    if (this.stopped || !this.conversations.has(conv.peerHex)) return;
    this.cancel(conv, 'pumpTimer');
    if (conv.outbox.size() === 0) return;
    const session = conv.active?.isOpen ? conv.active : this.openSessionOf(conv);
    if (!session) return this.connect(conv);
    conv.active = session;
    const chunk = chunkFor(session.channel.maxPayloadBytes);
    if (chunk < minChunk(this.config.maxMessageBytes)) return session.close('channel-too-small');
    const now = this.components.clock.now();
    const { frames, retransmits } = conv.outbox.due(chunk, now);
    for (const f of frames) session.sendFrame(encodeFrag(f));
    this.counters.fragmentsSent += frames.length;
    this.counters.fragmentRetransmits += retransmits;
    const next = conv.outbox.nextDueMs();
    if (next !== undefined) conv.pumpTimer = this.components.clock.setTimer(Math.max(0, next - now), () => {
      conv.pumpTimer = undefined;
      this.pump(conv);
    });
  }

  private openSessionOf(conv: Conversation): E2eSession | undefined {
    for (const s of conv.sessions) if (s.isOpen) return s;
    return undefined;
  }

  /** Asks for a channel to the peer unless one is being opened or a retry is scheduled. */
  private connect(conv: Conversation): void {
    if (this.stopped || conv.opening || conv.retryTimer !== undefined) return;
    conv.opening = true;
    let answered = false;
    this.components.openChannel(conv.peerPub, (r) => {
      if (answered) return;
      answered = true;
      if (this.stopped || this.conversations.get(conv.peerHex) !== conv) {
        if (r.ok) r.channel.close('stopped');
        return;
      }
      if (!r.ok) {
        this.counters.channelOpenFailures++;
        conv.opening = false;
        if (this.courier && this.config.offlineReasons.includes(r.reason)) return this.divertAll(conv);
        return this.attemptFailed(conv, 'channel-closed');
      }
      this.counters.channelsOpened++;
      const session = new E2eSession(this.host, r.channel, 'initiator', conv.peerPub);
      this.sessions.add(session);
      this.sessionConversation.set(session, conv);
      conv.sessions.add(session);
      session.start();
    });
  }

  private attemptFailed(conv: Conversation, reason: SessionFailure): void {
    if (conv.outbox.size() === 0) {
      conv.attempts = 0;
      return;
    }
    conv.attempts++;
    if (conv.attempts >= this.config.maxChannelAttempts) {
      conv.attempts = 0;
      if (this.courier && reason === 'channel-closed') return this.divertAll(conv);
      for (const msg of conv.outbox.all()) this.resolveFailed(conv, msg, reason);
      return;
    }
    conv.retryTimer = this.components.clock.setTimer(this.config.channelRetryMs * 2 ** (conv.attempts - 1), () => {
      conv.retryTimer = undefined;
      this.pump(conv);
    });
  }

  /**
   * The peer is not reachable: every message never put on a session goes to its mailbox. One that was (the peer
   * may hold it) fails with 'channel-closed' as before, so nothing can be delivered twice.
   */
  private divertAll(conv: Conversation): void {
    conv.attempts = 0;
    for (const msg of conv.outbox.all()) {
      if (msg.transmissions > 0) this.resolveFailed(conv, msg, 'channel-closed');
      else this.divert(conv, msg, false);
    }
    this.pump(conv);
  }

  /** Hands one never-transmitted message to the offline courier (or fails it when it cannot fit a mailbox item). */
  private divert(conv: Conversation, msg: OutMessage, pump = true): void {
    const courier = this.courier!;
    if (!courier.fits(msg.body.length)) return this.resolveFailed(conv, msg, 'offline-store-failed');
    if (!conv.outbox.remove(msg.seq)) return;
    if (msg.timeoutTimer !== undefined) this.components.clock.cancelTimer(msg.timeoutTimer);
    msg.timeoutTimer = undefined;
    courier.divert(msg.id, msg.idBytes, conv.peerPub, msg.body, msg.sentAtMs);
    if (pump) this.pump(conv);
  }

  // ---- sessions -----------------------------------------------------------------------------------------------

  private admitPeer(session: E2eSession, peerPub: Uint8Array): boolean {
    const conv = this.conversationFor(peerPub.slice());
    if (!conv) {
      this.drop('conversation-limit');
      return false;
    }
    this.sessionConversation.set(session, conv);
    conv.sessions.add(session);
    return true;
  }

  private established(session: E2eSession): void {
    const conv = this.sessionConversation.get(session);
    if (!conv) return;
    if (session.role === 'initiator') conv.opening = false;
    conv.attempts = 0;
    conv.lastActivityMs = this.components.clock.now();
    // Both sides may open a channel at once; keep sending on the session in use, so nothing is sent twice.
    if (!conv.active?.isOpen) {
      conv.active = session;
      conv.outbox.restart(chunkFor(session.channel.maxPayloadBytes), this.components.clock.now());
    }
    this.events.emit(sessionEvent(conv.peerPub, session.role, 'established'));
    this.pump(conv);
  }

  private closed(session: E2eSession, reason: string, failure?: SessionFailure): void {
    this.sessions.delete(session);
    const conv = this.sessionConversation.get(session);
    this.sessionConversation.delete(session);
    if (!conv) return;
    conv.sessions.delete(session);
    if (conv.ackSession === session) conv.ackSession = undefined;
    if (conv.active === session) conv.active = this.openSessionOf(conv);
    if (session.role === 'initiator' && failure) conv.opening = false;
    this.events.emit(sessionEvent(conv.peerPub, session.role, failure ? 'failed' : 'closed', reason));
    if (this.stopped) return;
    if (failure && session.role === 'initiator') return this.attemptFailed(conv, failure);
    this.pump(conv);
  }

  /** At maxSessions: closes the oldest session that never received a valid init (a stranger's idle channel). */
  private evictHalfOpen(): boolean {
    for (const s of this.sessions) {
      if (s.state === 'awaiting-init') {
        this.drop('session-limit');
        s.close('session-limit');
        return true;
      }
    }
    return false;
  }

  // ---- receiving ----------------------------------------------------------------------------------------------

  private frame(session: E2eSession, frame: Frame): void {
    const conv = this.sessionConversation.get(session);
    if (!conv) return this.drop('closed');
    conv.lastActivityMs = this.components.clock.now();
    if (frame.type === FrameType.FRAG) return this.onFrag(conv, session, frame);
    if (frame.type === FrameType.ACK) return this.onAck(conv, frame);
  }

  private onFrag(conv: Conversation, session: E2eSession, frame: FragFrame): void {
    const verdict = conv.inbox.receive(frame);
    if (verdict.kind === 'dropped') this.drop(verdict.reason);
    if (verdict.kind === 'duplicate') this.counters.duplicateFragments++;
    this.counters.messagesAbandoned += verdict.skipped;
    for (const d of verdict.deliveries) {
      this.counters.messagesDelivered++;
      this.events.emit(messageEvent(conv.peerPub, d.messageId, d.body));
    }
    this.scheduleAck(conv, session);
  }

  private onAck(conv: Conversation, frame: AckFrame): void {
    if (!equalBytes(frame.stream, conv.outbox.stream)) return this.drop('unexpected');
    for (const msg of conv.outbox.applyAck(frame, this.components.clock.now())) this.resolveDelivered(conv, msg);
    this.pump(conv);
  }

  private scheduleAck(conv: Conversation, session: E2eSession): void {
    conv.ackSession = session;
    if (conv.ackTimer !== undefined || this.stopped) return;
    conv.ackTimer = this.components.clock.setTimer(this.config.ackDelayMs, () => {
      conv.ackTimer = undefined;
      const s = conv.ackSession?.isOpen ? conv.ackSession : this.openSessionOf(conv);
      const ack = s ? conv.inbox.ack(s.maxFrameBytes()) : undefined;
      if (!s || !ack) return;
      if (s.sendFrame(encodeAck(ack))) this.counters.acksSent++;
    });
  }

  private drop(reason: ConversationDropReason): void {
    this.counters.dropped[reason] = (this.counters.dropped[reason] ?? 0) + 1;
  }

  // ---- conversations ------------------------------------------------------------------------------------------

  /** The conversation with `peerPub`, created if there is room (evicting an idle one if needed). */
  private conversationFor(peerPub: Uint8Array): Conversation | undefined {
    const peerHex = toHex(peerPub);
    const existing = this.conversations.get(peerHex);
    if (existing) return existing;
    if (this.conversations.size >= this.config.maxConversations && !this.evictIdle()) return undefined;
    const { config } = this;
    const conv: Conversation = {
      peerPub,
      peerHex,
      outbox: new Outbox(this.components.rng.bytes(STREAM_BYTES), config.windowMessages, config.initialRtoMs, config.maxRtoMs),
      inbox: new Inbox(config.windowMessages, config.maxMessageBytes, this.budget),
      sessions: new Set(),
      active: undefined,
      opening: false,
      attempts: 0,
      retryTimer: undefined,
      pumpTimer: undefined,
      ackTimer: undefined,
      ackSession: undefined,
      lastActivityMs: this.components.clock.now(),
    };
    this.conversations.set(peerHex, conv);
    return conv;
  }

  /**
   * Evicts the least recently active conversation with nothing pending, no session and no traffic for
   * idleConversationMs (longer than a sender's messageTimeoutMs by default, so its peer has given up on
   * anything we might deliver twice).
   */
  private evictIdle(): boolean {
    const cutoff = this.components.clock.now() - this.config.idleConversationMs;
    let victim: Conversation | undefined;
    for (const c of this.conversations.values()) {
      const idle = c.outbox.size() === 0 && c.sessions.size === 0 && !c.opening && c.lastActivityMs <= cutoff;
      if (idle && (!victim || c.lastActivityMs < victim.lastActivityMs)) victim = c;
    }
    if (!victim) return false;
    this.dispose(victim);
    this.conversations.delete(victim.peerHex);
    this.counters.conversationsEvicted++;
    return true;
  }

  private dispose(conv: Conversation): void {
    this.cancel(conv, 'pumpTimer');
    this.cancel(conv, 'ackTimer');
    this.cancel(conv, 'retryTimer');
    conv.inbox.clear();
  }

  private cancel(conv: Conversation, key: 'pumpTimer' | 'ackTimer' | 'retryTimer'): void {
    const timer = conv[key];
    if (timer !== undefined) this.components.clock.cancelTimer(timer);
    conv[key] = undefined;
  }
}
