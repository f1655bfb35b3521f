/**
 * State of one session with one peer, in either role. Plain data plus key erasure; the transitions live in
 * session-manager.ts.
 *
 *   initiator:  initiating --msg2 ok--> established (acked once any authentic packet from R arrives)
 *   responder:  awaiting-confirm --msg3 ok--> established
 *   any:        --> closed (timeout, bad confirmation, idle expiry, close())
 */
import type { Frame } from '../packet/frame.ts';
import type { Address } from '../runtime/transport.ts';
import type { TimerId } from '../runtime/clock.ts';
import type { ReceiveCipher, SendCipher } from './cipher-state.ts';
import type { InitiatorHandshake, ResponderHandshake } from './handshake.ts';
import type { KeyPair } from '../crypto/suite.ts';
import type { KeyedPeer } from './keyed-peer.ts';
import { keepInSlot, sessionMaterial, slotHolds, slotView } from './session-material.ts';

export interface Peer {
  readonly address: Address;
  /** 33-byte compressed NodeID public key; in a delivered message, the key the handshake proved. */
  readonly nodePub: Uint8Array;
}

export type SessionRole = 'initiator' | 'responder';

/**
 * Where an in-session rekey of this session stands (rekey.ts): 'offered', we sent REKEY_INIT and wait for the
 * answer (our ephemeral key and the body, resent on timeout); 'answered', we answered the peer's REKEY_INIT
 * (its body, to recognise a resend, and our answer, to repeat it); 'done', our offer was answered and the
 * successor exists. One rekey per session: a second offer on it is refused. ('offered' keeps its connId and key
 * beside the encoded body, so the answer needs no decoding of our own bytes.)
 */
export type RekeyState =
  | { readonly kind: 'offered'; readonly ephemeral: KeyPair; readonly connId: Uint8Array; readonly offer: Uint8Array; attempts: number; timer?: TimerId }
  | { readonly kind: 'answered'; readonly offer: Uint8Array; readonly response: Uint8Array }
  | { readonly kind: 'done' };
export type SessionState = 'initiating' | 'awaiting-confirm' | 'established' | 'closed';

export class Session {
  state: SessionState;
  send?: SendCipher;
  receive?: ReceiveCipher;
  /** Initiator, until msg2 is verified. */
  initiator?: InitiatorHandshake;
  /** Responder, until msg3 is verified. */
  responder?: ResponderHandshake;
  /** Responder, while half-open: the init's ephemeral key, its entry in the half-open table. */
  initEphemeralKey?: string;
  /** Initiator: msg3's body, resent until the responder acknowledges. */
  confirmTag?: Uint8Array;
  /** Initiator: msg2's ES field is in `material` (slot responderEphemeral), to recognise a duplicate msg2. */
  hasResponderEphemeral = false;
  /** Initiator: some authentic packet came back after msg3, so the responder has confirmed too. */
  acked = false;
  /** Responder: authentic frames that arrived before msg3 (reordering, or msg3 lost), delivered on confirm; made on first use. */
  early?: Frame[];
  attempts = 0;
  timer?: TimerId;
  /** This session's in-session rekey, if one started (made on first use). */
  rekey?: RekeyState;
  /**
   * The public half of this node's NodeID key the session authenticated (the key its handshake ran under, inherited
   * by in-session successors): after a NodeID rotation, sessions under the old key renew only by a handshake.
   */
  localIdentityPub?: Uint8Array;
  /** Made by an in-session rekey of `predecessor` (no static-key handshake of its own); retired once this confirms. */
  predecessor?: Session;
  lastActivityMs: number;
  /**
   * When the manager took this session in (its handshake's start): its key's age for time-based rekeying
   * (rekeyAfterMs). A field, not a WeakMap beside the sessions (issue 14: that table was ~1.3 KB per DHT node).
   */
  bornMs?: number;
  /** One buffer for this session's keys and ids (session-material.ts); the ciphers hold views into it. */
  readonly material: Uint8Array;

  /** `peer` is shared with the manager's per-peer state (one per peer, not per session). */
  constructor(
    readonly role: SessionRole,
    readonly peer: KeyedPeer,
    localConnId: Uint8Array,
    readonly localConnIdHex: string,
    nowMs: number,
  ) {
    this.state = role === 'initiator' ? 'initiating' : 'awaiting-confirm';
    this.lastActivityMs = nowMs;
    this.material = sessionMaterial(role);
    keepInSlot(this.material, 'localConnId', localConnId);
  }

  /** The peer's key in the manager's `peers` map (held by `peer`: no field of its own). */
  get peerKey(): string {
    return this.peer.key;
  }

  /** The connId this node chose for receiving (a view made on demand: only a cookie reply needs the bytes again). */
  get localConnId(): Uint8Array {
    return slotView(this.material, 'localConnId');
  }

  /** Initiator: keeps msg2's ES field as received (a copy in `material`). */
  keepResponderEphemeral(field: Uint8Array): void {
    keepInSlot(this.material, 'responderEphemeral', field);
    this.hasResponderEphemeral = true;
  }

  /** Initiator: whether `field` is the ES field of the msg2 this session accepted. */
  isResponderEphemeral(field: Uint8Array): boolean {
    return this.hasResponderEphemeral && slotHolds(this.material, 'responderEphemeral', field);
  }

  /** True when application frames may be sealed now. */
  canSend(): boolean {
    return this.state === 'established' && this.send !== undefined && !this.send.exhausted();
  }

  /** Erases every key this session holds (forward secrecy depends on it) and marks it closed. */
  destroy(): void {
    this.state = 'closed';
    this.send?.destroy();
    this.receive?.destroy();
    this.initiator?.ephemeral.privateKey.fill(0);
    this.initiator = undefined;
    if (this.rekey?.kind === 'offered') this.rekey.ephemeral.privateKey.fill(0);
    this.rekey = undefined;
    this.predecessor = undefined;
    this.eraseHandshakeKeys();
    this.early = undefined;
  }

  /** After confirmation the MAC keys are no longer needed (ecmqv.ts: "discard after confirmation"). */
  eraseHandshakeKeys(): void {
    if (this.responder) {
      this.responder.keys.confirmInitiator.fill(0);
      this.responder.keys.confirmResponder.fill(0);
      this.responder = undefined;
    }
  }
}
