/**
 * The paratox session handshake: three messages, ECMQV C(2e, 2s) key agreement (SP 800-56A §6.1.1.4) with
 * bilateral key confirmation (§5.9.1). Pure functions: the state machine around them is session-manager.ts.
 *
 *   msg1 init      I -> R  cI || EI || AEAD_k1( SI || timestampMs )                       k1 = KDF(ECDH(eI, SR))
 *   (msg1 + mac2   I -> R  the same, 16 bytes less padding, then mac2 = MAC(cookie, msg1); sent after a
 *                          cookie reply from a responder under load: cookie.ts, packet/cookie-packet.ts)
 *   msg2 response  R -> I  cI || ER || AEAD_k2( cR || tagR )                              k2 = KDF(ECDH(eR, EI))
 *   msg3 confirm   I -> R  data packet on cR, type HANDSHAKE_CONFIRM, body tagI            (session key i->r)
 *   (ack           R -> I  data packet on cI, type HANDSHAKE_ACK: stops I resending msg3)
 *
 * cI / cR: 8-byte connIds each side picks for receiving; EI / ER ephemeral keys; SI / SR static NodeID keys.
 * Z = ECMQV(sI, eI, SR, ER) = ECMQV(sR, eR, SI, EI); keys and tags from ecmqv.ts (deriveSessionKeys,
 * confirmationTag) over the transcript (SI, EI, SR, ER).
 *
 * Why this shape:
 * - SI travels encrypted under ECDH(eI, SR), as in Noise IK: only the holder of sR learns who is calling.
 * - k2 depends on the ephemerals only, so it hides cR and tagR from Eve but authenticates nothing: a man in
 *   the middle CAN open and re-seal msg2; what he cannot do is produce tagR, which needs Z and thus sR and eR.
 *   The initiator therefore rejects him with 'bad-confirmation' (SP 800-56A §5.9.1), not a mere AEAD error.
 * - An impersonator without sR cannot read msg1, and any msg2 it forges fails confirmation.
 * - msg1 carries a timestamp; the responder accepts it only within a skew window and remembers EI for that
 *   window, so a replayed init does no ECMQV work and opens no session (session-manager.ts).
 *
 * What Eve (a global passive observer) sees: every packet is exactly the wire size; msg1 and msg2 show an
 * 8-byte connId and a 33-byte compressed point (first byte 0x02/0x03, where a data packet has the top byte
 * of its seq, always 0x00: so handshakes are distinguishable from data, and a point is checkably on the
 * curve); msg2 and
 * every later R->I packet repeat cI, every I->R data packet carries cR, and data packets show their seq in
 * clear, so she can link the packets of one session, count them per direction and time them, but not read
 * identities (static keys travel encrypted), payload types, body lengths or contents. Hiding which packets
 * are handshakes (an Elligator-style point encoding) and the seq is future work. Under load she also sees
 * cookie replies (cI and a random nonce in clear, packet/cookie-packet.ts) and the inits that follow them.
 */
import { confirmationTag, transcriptFor, deriveSessionKeys, verifyConfirmationTag, type MqvTranscript, type SessionKeys } from '../crypto/ecmqv.ts';
import { CryptoError, type CryptoSuite, type KeyPair } from '../crypto/suite.ts';
import { asciiBytes, concatBytes, readU64, writeU64 } from '../packet/bytes.ts';
import { CONN_ID_BYTES, EPHEMERAL_PUB_BYTES, type PaddingMode } from '../packet/constants.ts';
import { MAC2_BYTES, withMac2 } from '../packet/cookie-packet.ts';
import { decoded, rejected, type DecodeResult } from '../packet/errors.ts';
import { openHandshakePacket, parseHandshakeHeader, sealHandshakePacket } from '../packet/handshake-packet.ts';
import type { Rng } from '../runtime/rng.ts';

export const HANDSHAKE_LABEL = 'paratox/v1/handshake';
const SALT = asciiBytes(HANDSHAKE_LABEL);
const STATIC_PUB_BYTES = 33;
const TIMESTAMP_BYTES = 8;
const TAG_BYTES = 32;
export const INIT_PLAINTEXT_BYTES = STATIC_PUB_BYTES + TIMESTAMP_BYTES;
export const RESPONSE_PLAINTEXT_BYTES = CONN_ID_BYTES + TAG_BYTES;

export interface HandshakeContext {
  readonly suite: CryptoSuite;
  readonly rng: Rng;
  readonly wireSize: number;
  readonly paddingMode: PaddingMode;
}

/** Envelope key of msg1 or msg2: HKDF-SHA256(ECDH, salt = label, info = name || 0x00 || both public keys). */
function envelopeKey(suite: CryptoSuite, name: 'init' | 'response', z: Uint8Array, a: Uint8Array, b: Uint8Array): Uint8Array {
  return suite.hkdf(z, SALT, concatBytes(asciiBytes(name), Uint8Array.of(0), a, b), 32);
}

// ---- msg1: init -------------------------------------------------------------------------------------------

export interface InitiatorHandshake {
  readonly localConnId: Uint8Array;
  readonly staticKey: KeyPair;
  readonly ephemeral: KeyPair;
  readonly peerStaticPub: Uint8Array;
  /** msg1 exactly as sent; a retransmission resends these bytes (one key, one nonce, one plaintext). */
  readonly packet: Uint8Array;
  /** The responder's cookie this msg1 carries a mac2 under (the 'mac2' layout); absent: the 'plain' layout. */
  readonly cookie?: Uint8Array;
}

/**
 * How msg1 ends: 'plain', with its AEAD tag; 'mac2', with a mac2 trailer after the tag (cookie-packet.ts).
 * Both are the wire size; only a valid mac2 (or trying to open both) tells them apart.
 */
export type InitLayout = 'plain' | 'mac2';

/** msg1 without its trailer: what the AEAD covers, and what identifies a retransmission. */
export function initBody(bytes: Uint8Array, layout: InitLayout): Uint8Array {
  return layout === 'mac2' ? bytes.subarray(0, bytes.length - MAC2_BYTES) : bytes;
}

/**
 * Builds msg1, with a mac2 under `cookie` when given. Throws CryptoError if `peerStaticPub` is not a valid
 * P-256 point. Each call draws a fresh ephemeral key: an init carrying a new cookie is a new msg1, never the
 * old plaintext re-sealed under the old key (GCM must not see one key and nonce twice).
 */
export function createInit(
  ctx: HandshakeContext,
  args: { localConnId: Uint8Array; staticKey: KeyPair; peerStaticPub: Uint8Array; nowMs: number; cookie?: Uint8Array },
): InitiatorHandshake {
  const ephemeral = ctx.suite.generateKeyPair(ctx.rng);
  const k1 = envelopeKey(ctx.suite, 'init', ctx.suite.ecdh(ephemeral.privateKey, args.peerStaticPub), ephemeral.publicKey, args.peerStaticPub);
  const plaintext = new Uint8Array(INIT_PLAINTEXT_BYTES);
  plaintext.set(args.staticKey.publicKey, 0);
  writeU64(plaintext, STATIC_PUB_BYTES, Math.max(0, Math.floor(args.nowMs)));
  const header = { connId: args.localConnId, ephemeralPub: ephemeral.publicKey };
  const { cookie } = args;
  const sealed = sealHandshakePacket(ctx.suite, k1, header, plaintext, { ...ctx, trailerBytes: cookie ? MAC2_BYTES : 0 });
  const packet = cookie ? withMac2(ctx.suite, sealed, cookie) : sealed;
  return { localConnId: args.localConnId, staticKey: args.staticKey, ephemeral, peerStaticPub: args.peerStaticPub, packet, ...(cookie && { cookie }) };
}

export interface ReceivedInit {
  readonly initiatorConnId: Uint8Array;
  readonly initiatorEphemeralPub: Uint8Array;
  readonly initiatorStaticPub: Uint8Array;
  readonly timestampMs: number;
}

/**
 * Tries `bytes` as msg1 addressed to `staticKey`, in each of `layouts` in turn (one ECDH for all). Never
 * throws. 'unknown-session' when the header is not a handshake at all (no valid ephemeral point),
 * 'auth-failed' when it is but does not open under our key in any of the layouts.
 */
export function openInit(
  ctx: HandshakeContext,
  staticKey: KeyPair,
  bytes: Uint8Array,
  layouts: readonly InitLayout[] = ['plain'],
): DecodeResult<ReceivedInit & { readonly layout: InitLayout }> {
  const header = parseHandshakeHeader(bytes, INIT_PLAINTEXT_BYTES, ctx);
  if (!header.ok) return header;
  const { connId, ephemeralPub } = header.value;
  let z: Uint8Array;
  try {
    z = ctx.suite.ecdh(staticKey.privateKey, ephemeralPub);
  } catch (e) {
    if (e instanceof CryptoError) return rejected('unknown-session', 'unknown connId and not a handshake init');
    throw e;
  }
  const key = envelopeKey(ctx.suite, 'init', z, ephemeralPub, staticKey.publicKey);
  let plaintext: DecodeResult<Uint8Array> = rejected('auth-failed', 'no init layout to try');
  let layout: InitLayout = 'plain';
  for (layout of layouts) {
    plaintext = openHandshakePacket(ctx.suite, key, initBody(bytes, layout));
    if (plaintext.ok) break;
  }
  if (!plaintext.ok) return plaintext;
  if (plaintext.value.length < INIT_PLAINTEXT_BYTES) return rejected('truncated', `init plaintext of ${plaintext.value.length} bytes`);
  const timestampMs = readU64(plaintext.value, STATIC_PUB_BYTES);
  if (timestampMs < 0) return rejected('stale-handshake', 'init timestamp beyond 2^53 ms');
  return decoded({
    initiatorConnId: connId,
    initiatorEphemeralPub: ephemeralPub,
    initiatorStaticPub: plaintext.value.slice(0, STATIC_PUB_BYTES),
    timestampMs,
    layout,
  });
}

// ---- msg2: response ---------------------------------------------------------------------------------------

export interface ResponderHandshake {
  readonly localConnId: Uint8Array;
  readonly keys: SessionKeys;
  readonly transcript: MqvTranscript;
  /** msg2 exactly as sent; resent verbatim when the same init arrives again while we wait for msg3. */
  readonly packet: Uint8Array;
}

/** Runs ECMQV as responder and builds msg2. 'bad-handshake' if the initiator's static key is invalid. */
export function createResponse(
  ctx: HandshakeContext,
  args: { init: ReceivedInit; staticKey: KeyPair; localConnId: Uint8Array },
): DecodeResult<ResponderHandshake> {
  const { init, staticKey } = args;
  const ephemeral = ctx.suite.generateKeyPair(ctx.rng);
  const input = { ownStatic: staticKey, ownEphemeral: ephemeral, peerStaticPub: init.initiatorStaticPub, peerEphemeralPub: init.initiatorEphemeralPub };
  let keys: SessionKeys;
  let transcript: MqvTranscript;
  try {
    transcript = transcriptFor('responder', input);
    keys = deriveSessionKeys(ctx.suite, ctx.suite.ecmqv(input), transcript);
  } catch (e) {
    if (e instanceof CryptoError) return rejected('bad-handshake', `init rejected: ${e.message}`);
    throw e;
  }
  const packet = sealResponseEnvelope(ctx, {
    initiatorConnId: init.initiatorConnId,
    initiatorEphemeralPub: init.initiatorEphemeralPub,
    ephemeral,
    content: { responderConnId: args.localConnId, tag: confirmationTag(ctx.suite, 'responder', keys, transcript) },
  });
  // The ephemeral private key is not kept: Z is all the responder needs, and erasing it is what gives PFS.
  ephemeral.privateKey.fill(0);
  return decoded({ localConnId: args.localConnId, keys, transcript, packet });
}

export interface ResponseContent {
  readonly responderConnId: Uint8Array;
  /** The responder's key-confirmation tag. */
  readonly tag: Uint8Array;
}

/**
 * msg2's envelope alone: keyed by the two ephemerals, so it hides its content from Eve but proves nothing
 * (exported for tests that play a man in the middle: he can open and re-seal it, and still fails).
 */
export function sealResponseEnvelope(
  ctx: HandshakeContext,
  args: { initiatorConnId: Uint8Array; initiatorEphemeralPub: Uint8Array; ephemeral: KeyPair; content: ResponseContent },
): Uint8Array {
  const { ephemeral, initiatorEphemeralPub } = args;
  const k2 = envelopeKey(ctx.suite, 'response', ctx.suite.ecdh(ephemeral.privateKey, initiatorEphemeralPub), initiatorEphemeralPub, ephemeral.publicKey);
  const plaintext = concatBytes(args.content.responderConnId, args.content.tag);
  return sealHandshakePacket(ctx.suite, k2, { connId: args.initiatorConnId, ephemeralPub: ephemeral.publicKey }, plaintext, ctx);
}

/** Opens msg2's envelope with the initiator's ephemeral key. Never throws. */
export function openResponseEnvelope(
  ctx: HandshakeContext,
  initiatorEphemeral: KeyPair,
  bytes: Uint8Array,
): DecodeResult<ResponseContent & { readonly responderEphemeralPub: Uint8Array }> {
  const header = parseHandshakeHeader(bytes, RESPONSE_PLAINTEXT_BYTES, ctx);
  if (!header.ok) return header;
  const responderEphemeralPub = header.value.ephemeralPub;
  let ee: Uint8Array;
  try {
    ee = ctx.suite.ecdh(initiatorEphemeral.privateKey, responderEphemeralPub);
  } catch (e) {
    if (e instanceof CryptoError) return rejected('bad-handshake', `response rejected: ${e.message}`);
    throw e;
  }
  const plaintext = openHandshakePacket(ctx.suite, envelopeKey(ctx.suite, 'response', ee, initiatorEphemeral.publicKey, responderEphemeralPub), bytes);
  if (!plaintext.ok) return plaintext;
  return decoded({
    responderEphemeralPub,
    responderConnId: plaintext.value.slice(0, CONN_ID_BYTES),
    tag: plaintext.value.slice(CONN_ID_BYTES, CONN_ID_BYTES + TAG_BYTES),
  });
}

export interface InitiatorResult {
  readonly remoteConnId: Uint8Array;
  readonly keys: SessionKeys;
  readonly transcript: MqvTranscript;
  /** The initiator's confirmation tag, sent in msg3. */
  readonly confirmTag: Uint8Array;
}

/**
 * Opens msg2 for a pending init, runs ECMQV as initiator and checks the responder's tag. Never throws:
 * 'auth-failed' (envelope does not open), 'bad-handshake' (bad point), 'bad-confirmation' (tag mismatch:
 * wrong static key behind the address, or a man in the middle who swapped an ephemeral key).
 */
export function openResponse(ctx: HandshakeContext, hs: InitiatorHandshake, bytes: Uint8Array): DecodeResult<InitiatorResult> {
  const envelope = openResponseEnvelope(ctx, hs.ephemeral, bytes);
  if (!envelope.ok) return envelope;
  const { responderEphemeralPub, responderConnId, tag } = envelope.value;
  const input = { ownStatic: hs.staticKey, ownEphemeral: hs.ephemeral, peerStaticPub: hs.peerStaticPub, peerEphemeralPub: responderEphemeralPub };
  try {
    const transcript = transcriptFor('initiator', input);
    const keys = deriveSessionKeys(ctx.suite, ctx.suite.ecmqv(input), transcript);
    if (!verifyConfirmationTag(ctx.suite, 'responder', keys, transcript, tag)) {
      return rejected('bad-confirmation', "responder's key-confirmation tag does not match");
    }
    return decoded({ remoteConnId: responderConnId, keys, transcript, confirmTag: confirmationTag(ctx.suite, 'initiator', keys, transcript) });
  } catch (e) {
    if (e instanceof CryptoError) return rejected('bad-handshake', `response rejected: ${e.message}`);
    throw e;
  }
}

/** The responder's check of msg3's body. */
export function verifyInitiatorTag(suite: CryptoSuite, responder: ResponderHandshake, tag: Uint8Array): boolean {
  return verifyConfirmationTag(suite, 'initiator', responder.keys, responder.transcript, tag);
}

/** Byte offset and length of the ephemeral key in a handshake packet (for duplicate detection). */
export const EPHEMERAL_FIELD = { offset: CONN_ID_BYTES, length: EPHEMERAL_PUB_BYTES } as const;
