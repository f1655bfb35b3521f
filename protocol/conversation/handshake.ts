/**
 * The end-to-end conversation handshake between two AccountIDs over a Channel: three messages, ECMQV
 * C(2e, 2s) key agreement (SP 800-56A §6.1.1.4) on the account keys with bilateral key confirmation (§5.9.1).
 * Pure functions; the state machine around them is e2e-session.ts. Modelled on protocol/session/handshake.ts.
 *
 *   msg1 INIT      A -> B  ECIES_to_SB( SA || EA || timestampMs )
 *   msg2 RESPONSE  B -> A  ER || tagR
 *   msg3 CONFIRM   A -> B  tagI                      (B answers with a READY record: stops A resending msg3)
 *
 * Z = ECMQV(sA, eA, SB, EB) = ECMQV(sB, eB, SA, EA); keys and tags over the transcript (SA, EA, SB, ER), with
 * this layer's own HKDF label, so conversation keys never equal node-session keys made from the same Z.
 *
 * Why this shape:
 * - SA and EA travel inside ECIES to Bob's account key: the rendezvous point (which carries every byte) and
 *   the relays learn neither who Alice is nor her ephemeral, so they cannot link her conversations or test a
 *   guess against tagR (which needs Z, thus a static private key).
 * - Only Bob can open msg1 and compute Z; only Alice (holding sA and eA) can check tagR and produce tagI. A
 *   forged or swapped msg2 fails 'bad-confirmation' and is dropped (Alice keeps waiting for the real one); a
 *   stranger can open a conversation to Bob under its own account key, never under someone else's.
 * - Replays: msg1 has a timestamp accepted within a skew window, and Bob remembers EA for twice that window
 *   (InitGuard), so a recorded msg1 opens no second session. A replayed msg3 or RESPONSE on another channel
 *   belongs to no handshake there and is dropped.
 * - Forward secrecy: both ephemeral private keys are zeroed as soon as the session keys exist, the
 *   confirmation keys right after confirmation; whoever steals sA or sB later cannot recompute Z.
 */
import { confirmationTag, transcriptFor, verifyConfirmationTag, type MqvTranscript, type SessionKeys } from '../crypto/ecmqv.ts';
import { eciesOpen, eciesSeal } from '../crypto/ecies.ts';
import { concatBytes, utf8 } from '../crypto/bytes.ts';
import { CryptoError, type CryptoSuite, type KeyPair } from '../crypto/suite.ts';
import type { Rng } from '../runtime/rng.ts';
import {
  decodeConfirm,
  decodeInitPlaintext,
  decodeResponse,
  encodeConfirm,
  encodeInitPlaintext,
  encodeResponse,
  fail,
  INIT_BYTES,
  ok,
  PayloadKind,
  type Decoded,
  type InitPlaintext,
} from './wire.ts';

export const CONVERSATION_LABEL = 'paratox/v1/conversation';
const INIT_AAD = Uint8Array.of(PayloadKind.INIT);
const KEY_BYTES = 32;
const SESSION_ID_BYTES = 8;

export interface HandshakeContext {
  readonly suite: CryptoSuite;
  readonly rng: Rng;
}

/**
 * SP 800-56C rev. 2 §5 two-step HKDF-SHA256: salt = label, info = label || 0x00 || SA || EA || SB || EB (both
 * identities and both ephemerals in role order; fixed 33-byte fields, so the concatenation is unambiguous).
 * The same OKM layout as ecmqv.ts's deriveSessionKeys, so its confirmationTag applies unchanged.
 */
export function deriveConversationKeys(suite: CryptoSuite, z: Uint8Array, t: MqvTranscript): SessionKeys {
  if (z.length !== KEY_BYTES) throw new CryptoError('bad-length', 'MQV shared secret Z must be 32 bytes');
  const label = utf8(CONVERSATION_LABEL);
  const info = concatBytes(label, Uint8Array.of(0), t.initiatorStaticPub, t.initiatorEphemeralPub, t.responderStaticPub, t.responderEphemeralPub);
  const okm = suite.hkdf(z, label, info, 4 * KEY_BYTES + SESSION_ID_BYTES);
  const at = (i: number, n = KEY_BYTES) => okm.slice(i * KEY_BYTES, i * KEY_BYTES + n);
  return { initiatorToResponder: at(0), responderToInitiator: at(1), confirmInitiator: at(2), confirmResponder: at(3), sessionId: at(4, SESSION_ID_BYTES) };
}

function agree(suite: CryptoSuite, role: 'initiator' | 'responder', input: Parameters<CryptoSuite['ecmqv']>[0]) {
  const transcript = transcriptFor(role, input);
  return { transcript, keys: deriveConversationKeys(suite, suite.ecmqv(input), transcript) };
}

// ---- msg1: init -------------------------------------------------------------------------------------------

export interface InitiatorHandshake {
  readonly account: KeyPair;
  readonly ephemeral: KeyPair;
  readonly peerAccountPub: Uint8Array;
  /** msg1 exactly as sent; a retransmission resends these bytes, so Bob can tell it from a replay. */
  readonly packet: Uint8Array;
}

/** Builds msg1. Throws CryptoError if `peerAccountPub` is not a valid P-256 point. */
export function createInit(ctx: HandshakeContext, args: { account: KeyPair; peerAccountPub: Uint8Array; nowMs: number }): InitiatorHandshake {
  const ephemeral = ctx.suite.generateKeyPair(ctx.rng);
  const plaintext = encodeInitPlaintext({ initiatorStaticPub: args.account.publicKey, initiatorEphemeralPub: ephemeral.publicKey, timestampMs: args.nowMs });
  const packet = concatBytes(INIT_AAD, eciesSeal(ctx.suite, ctx.rng, args.peerAccountPub, plaintext, INIT_AAD));
  return { account: args.account, ephemeral, peerAccountPub: args.peerAccountPub, packet };
}

/** Opens msg1 with our account key. Never throws: 'malformed', 'auth-failed', 'bad-handshake', 'stale-handshake'. */
export function openInit(ctx: HandshakeContext, account: KeyPair, bytes: Uint8Array): Decoded<InitPlaintext> {
  if (bytes.length !== INIT_BYTES || bytes[0] !== PayloadKind.INIT) return fail('malformed');
  let plaintext: Uint8Array;
  try {
    plaintext = eciesOpen(ctx.suite, account.privateKey, bytes.subarray(1), INIT_AAD);
  } catch (e) {
    if (e instanceof CryptoError) return fail(e.code === 'bad-point' ? 'bad-handshake' : 'auth-failed');
    throw e;
  }
  return decodeInitPlaintext(plaintext);
}

// ---- msg2: response ---------------------------------------------------------------------------------------

export interface ResponderHandshake {
  readonly keys: SessionKeys;
  readonly transcript: MqvTranscript;
  /** msg2 exactly as sent; resent verbatim when the same msg1 arrives again on the same channel. */
  readonly packet: Uint8Array;
}

/** Runs ECMQV as responder and builds msg2; erases the responder's ephemeral. 'bad-handshake' on a bad key. */
export function createResponse(ctx: HandshakeContext, args: { account: KeyPair; init: InitPlaintext }): Decoded<ResponderHandshake> {
  const ephemeral = ctx.suite.generateKeyPair(ctx.rng);
  const input = { ownStatic: args.account, ownEphemeral: ephemeral, peerStaticPub: args.init.initiatorStaticPub, peerEphemeralPub: args.init.initiatorEphemeralPub };
  try {
    const { keys, transcript } = agree(ctx.suite, 'responder', input);
    const packet = encodeResponse({ responderEphemeralPub: ephemeral.publicKey, tag: confirmationTag(ctx.suite, 'responder', keys, transcript) });
    return ok({ keys, transcript, packet });
  } catch (e) {
    if (e instanceof CryptoError) return fail('bad-handshake');
    throw e;
  } finally {
    ephemeral.privateKey.fill(0); // Z is all the responder needs; erasing eB is what gives PFS.
  }
}

export interface InitiatorResult {
  readonly keys: SessionKeys;
  readonly transcript: MqvTranscript;
  /** msg3, resent verbatim until a READY record arrives. */
  readonly confirmPacket: Uint8Array;
}

/**
 * Checks msg2 for a pending init: ECMQV as initiator, then the responder's tag. Never throws: 'malformed',
 * 'bad-handshake' (bad point), 'bad-confirmation' (tag mismatch: wrong account behind the channel, or forged).
 * Does not erase the ephemeral: a forged msg2 must not stop the real one from being checked.
 */
export function openResponse(ctx: HandshakeContext, hs: InitiatorHandshake, bytes: Uint8Array): Decoded<InitiatorResult> {
  const response = decodeResponse(bytes);
  if (!response.ok) return response;
  const input = { ownStatic: hs.account, ownEphemeral: hs.ephemeral, peerStaticPub: hs.peerAccountPub, peerEphemeralPub: response.value.responderEphemeralPub };
  try {
    const { keys, transcript } = agree(ctx.suite, 'initiator', input);
    if (!verifyConfirmationTag(ctx.suite, 'responder', keys, transcript, response.value.tag)) return fail('bad-confirmation');
    return ok({ keys, transcript, confirmPacket: encodeConfirm(confirmationTag(ctx.suite, 'initiator', keys, transcript)) });
  } catch (e) {
    if (e instanceof CryptoError) return fail('bad-handshake');
    throw e;
  }
}

/** The responder's check of msg3. */
export function verifyConfirm(suite: CryptoSuite, responder: ResponderHandshake, bytes: Uint8Array): Decoded<true> {
  const tag = decodeConfirm(bytes);
  if (!tag.ok) return tag;
  return verifyConfirmationTag(suite, 'initiator', responder.keys, responder.transcript, tag.value) ? ok(true) : fail('bad-confirmation');
}
