/**
 * One end-to-end session over one Channel: the three-message handshake (handshake.ts) with retransmission,
 * then AEAD records (record-cipher.ts) carrying frames for the conversation. It knows nothing of messages:
 * the host (ConversationService) binds it to a conversation and consumes its frames.
 *
 *   initiator: awaiting-response --msg2 ok--> open (confirm resent until any authentic record from B)
 *   responder: awaiting-init --msg1 ok--> awaiting-confirm --msg3 ok, or an authentic record--> open
 *
 * An authentic record from the initiator also confirms it: it is sealed under a key derived from Z, which
 * only the holder of sA and eA can compute, so it proves what tagI proves (and saves a round trip when msg3
 * was lost). Every received payload ends in exactly one place: a state change, a frame for the host, or a
 * counted drop; nothing thrown escapes receive().
 */
import type { InitGuard } from '../session/init-guard.ts';
import type { Channel } from '../messenger/channel.ts';
import type { Unsubscribe } from '../messenger/messenger.ts';
import type { Clock, TimerId } from '../runtime/clock.ts';
import type { KeyPair } from '../crypto/suite.ts';
import { CryptoError } from '../crypto/suite.ts';
import { equalBytes, toHex } from '../packet/bytes.ts';
import type { ConversationConfig } from './constants.ts';
import { createInit, createResponse, openInit, openResponse, verifyConfirm, type HandshakeContext, type InitiatorHandshake, type ResponderHandshake } from './handshake.ts';
import { RecordOpener, RecordSealer } from './record-cipher.ts';
import type { ConversationDropReason, ConversationStats } from './stats.ts';
import { decodeFrame, encodeReady, FrameType, PayloadKind, RECORD_OVERHEAD_BYTES, type Frame } from './wire.ts';

export type SessionState = 'awaiting-response' | 'awaiting-init' | 'awaiting-confirm' | 'open' | 'closed';
export type SessionRole = 'initiator' | 'responder';
/** Why a session ended before it was established (the service turns it into an outcome reason). */
export type SessionFailure = 'handshake-failed' | 'channel-closed';

export interface SessionHost {
  readonly ctx: HandshakeContext;
  readonly config: ConversationConfig;
  readonly clock: Clock;
  readonly account: KeyPair;
  readonly stats: ConversationStats;
  /** Init ephemerals seen recently (hex) -> the session that answered them. */
  readonly guard: InitGuard<E2eSession>;
  drop(reason: ConversationDropReason): void;
  /** Responder: may this account have a conversation? (false: refused, counted by the host) */
  admitPeer(session: E2eSession, peerAccountPub: Uint8Array): boolean;
  established(session: E2eSession): void;
  frame(session: E2eSession, frame: Frame): void;
  /** The session ended; `failure` is set when it never got established. */
  closed(session: E2eSession, reason: string, failure?: SessionFailure): void;
}

export class E2eSession {
  state: SessionState;
  peerAccountPub: Uint8Array | undefined;
  private initiator: InitiatorHandshake | undefined;
  private responder: ResponderHandshake | undefined;
  private confirmPacket: Uint8Array | undefined;
  /** Responder: SHA-256 of the msg1 we answered, to recognise its retransmission. */
  private initHash: Uint8Array | undefined;
  /** Initiator: an authentic record from the responder arrived (stop resending msg3). */
  private peerConfirmed = false;
  private sealer: RecordSealer | undefined;
  private opener: RecordOpener | undefined;
  private tries = 0;
  private badPayloads = 0;
  private timer: TimerId | undefined;
  private idleTimer: TimerId | undefined;
  private readonly unsubscribe: Unsubscribe[] = [];

  constructor(
    private readonly host: SessionHost,
    readonly channel: Channel,
    readonly role: SessionRole,
    peerAccountPub?: Uint8Array,
  ) {
    this.state = role === 'initiator' ? 'awaiting-response' : 'awaiting-init';
    this.peerAccountPub = peerAccountPub;
    this.unsubscribe.push(channel.onReceive((bytes) => this.receive(bytes)));
    this.unsubscribe.push(channel.onClose((reason) => this.finish(`channel: ${reason}`, false)));
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Initiator: sends msg1. Throws CryptoError when the peer key is invalid (the service checks first). */
  start(): void {
    const h = this.host;
    if (this.role === 'initiator') {
      this.initiator = createInit(h.ctx, { account: h.account, peerAccountPub: this.peerAccountPub!, nowMs: h.clock.now() });
      h.stats.handshakesStarted++;
      this.transmit(this.initiator.packet);
    }
    this.armHandshakeTimer();
  }

  /** Seals one frame into a record and sends it; false if the session cannot send. */
  sendFrame(frame: Uint8Array): boolean {
    if (this.state !== 'open' || !this.sealer) return false;
    const record = this.sealer.seal(frame);
    if (!record) {
      this.close('counter-exhausted');
      return false;
    }
    this.host.stats.recordsSent++;
    return this.transmit(record);
  }

  /** Largest frame a record on this channel can carry. */
  maxFrameBytes(): number {
    return this.channel.maxPayloadBytes - RECORD_OVERHEAD_BYTES;
  }

  close(reason: string): void {
    this.finish(reason, true);
  }

  // ---- receive ----------------------------------------------------------------------------------------------

  receive(bytes: Uint8Array): void {
    if (this.state === 'closed') return this.host.drop('closed');
    try {
      const kind = bytes[0];
      const handler = kind === undefined ? undefined : this.handlers[kind];
      if (!handler) return this.drop('malformed');
      handler(bytes);
    } catch (e) {
      // CryptoError: a bad point that slipped past a decoder. Anything else is a bug, counted instead of
      // crashing the node (tests assert 'internal' stays 0).
      this.drop(e instanceof CryptoError ? 'bad-handshake' : 'internal');
    }
  }

  private readonly handlers: Record<number, (bytes: Uint8Array) => void> = {
    [PayloadKind.INIT]: (b) => this.onInit(b),
    [PayloadKind.RESPONSE]: (b) => this.onResponse(b),
    [PayloadKind.CONFIRM]: (b) => this.onConfirm(b),
    [PayloadKind.RECORD]: (b) => this.onRecord(b),
  };

  private onInit(bytes: Uint8Array): void {
    const h = this.host;
    if (this.role !== 'responder') return this.drop('unexpected');
    if (this.state !== 'awaiting-init') return this.onRepeatedInit(bytes);
    const init = openInit(h.ctx, h.account, bytes);
    if (!init.ok) return this.drop(init.reason);
    const ephemeralHex = toHex(init.value.initiatorEphemeralPub);
    const now = h.clock.now();
    if (h.guard.get(ephemeralHex, now)) return this.drop('replayed-init');
    const verdict = h.guard.admit(init.value.timestampMs, now);
    if (verdict !== 'fresh') return this.drop(verdict === 'stale' ? 'stale-handshake' : 'handshake-overload');
    // ECMQV first: it validates both of Alice's points, so no conversation is made for a key that is not one.
    const response = createResponse(h.ctx, { account: h.account, init: init.value });
    if (!response.ok) return this.drop(response.reason);
    if (!h.admitPeer(this, init.value.initiatorStaticPub)) return this.close('conversation-limit');
    this.initHash = h.ctx.suite.sha256(bytes);
    h.guard.record(ephemeralHex, this.initHash, this, now);
    this.peerAccountPub = init.value.initiatorStaticPub;
    this.responder = response.value;
    this.sealer = new RecordSealer(h.ctx.suite, response.value.keys.responderToInitiator);
    this.opener = new RecordOpener(h.ctx.suite, response.value.keys.initiatorToResponder, h.config.replayWindow);
    this.state = 'awaiting-confirm';
    h.stats.handshakesAccepted++;
    this.transmit(response.value.packet);
    this.armHandshakeTimer();
  }

  /** A second msg1 on this channel: a retransmission (msg2 lost) gets msg2 again; anything else is dropped. */
  private onRepeatedInit(bytes: Uint8Array): void {
    const h = this.host;
    if (this.state !== 'awaiting-confirm' || !this.responder || !this.initHash) return this.drop('unexpected');
    if (!equalBytes(this.initHash, h.ctx.suite.sha256(bytes))) return this.drop('unexpected');
    h.stats.handshakeRetransmits++;
    this.transmit(this.responder.packet);
  }

  private onResponse(bytes: Uint8Array): void {
    const h = this.host;
    if (this.state !== 'awaiting-response' || !this.initiator) return this.drop('unexpected');
    const result = openResponse(h.ctx, this.initiator, bytes);
    if (!result.ok) return this.drop(result.reason); // a forged msg2: keep waiting for the real one
    this.initiator.ephemeral.privateKey.fill(0); // keys exist: erase eA (forward secrecy)
    const { keys } = result.value;
    this.sealer = new RecordSealer(h.ctx.suite, keys.initiatorToResponder);
    this.opener = new RecordOpener(h.ctx.suite, keys.responderToInitiator, h.config.replayWindow);
    keys.confirmInitiator.fill(0);
    keys.confirmResponder.fill(0);
    this.confirmPacket = result.value.confirmPacket;
    this.initiator = undefined;
    this.tries = 0;
    this.transmit(this.confirmPacket);
    this.armHandshakeTimer();
    this.becomeOpen();
  }

  private onConfirm(bytes: Uint8Array): void {
    const h = this.host;
    if (this.role !== 'responder') return this.drop('unexpected');
    if (this.state === 'open') {
      // msg3 again: our READY was lost. Answer only the exact bytes we accepted.
      if (!this.confirmPacket || !equalBytes(this.confirmPacket, bytes)) return this.drop('unexpected');
      h.stats.handshakeRetransmits++;
      this.sendFrame(encodeReady());
      return;
    }
    if (this.state !== 'awaiting-confirm' || !this.responder) return this.drop('unexpected');
    const ok = verifyConfirm(h.ctx.suite, this.responder, bytes);
    if (!ok.ok) return this.drop(ok.reason);
    this.confirmPacket = bytes.slice();
    this.confirmResponder();
    this.sendFrame(encodeReady());
  }

  private confirmResponder(): void {
    this.responder!.keys.confirmInitiator.fill(0);
    this.responder!.keys.confirmResponder.fill(0);
    this.becomeOpen();
  }

  private onRecord(bytes: Uint8Array): void {
    const h = this.host;
    if (!this.opener || (this.state !== 'open' && this.state !== 'awaiting-confirm')) return this.drop('unexpected');
    const opened = this.opener.open(bytes);
    if (!opened.ok) return this.drop(opened.reason);
    h.stats.recordsReceived++;
    this.touch();
    if (this.state === 'awaiting-confirm') this.confirmResponder(); // implicit confirmation (see header)
    if (this.role === 'initiator' && !this.peerConfirmed) {
      this.peerConfirmed = true;
      this.cancelTimer();
    }
    const frame = decodeFrame(opened.value);
    if (!frame.ok) return this.drop(frame.reason);
    if (frame.value.type === FrameType.READY) return;
    h.frame(this, frame.value);
  }

  /**
   * Counts a drop; a channel that keeps delivering junk before the handshake is done (a stranger making us
   * run ECDH on garbage inits, or a rendezvous point injecting) is closed after maxHandshakeDrops.
   */
  private drop(reason: ConversationDropReason): void {
    this.host.drop(reason);
    if (this.state !== 'open' && this.state !== 'closed' && ++this.badPayloads >= this.host.config.maxHandshakeDrops) {
      this.fail('too-many-bad-payloads');
    }
  }

  // ---- state and timers ---------------------------------------------------------------------------------------

  private becomeOpen(): void {
    this.state = 'open';
    if (this.role === 'responder') this.cancelTimer();
    this.host.stats.handshakesCompleted++;
    this.touch();
    this.host.established(this);
  }

  private transmit(payload: Uint8Array): boolean {
    if (!this.channel.isOpen || !this.channel.send(payload)) {
      this.host.stats.channelSendRefused++;
      return false;
    }
    return true;
  }

  /**
   * Initiator: resend msg1 (or msg3 once open) after each timeout, `handshakeRetries` times, then fail.
   * Responder: wait for msg3 as long as the initiator could keep resending it, then give up.
   */
  private armHandshakeTimer(): void {
    this.cancelTimer();
    const { handshakeTimeoutMs, handshakeRetries } = this.host.config;
    if (this.role === 'responder') {
      this.timer = this.host.clock.setTimer(handshakeTimeoutMs * (handshakeRetries + 2), () => {
        this.timer = undefined;
        if (this.state !== 'open') this.fail('handshake-timeout');
      });
      return;
    }
    this.timer = this.host.clock.setTimer(handshakeTimeoutMs, () => {
      this.timer = undefined;
      if (this.tries >= handshakeRetries) return this.fail('handshake-timeout');
      this.tries++;
      this.host.stats.handshakeRetransmits++;
      this.transmit(this.state === 'open' ? this.confirmPacket! : this.initiator!.packet);
      this.armHandshakeTimer();
    });
  }

  private fail(reason: string): void {
    this.host.stats.handshakesFailed++;
    this.finish(reason, true, 'handshake-failed');
  }

  /** Closes after idleSessionMs without an authentic record. */
  private touch(): void {
    if (this.idleTimer !== undefined) this.host.clock.cancelTimer(this.idleTimer);
    this.idleTimer = this.host.clock.setTimer(this.host.config.idleSessionMs, () => {
      this.idleTimer = undefined;
      this.close('idle');
    });
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.host.clock.cancelTimer(this.timer);
    this.timer = undefined;
  }

  private finish(reason: string, closeChannel: boolean, failure?: SessionFailure): void {
    if (this.state === 'closed') return;
    const everOpen = this.state === 'open';
    this.state = 'closed';
    this.cancelTimer();
    if (this.idleTimer !== undefined) this.host.clock.cancelTimer(this.idleTimer);
    this.idleTimer = undefined;
    for (const u of this.unsubscribe.splice(0)) u();
    this.sealer?.destroy();
    this.opener?.destroy();
    this.initiator?.ephemeral.privateKey.fill(0);
    if (closeChannel && this.channel.isOpen) this.channel.close(reason);
    this.host.stats.channelsClosed++;
    const why = failure ?? (everOpen ? undefined : 'channel-closed');
    this.host.closed(this, reason, why);
  }
}
