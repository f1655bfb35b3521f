/**
 * One-shot queries: one request and one reply to a node this node has no session with, without the three-message
 * handshake. Pure functions; the state around them (pending queries, reply channels) is in session-manager.ts.
 *
 *   query  I -> R  ES(E) || AEAD_k1( SI || timestampMs || cQ || hkI ) || AEAD_k2( type || len || body || padding )
 *   reply  R -> I  mask_hkI( cQ || seq 0 ) || AEAD_kr( type || len || body || padding )
 *
 *   es = ECDH(e, SR)   ss = ECDH(sI, SR)
 *   k1 = HKDF(es, label, 'query' || 0 || E || SR)
 *   k2 || kr = HKDF(es || ss, label, 'query-body' || 0 || E || SR || SI)
 *
 * The first message of Noise IK (e, es, s, ss) with the request as its payload, as WireGuard's initiation
 * carries its timestamp. Its head is msg1's (an Elligator Squared point, handshake.ts) and its identity part
 * holds msg1's fields, so before its ECDH a responder cannot tell the two apart (load meter, replay memory and
 * cookies apply alike); after it, by which key opens the datagram.
 *
 * Why (issue 14): a DHT lookup asks ~k nodes it has never talked to, and a full handshake to each costs both
 * sides ~4.4 ms of CPU (two Elligator encodings, two decodings, three ECDH-class operations and two ECMQVs) for
 * one request and one reply. A query costs one key generation, one encoding and two ECDH for the asker, one
 * decoding and two ECDH for the asked (~1.4 ms), and two datagrams instead of five.
 *
 * What it gives up, made visible (MessageProtection 'ik-one-shot'):
 * - No forward secrecy against the responder's NodeID key: whoever later holds sR recomputes es and ss from
 *   recorded bytes and reads the query and its reply. NodeIDs rotate (node-id-rotator.ts); until SR's key is
 *   erased, that is the exposure. A session's ECMQV with erased ephemerals has none.
 * - Key-compromise impersonation (as Noise IK's first message): a thief of sR can forge queries "from" anyone
 *   to R. He can do no more with sR anyway.
 * - Replays are refused by the responder's replay memory of the ES field over the timestamp's skew window, as for
 *   msg1 (session-manager.ts); a query is answered once.
 * The asker is authenticated (ss needs sI), so the responder may treat SI as it treats a session peer (the DHT
 * admits it to its routing table); the reply is authenticated by kr, which needs sR or eI.
 *
 * Each of k1, k2, kr seals exactly one plaintext (the asker never resends a query's bytes: a retry is a new
 * query with a new ephemeral key; the responder replies once), so the all-zero nonce is safe, as in handshakes.
 */
import { CryptoError, type KeyPair } from '../crypto/suite.ts';
import { asciiBytes, concatBytes, readU64, writeU64 } from '../packet/bytes.ts';
import { elligatorSquaredEncode } from '../crypto/elligator-squared.ts';
import { AEAD_TAG_BYTES, CONN_ID_BYTES, DATA_HEADER_BYTES, INIT_HEAD_BYTES, INNER_HEADER_BYTES, NONCE_BYTES } from '../packet/constants.ts';
import { decoded, PacketEncodeError, rejected, type DecodeResult } from '../packet/errors.ts';
import type { Frame } from '../packet/frame.ts';
import { HEADER_KEY_BYTES, toggleHeaderMask } from '../packet/header-protection.ts';
import { decodeInner, encodeInnerRoom } from '../packet/inner-codec.ts';
import type { HandshakeContext, InitHead } from './handshake.ts';

export const ONE_SHOT_LABEL = 'paratox/v1/one-shot';
const SALT = asciiBytes(ONE_SHOT_LABEL);
const STATIC_PUB_BYTES = 33;
const TIMESTAMP_BYTES = 8;
const ZERO_NONCE = new Uint8Array(NONCE_BYTES);
/** SI || timestampMs || cQ || hkI */
const IDENTITY_PLAINTEXT_BYTES = STATIC_PUB_BYTES + TIMESTAMP_BYTES + CONN_ID_BYTES + HEADER_KEY_BYTES;
/** Where the request's own AEAD starts: after the head and the sealed identity part (its AAD is all of that). */
const BODY_OFFSET = INIT_HEAD_BYTES + IDENTITY_PLAINTEXT_BYTES + AEAD_TAG_BYTES;
const INFO = { query: concatBytes(asciiBytes('query'), Uint8Array.of(0)), body: concatBytes(asciiBytes('query-body'), Uint8Array.of(0)) } as const;

/** Largest request body a query carries at `wireSize` (1,052 bytes at 1232; a data packet carries 1,197). */
export function maxQueryBodyBytes(wireSize: number): number {
  return wireSize - BODY_OFFSET - AEAD_TAG_BYTES - INNER_HEADER_BYTES;
}

/** Smallest query on the wire ('variable' padding, empty body): the responder's length gate. */
export const MIN_QUERY_BYTES = BODY_OFFSET + INNER_HEADER_BYTES + AEAD_TAG_BYTES;

function identityKey(ctx: HandshakeContext, es: Uint8Array, ephemeralPub: Uint8Array, responderStaticPub: Uint8Array): Uint8Array {
  return ctx.suite.hkdf(es, SALT, concatBytes(INFO.query, ephemeralPub, responderStaticPub), 32);
}

/** k2 (the request) and kr (the reply), from both DH results: only the holders of sI and of sR (or e) derive them. */
function bodyKeys(ctx: HandshakeContext, es: Uint8Array, ss: Uint8Array, ephemeralPub: Uint8Array, responderStaticPub: Uint8Array, initiatorStaticPub: Uint8Array) {
  const okm = ctx.suite.hkdf(concatBytes(es, ss), SALT, concatBytes(INFO.body, ephemeralPub, responderStaticPub, initiatorStaticPub), 64);
  return { requestKey: okm.slice(0, 32), replyKey: okm.slice(32, 64) };
}

export interface OutgoingQuery {
  /** The datagram, exactly the wire size in 'fixed' mode. */
  readonly packet: Uint8Array;
  /** Opens the reply (kr). */
  readonly replyKey: Uint8Array;
}

/**
 * Builds a query carrying `frame` to the holder of `peerStaticPub`; its reply will come on `replyConnId`, masked
 * under `headerKey`. Throws CryptoError for an invalid peer key, PacketEncodeError for a body over
 * maxQueryBodyBytes. The ephemeral private key is erased before returning: the asker needs only kr.
 */
export function createQuery(
  ctx: HandshakeContext,
  args: { staticKey: KeyPair; peerStaticPub: Uint8Array; nowMs: number; replyConnId: Uint8Array; headerKey: Uint8Array; frame: Frame },
): OutgoingQuery {
  const { frame } = args;
  const max = maxQueryBodyBytes(ctx.wireSize);
  if (frame.body.length > max) throw new PacketEncodeError('body-too-large', `query body of ${frame.body.length} bytes exceeds ${max}`);
  const ephemeral = ctx.suite.generateKeyPair(ctx.rng);
  const es = ctx.suite.ecdh(ephemeral.privateKey, args.peerStaticPub);
  const ss = ctx.suite.ecdh(args.staticKey.privateKey, args.peerStaticPub);
  ephemeral.privateKey.fill(0);
  const k1 = identityKey(ctx, es, ephemeral.publicKey, args.peerStaticPub);
  const { requestKey, replyKey } = bodyKeys(ctx, es, ss, ephemeral.publicKey, args.peerStaticPub, args.staticKey.publicKey);
  const inner = ctx.paddingMode === 'fixed' ? max + INNER_HEADER_BYTES : INNER_HEADER_BYTES + frame.body.length;
  const out = new Uint8Array(BODY_OFFSET + inner + AEAD_TAG_BYTES);
  out.set(elligatorSquaredEncode(ephemeral.publicKey, ctx.rng), 0);
  const identity = out.subarray(INIT_HEAD_BYTES, INIT_HEAD_BYTES + IDENTITY_PLAINTEXT_BYTES);
  identity.set(args.staticKey.publicKey, 0);
  writeU64(identity, STATIC_PUB_BYTES, Math.max(0, Math.floor(args.nowMs)));
  identity.set(args.replyConnId, STATIC_PUB_BYTES + TIMESTAMP_BYTES);
  identity.set(args.headerKey, STATIC_PUB_BYTES + TIMESTAMP_BYTES + CONN_ID_BYTES);
  ctx.suite.aeadSealInto(k1, ZERO_NONCE, identity, out.subarray(INIT_HEAD_BYTES, BODY_OFFSET), out.subarray(0, INIT_HEAD_BYTES));
  const body = out.subarray(BODY_OFFSET, BODY_OFFSET + inner);
  encodeInnerRoom(frame, body, ctx.rng);
  ctx.suite.aeadSealInto(requestKey, ZERO_NONCE, body, out.subarray(BODY_OFFSET), out.subarray(0, BODY_OFFSET));
  return { packet: out, replyKey };
}

export interface ReceivedQuery {
  readonly initiatorStaticPub: Uint8Array;
  readonly timestampMs: number;
  readonly replyConnId: Uint8Array;
  readonly replyHeaderKey: Uint8Array;
  readonly replyKey: Uint8Array;
  readonly frame: Frame;
}

/**
 * Tries `bytes` as a query to `staticKey`, given msg1's decoded head and es = ECDH(sR, E) (the caller computes
 * it once for a query and an init alike). Never throws. 'auth-failed': not a query under this key (it may be an
 * init); 'bad-handshake': a query envelope whose request does not authenticate (a claimed SI without its key) or
 * whose SI is not a point; 'truncated' / 'bad-length' / 'unknown-type': a malformed request.
 */
export function openQuery(ctx: HandshakeContext, staticKey: KeyPair, bytes: Uint8Array, head: InitHead, es: Uint8Array): DecodeResult<ReceivedQuery> {
  if (bytes.length < MIN_QUERY_BYTES) return rejected('auth-failed', `${bytes.length} bytes: too short for a query`);
  const k1 = identityKey(ctx, es, head.ephemeralPub, staticKey.publicKey);
  const identity = ctx.suite.aeadOpen(k1, ZERO_NONCE, bytes.subarray(INIT_HEAD_BYTES, BODY_OFFSET), bytes.subarray(0, INIT_HEAD_BYTES));
  if (identity === null) return rejected('auth-failed', 'not a one-shot query under this key');
  const initiatorStaticPub = identity.slice(0, STATIC_PUB_BYTES);
  let ss: Uint8Array;
  try {
    ss = ctx.suite.ecdh(staticKey.privateKey, initiatorStaticPub);
  } catch (e) {
    if (e instanceof CryptoError) return rejected('bad-handshake', `query from an invalid static key: ${e.message}`);
    throw e;
  }
  const { requestKey, replyKey } = bodyKeys(ctx, es, ss, head.ephemeralPub, staticKey.publicKey, initiatorStaticPub);
  const inner = ctx.suite.aeadOpen(requestKey, ZERO_NONCE, bytes.subarray(BODY_OFFSET), bytes.subarray(0, BODY_OFFSET));
  if (inner === null) return rejected('bad-handshake', "query request does not authenticate under its claimed sender's key");
  const frame = decodeInner(inner);
  if (!frame.ok) return frame;
  const timestampMs = readU64(identity, STATIC_PUB_BYTES);
  if (timestampMs < 0) return rejected('stale-handshake', 'query timestamp beyond 2^53 ms');
  const connIdAt = STATIC_PUB_BYTES + TIMESTAMP_BYTES;
  return decoded({
    initiatorStaticPub,
    timestampMs,
    replyConnId: identity.slice(connIdAt, connIdAt + CONN_ID_BYTES),
    replyHeaderKey: identity.slice(connIdAt + CONN_ID_BYTES, connIdAt + CONN_ID_BYTES + HEADER_KEY_BYTES),
    replyKey,
    frame: frame.value,
  });
}

/**
 * The reply: a data packet's shape (masked connId || seq 0, then ciphertext), sealed under kr with the clear
 * header as AAD. Throws PacketEncodeError for a body a data packet could not carry either.
 */
export function sealReply(ctx: HandshakeContext, args: { replyKey: Uint8Array; replyConnId: Uint8Array; replyHeaderKey: Uint8Array; frame: Frame }): Uint8Array {
  const room = ctx.wireSize - DATA_HEADER_BYTES - AEAD_TAG_BYTES;
  if (args.frame.body.length > room - INNER_HEADER_BYTES) throw new PacketEncodeError('body-too-large', `reply body of ${args.frame.body.length} bytes exceeds ${room - INNER_HEADER_BYTES}`);
  const inner = ctx.paddingMode === 'fixed' ? room : INNER_HEADER_BYTES + args.frame.body.length;
  const out = new Uint8Array(DATA_HEADER_BYTES + inner + AEAD_TAG_BYTES);
  out.set(args.replyConnId, 0); // seq (bytes 8..15) stays 0
  const body = out.subarray(DATA_HEADER_BYTES, DATA_HEADER_BYTES + inner);
  encodeInnerRoom(args.frame, body, ctx.rng);
  ctx.suite.aeadSealInto(args.replyKey, ZERO_NONCE, body, out.subarray(DATA_HEADER_BYTES), out.subarray(0, DATA_HEADER_BYTES));
  return toggleHeaderMask(ctx.suite, args.replyHeaderKey, out);
}

/** Opens a reply in its clear form (the receiver unmasked the header to find the pending query). Never throws. */
export function openReply(ctx: HandshakeContext, replyKey: Uint8Array, clear: Uint8Array): DecodeResult<Frame> {
  if (clear.length < DATA_HEADER_BYTES + INNER_HEADER_BYTES + AEAD_TAG_BYTES) return rejected('truncated', `reply of ${clear.length} bytes`);
  for (let i = CONN_ID_BYTES; i < DATA_HEADER_BYTES; i++) if (clear[i] !== 0) return rejected('auth-failed', 'a reply has seq 0');
  const inner = ctx.suite.aeadOpen(replyKey, ZERO_NONCE, clear.subarray(DATA_HEADER_BYTES), clear.subarray(0, DATA_HEADER_BYTES));
  if (inner === null) return rejected('auth-failed', 'reply failed AES-256-GCM authentication');
  return decodeInner(inner);
}
