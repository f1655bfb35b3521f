/**
 * The paratox session handshake: three messages, ECMQV C(2e, 2s) key agreement (SP 800-56A §6.1.1.4) with
 * bilateral key confirmation (§5.9.1). Pure functions: the state machine around them is session-manager.ts.
 *
 *   msg1 init      I -> R  ES(EI) || AEAD_k1( SI || timestampMs || cI || hkI )             k1 = KDF(ECDH(eI, SR))
 *   (msg1 + mac2   I -> R  the same, 16 bytes less padding, then mac2 = MAC(cookie, msg1); sent after a
 *                          cookie reply from a responder under load: cookie.ts, packet/cookie-packet.ts)
 *   msg2 response  R -> I  mask_hkI(cI || 0) || ES(ER) || AEAD_k2( cR || tagR || hkR )    k2 = KDF(ECDH(eR, EI))
 *   msg3 confirm   I -> R  data packet on cR, type HANDSHAKE_CONFIRM, body tagI            (session key i->r)
 *   (ack           R -> I  data packet on cI, type HANDSHAKE_ACK: stops I resending msg3)
 *
 * cI / cR: 8-byte connIds each side picks for receiving; EI / ER ephemeral keys; SI / SR static NodeID keys;
 * ES(.): Elligator Squared, 64 uniform-looking bytes (crypto/elligator-squared.ts); hkI / hkR: each node's
 * header-protection key (packet/header-protection.ts), under which its peers mask every connId || seq they
 * send it. The envelope keys and the transcript use the SEC 1 points, so ES changes no key.
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
 * What Eve (a global passive observer) sees: every packet is exactly the wire size and, byte for byte, looks
 * uniformly random: msg1 is ES bytes then ciphertext; msg2 and data packets are a masked 16-byte header then
 * ES bytes or ciphertext. She cannot tell a handshake from data, nor link two packets by their bytes; what
 * she keeps is timing, sizes ('variable' mode) and addresses (packet/README.md). A peer that completed a
 * handshake with R knows hkR and can unmask the headers of every packet sent to R. Under load she also sees
 * cookie replies (a random nonce, then ciphertext: uniform too, packet/cookie-packet.ts) and the inits with
 * mac2 that follow them (an HMAC output as the last 16 bytes), all of the wire size.
 */
import { confirmationTag, transcriptFor, deriveSessionKeys, verifyConfirmationTag, type MqvTranscript, type SessionKeys } from '../crypto/ecmqv.ts';
import { CryptoError, type CryptoSuite, type KeyPair } from '../crypto/suite.ts';
import { asciiBytes, concatBytes, readU64, writeU64 } from '../packet/bytes.ts';
import { elligatorSquaredDecode, elligatorSquaredEncode } from '../crypto/elligator-squared.ts';
import { CONN_ID_BYTES, DATA_HEADER_BYTES, EPHEMERAL_FIELD_BYTES, INIT_HEAD_BYTES, RESPONSE_HEAD_BYTES, type PaddingMode } from '../packet/constants.ts';
import { MAC2_BYTES, withMac2 } from '../packet/cookie-packet.ts';
import { decoded, rejected, type DecodeResult } from '../packet/errors.ts';
import { openHandshakePacket, parseHandshakeHead, sealHandshakePacket } from '../packet/handshake-packet.ts';
import { HEADER_KEY_BYTES, toggleHeaderMask } from '../packet/header-protection.ts';
import type { Rng } from '../runtime/rng.ts';

export const HANDSHAKE_LABEL = 'paratox/v1/handshake';
const SALT = asciiBytes(HANDSHAKE_LABEL);
const STATIC_PUB_BYTES = 33;
const TIMESTAMP_BYTES = 8;
const TAG_BYTES = 32;
export const INIT_PLAINTEXT_BYTES = STATIC_PUB_BYTES + TIMESTAMP_BYTES + CONN_ID_BYTES + HEADER_KEY_BYTES;
export const RESPONSE_PLAINTEXT_BYTES = CONN_ID_BYTES + TAG_BYTES + HEADER_KEY_BYTES;
const INIT_CONN_ID_OFFSET = STATIC_PUB_BYTES + TIMESTAMP_BYTES;
const INIT_HEADER_KEY_OFFSET = INIT_CONN_ID_OFFSET + CONN_ID_BYTES;

export interface HandshakeContext {
  readonly suite: CryptoSuite;
  readonly rng: Rng;
  readonly wireSize: number;
  readonly paddingMode: PaddingMode;
}

/** name || 0x00, the start of each envelope key's info, built once. */
const ENVELOPE_INFO_PREFIX = {
  init: concatBytes(asciiBytes('init'), Uint8Array.of(0)),
  response: concatBytes(asciiBytes('response'), Uint8Array.of(0)),
} as const;

/** Envelope key of msg1 or msg2: HKDF-SHA256(ECDH, salt = label, info = name || 0x00 || both public keys). */
function envelopeKey(suite: CryptoSuite, name: 'init' | 'response', z: Uint8Array, a: Uint8Array, b: Uint8Array): Uint8Array {
  return suite.hkdf(z, SALT, concatBytes(ENVELOPE_INFO_PREFIX[name], a, b), 32);
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
  args: { localConnId: Uint8Array; staticKey: KeyPair; peerStaticPub: Uint8Array; nowMs: number; headerKey: Uint8Array; cookie?: Uint8Array },
): InitiatorHandshake {
  const ephemeral = ctx.suite.generateKeyPair(ctx.rng);
  const k1 = envelopeKey(ctx.suite, 'init', ctx.suite.ecdh(ephemeral.privateKey, args.peerStaticPub), ephemeral.publicKey, args.peerStaticPub);
  const plaintext = new Uint8Array(INIT_PLAINTEXT_BYTES);
  plaintext.set(args.staticKey.publicKey, 0);
  writeU64(plaintext, STATIC_PUB_BYTES, Math.max(0, Math.floor(args.nowMs)));
  plaintext.set(args.localConnId, INIT_CONN_ID_OFFSET);
  plaintext.set(args.headerKey, INIT_HEADER_KEY_OFFSET);
  const head = elligatorSquaredEncode(ephemeral.publicKey, ctx.rng);
  const { cookie } = args;
  const sealed = sealHandshakePacket(ctx.suite, k1, head, plaintext, { ...ctx, trailerBytes: cookie ? MAC2_BYTES : 0 });
  const packet = cookie ? withMac2(ctx.suite, sealed, cookie) : sealed;
  return { localConnId: args.localConnId, staticKey: args.staticKey, ephemeral, peerStaticPub: args.peerStaticPub, packet, ...(cookie && { cookie }) };
}

export interface ReceivedInit {
  readonly initiatorConnId: Uint8Array;
  /** The key the initiator's headers are masked under: msg2 and every later packet to it. */
  readonly initiatorHeaderKey: Uint8Array;
  readonly initiatorEphemeralPub: Uint8Array;
  readonly initiatorStaticPub: Uint8Array;
  readonly timestampMs: number;
}

/** msg1's head decoded once: its wire bytes (the replay-guard key) and the ephemeral point. */
export interface InitHead {
  readonly field: Uint8Array;
  readonly ephemeralPub: Uint8Array;
}

/**
 * Length gate of msg1 and its ES field as sent, not yet decoded: cheap (a copy), so the responder keys its
 * replay and half-open tables by it and measures load before it spends the decoding (2 SSWU maps + 1 point
 * addition) or any ECDH. A retransmission repeats the field; a re-encoding of the same point fails the AEAD
 * (the field is its AAD). Never throws.
 */
export function parseInitField(ctx: HandshakeContext, bytes: Uint8Array): DecodeResult<Uint8Array> {
  return parseHandshakeHead(bytes, INIT_HEAD_BYTES, INIT_PLAINTEXT_BYTES, ctx);
}

/**
 * Elligator Squared decoding of msg1's field. Never throws: 'unknown-session' when it does not decode to a
 * point (random bytes do ~2^-31 of the time for a half >= p; otherwise ES decodes ANY 64 bytes to some point,
 * so garbage usually gets as far as the AEAD check).
 */
export function decodeInitField(field: Uint8Array): DecodeResult<InitHead> {
  try {
    return decoded({ field, ephemeralPub: elligatorSquaredDecode(field) });
  } catch (e) {
    if (e instanceof CryptoError) return rejected('unknown-session', 'unknown connId and not a handshake init');
    throw e;
  }
}

/**
 * Tries `bytes` (as received: msg1 has no masked header) as msg1 addressed to `staticKey`, in each of
 * `layouts` in turn (one ECDH for all). Never throws. 'unknown-session' when the head is not a point
 * encoding, 'auth-failed' when it does not open under our key in any of the layouts.
 * `parsed`: decodeInitField's result, when the caller already has it (several live keys share one decoding).
 */
export function openInit(
  ctx: HandshakeContext,
  staticKey: KeyPair,
  bytes: Uint8Array,
  layouts: readonly InitLayout[] = ['plain'],
  parsed?: InitHead,
  /** ECDH(sR, EI) when the caller has it (it tried the datagram as a one-shot query first: one-shot.ts). */
  sharedSecret?: Uint8Array,
): DecodeResult<ReceivedInit & { readonly layout: InitLayout }> {
  let head = parsed;
  if (head === undefined) {
    const field = parseInitField(ctx, bytes);
    if (!field.ok) return field;
    const result = decodeInitField(field.value);
    if (!result.ok) return result;
    head = result.value;
  }
  const { ephemeralPub } = head;
  const z = sharedSecret ?? initSharedSecret(ctx, staticKey, head);
  if (z === undefined) return rejected('unknown-session', 'unknown connId and not a handshake init');
  const key = envelopeKey(ctx.suite, 'init', z, ephemeralPub, staticKey.publicKey);
  let plaintext: DecodeResult<Uint8Array> = rejected('auth-failed', 'no init layout to try');
  let layout: InitLayout = 'plain';
  for (layout of layouts) {
    plaintext = openHandshakePacket(ctx.suite, key, initBody(bytes, layout), INIT_HEAD_BYTES);
    if (plaintext.ok) break;
  }
  if (!plaintext.ok) return plaintext;
  if (plaintext.value.length < INIT_PLAINTEXT_BYTES) return rejected('truncated', `init plaintext of ${plaintext.value.length} bytes`);
  const timestampMs = readU64(plaintext.value, STATIC_PUB_BYTES);
  if (timestampMs < 0) return rejected('stale-handshake', 'init timestamp beyond 2^53 ms');
  return decoded({
    initiatorConnId: plaintext.value.slice(INIT_CONN_ID_OFFSET, INIT_CONN_ID_OFFSET + CONN_ID_BYTES),
    initiatorHeaderKey: plaintext.value.slice(INIT_HEADER_KEY_OFFSET, INIT_HEADER_KEY_OFFSET + HEADER_KEY_BYTES),
    initiatorEphemeralPub: ephemeralPub,
    initiatorStaticPub: plaintext.value.slice(0, STATIC_PUB_BYTES),
    timestampMs,
    layout,
  });
}

/** ECDH(sR, EI) for msg1 (or a one-shot query, whose head is msg1's); undefined when EI is not a valid point. */
export function initSharedSecret(ctx: HandshakeContext, staticKey: KeyPair, head: InitHead): Uint8Array | undefined {
  try {
    return ctx.suite.ecdh(staticKey.privateKey, head.ephemeralPub);
  } catch (e) {
    if (e instanceof CryptoError) return undefined;
    throw e;
  }
}

// ---- msg2: response ---------------------------------------------------------------------------------------

export interface ResponderHandshake {
  readonly localConnId: Uint8Array;
  readonly keys: SessionKeys;
  readonly transcript: MqvTranscript;
  /** msg2 exactly as sent (header masked); resent verbatim when the same init arrives again while we wait for msg3. */
  readonly packet: Uint8Array;
}

/** Runs ECMQV as responder and builds msg2. 'bad-handshake' if the initiator's static key is invalid. */
export function createResponse(
  ctx: HandshakeContext,
  args: { init: ReceivedInit; staticKey: KeyPair; localConnId: Uint8Array; headerKey: Uint8Array },
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
    initiatorHeaderKey: init.initiatorHeaderKey,
    initiatorEphemeralPub: init.initiatorEphemeralPub,
    ephemeral,
    content: { responderConnId: args.localConnId, tag: confirmationTag(ctx.suite, 'responder', keys, transcript), headerKey: args.headerKey },
  });
  // The ephemeral private key is not kept: Z is all the responder needs, and erasing it is what gives PFS.
  ephemeral.privateKey.fill(0);
  return decoded({ localConnId: args.localConnId, keys, transcript, packet });
}

export interface ResponseContent {
  readonly responderConnId: Uint8Array;
  /** The responder's key-confirmation tag. */
  readonly tag: Uint8Array;
  /** The responder's header key: the initiator masks every packet to it under this. */
  readonly headerKey: Uint8Array;
}

/**
 * msg2's envelope alone: keyed by the two ephemerals, so it hides its content from Eve but proves nothing
 * (exported for tests that play a man in the middle: he can open and re-seal it, and still fails).
 */
export function sealResponseEnvelope(
  ctx: HandshakeContext,
  args: { initiatorConnId: Uint8Array; initiatorHeaderKey: Uint8Array; initiatorEphemeralPub: Uint8Array; ephemeral: KeyPair; content: ResponseContent },
): Uint8Array {
  const { ephemeral, initiatorEphemeralPub } = args;
  const k2 = envelopeKey(ctx.suite, 'response', ctx.suite.ecdh(ephemeral.privateKey, initiatorEphemeralPub), initiatorEphemeralPub, ephemeral.publicKey);
  const plaintext = concatBytes(args.content.responderConnId, args.content.tag, args.content.headerKey);
  // Clear head: cI || seq 0 || ES(ER); the seq field is there so the head has a data packet's shape.
  const head = new Uint8Array(RESPONSE_HEAD_BYTES);
  head.set(args.initiatorConnId, 0);
  head.set(elligatorSquaredEncode(ephemeral.publicKey, ctx.rng), DATA_HEADER_BYTES);
  return toggleHeaderMask(ctx.suite, args.initiatorHeaderKey, sealHandshakePacket(ctx.suite, k2, head, plaintext, ctx));
}

/**
 * Opens msg2's envelope with the initiator's ephemeral key. `bytes` is the clear form: the receiver unmasked
 * the header with its own header key before it found the pending handshake by connId. Never throws.
 */
export function openResponseEnvelope(
  ctx: HandshakeContext,
  initiatorEphemeral: KeyPair,
  bytes: Uint8Array,
): DecodeResult<ResponseContent & { readonly responderEphemeralPub: Uint8Array; readonly responderEphemeralField: Uint8Array }> {
  const head = parseHandshakeHead(bytes, RESPONSE_HEAD_BYTES, RESPONSE_PLAINTEXT_BYTES, ctx);
  if (!head.ok) return head;
  const responderEphemeralField = head.value.slice(EPHEMERAL_FIELD.offset);
  let responderEphemeralPub: Uint8Array;
  let ee: Uint8Array;
  try {
    responderEphemeralPub = elligatorSquaredDecode(responderEphemeralField);
    ee = ctx.suite.ecdh(initiatorEphemeral.privateKey, responderEphemeralPub);
  } catch (e) {
    if (e instanceof CryptoError) return rejected('bad-handshake', `response rejected: ${e.message}`);
    throw e;
  }
  const key = envelopeKey(ctx.suite, 'response', ee, initiatorEphemeral.publicKey, responderEphemeralPub);
  const plaintext = openHandshakePacket(ctx.suite, key, bytes, RESPONSE_HEAD_BYTES);
  if (!plaintext.ok) return plaintext;
  return decoded({
    responderEphemeralPub,
    responderEphemeralField,
    responderConnId: plaintext.value.slice(0, CONN_ID_BYTES),
    tag: plaintext.value.slice(CONN_ID_BYTES, CONN_ID_BYTES + TAG_BYTES),
    headerKey: plaintext.value.slice(CONN_ID_BYTES + TAG_BYTES, CONN_ID_BYTES + TAG_BYTES + HEADER_KEY_BYTES),
  });
}

export interface InitiatorResult {
  readonly remoteConnId: Uint8Array;
  /** The responder's header key, to mask every packet sent to it. */
  readonly remoteHeaderKey: Uint8Array;
  /** msg2's ES field as received, to recognise a duplicate msg2 after establishment. */
  readonly responderEphemeralField: Uint8Array;
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
  const { responderEphemeralPub, responderEphemeralField, responderConnId, tag, headerKey } = envelope.value;
  const input = { ownStatic: hs.staticKey, ownEphemeral: hs.ephemeral, peerStaticPub: hs.peerStaticPub, peerEphemeralPub: responderEphemeralPub };
  try {
    const transcript = transcriptFor('initiator', input);
    const keys = deriveSessionKeys(ctx.suite, ctx.suite.ecmqv(input), transcript);
    if (!verifyConfirmationTag(ctx.suite, 'responder', keys, transcript, tag)) {
      return rejected('bad-confirmation', "responder's key-confirmation tag does not match");
    }
    return decoded({
      remoteConnId: responderConnId,
      remoteHeaderKey: headerKey,
      responderEphemeralField,
      keys,
      transcript,
      confirmTag: confirmationTag(ctx.suite, 'initiator', keys, transcript),
    });
  } catch (e) {
    if (e instanceof CryptoError) return rejected('bad-handshake', `response rejected: ${e.message}`);
    throw e;
  }
}

/** The responder's check of msg3's body. */
export function verifyInitiatorTag(suite: CryptoSuite, responder: ResponderHandshake, tag: Uint8Array): boolean {
  return verifyConfirmationTag(suite, 'initiator', responder.keys, responder.transcript, tag);
}

/** Byte offset and length of the responder's ES-encoded ephemeral key in msg2 (for duplicate detection). */
export const EPHEMERAL_FIELD = { offset: DATA_HEADER_BYTES, length: EPHEMERAL_FIELD_BYTES } as const;
