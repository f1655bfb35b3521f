/**
 * ECMQV for paratox sessions: a readable reference of the NIST SP 800-56A rev. 3 full MQV primitive on
 * P-256, the session-key derivation on top of it, and bilateral key confirmation.
 *
 * Scheme (SP 800-56A §6.1.1.4, "Full MQV, C(2e, 2s, ECC MQV)"): each side has a static key pair (its
 * AccountID / NodeID) and a fresh ephemeral pair. Z depends on both static and both ephemeral keys, so:
 * a party that does not hold its static private key cannot compute Z (implicit authentication), and
 * compromise of static keys later does not reveal Z of past sessions whose ephemeral keys were erased
 * (forward secrecy). The fast back-end versions are CryptoSuite.ecmqv; tests prove they agree with this one.
 */
import { bigIntToBytes, concatBytes, constantTimeEqual, utf8 } from './bytes.ts';
import type { WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { Point, SCALAR_BYTES, assertCompressedEncoding, decodePoint, scalarFromBytes, xFromCompressed } from './p256.ts';
import { CryptoError, type CryptoSuite, type EcmqvInput } from './suite.ts';

/** Protocol label bound into every derived key, so keys from another protocol/version never collide. */
export const ECMQV_LABEL = 'paratox/v1/ecmqv';
export const SESSION_KEY_BYTES = 32;
export const SESSION_ID_BYTES = 8;
export const CONFIRMATION_TAG_BYTES = 32;

/** A prime-order short-Weierstrass curve from @noble (p256.Point, p384.Point, or one built with weierstrass()). */
export type MqvPointCons = WeierstrassPointCons<bigint>;
type MqvPoint = InstanceType<MqvPointCons>;

/**
 * SP 800-56A §5.7.2.2 associate value function for a curve of order n:
 * f = ceil(log2 n) (the bit length of n), avf(Q) = (x_Q mod 2^ceil(f/2)) + 2^ceil(f/2).
 */
export function mqvAssociateValue(n: bigint, x: bigint): bigint {
  const halfBits = BigInt(Math.ceil(n.toString(2).length / 2));
  return (x % (1n << halfBits)) + (1n << halfBits);
}

/**
 * SP 800-56A §5.7.2.3 MQV primitive on any prime-order curve, written step by step with constant-time
 * multiplies only. Generic so that it can be checked against NIST CAVP MQV vectors on other curves (no P-256
 * MQV known-answer vectors are published in the sources we could find). Inputs are already validated.
 * Returns x_P as an integer, or throws CryptoError('bad-point') when P is the point at infinity.
 */
export function mqvPrimitive(
  Point: MqvPointCons,
  keys: { ds: bigint; de: bigint; ownEphemeralX: bigint; peerStatic: MqvPoint; peerEphemeral: MqvPoint },
): bigint {
  const { n, h } = Point.CURVE();
  // Step 1: implicitsig = (de + avf(Qe_own) · ds) mod n.
  const implicitSig = (keys.de + mqvAssociateValue(n, keys.ownEphemeralX) * keys.ds) % n;
  // Step 2: P = h · implicitsig · (Qe_peer + avf(Qe_peer) · Qs_peer).
  const avfPeer = mqvAssociateValue(n, keys.peerEphemeral.toAffine().x);
  const sum = keys.peerEphemeral.add(keys.peerStatic.multiply(avfPeer));
  const k = (h * implicitSig) % n;
  // Step 3: if P is the point at infinity, output an error. (multiply() refuses 0, so test k first.)
  if (k === 0n || sum.is0()) throw new CryptoError('bad-point', 'MQV: shared point is the point at infinity');
  // Step 4: Z = x_P.
  return sum.multiply(k).toAffine().x;
}

/**
 * Reference SP 800-56A §5.7.2.3 ECC MQV for P-256 (h = 1). Returns the raw shared secret Z as a 32-byte
 * field element (SEC 1 §2.3.5). Pass `suite` to use a fast back end instead (same bytes).
 */
export function ecmqvSharedSecret(input: EcmqvInput, suite?: CryptoSuite): Uint8Array {
  if (suite) return suite.ecmqv(input);
  const ds = scalarFromBytes(input.ownStatic.privateKey);
  const de = scalarFromBytes(input.ownEphemeral.privateKey);
  // Own ephemeral public key: our own, trusted; only its x-coordinate (avf) is used, taken from the encoding.
  assertCompressedEncoding(input.ownEphemeral.publicKey, 'own ephemeral public key');
  // §5.6.2.3.4 partial public-key validation of both peer keys (on the curve, not infinity). With h = 1
  // this equals full validation. Skipping it allows invalid-curve attacks that leak the static key.
  const peerStatic = decodePoint(input.peerStaticPub, 'peer static public key');
  const peerEphemeral = decodePoint(input.peerEphemeralPub, 'peer ephemeral public key');
  const ownEphemeralX = xFromCompressed(input.ownEphemeral.publicKey);
  return bigIntToBytes(mqvPrimitive(Point, { ds, de, ownEphemeralX, peerStatic, peerEphemeral }), SCALAR_BYTES);
}

export type Role = 'initiator' | 'responder';

/** Both parties' public keys in canonical role order (U = initiator, V = responder in SP 800-56A terms). */
export interface MqvTranscript {
  readonly initiatorStaticPub: Uint8Array;
  readonly initiatorEphemeralPub: Uint8Array;
  readonly responderStaticPub: Uint8Array;
  readonly responderEphemeralPub: Uint8Array;
}

export interface SessionKeys {
  /** AEAD key for initiator -> responder traffic. */
  readonly initiatorToResponder: Uint8Array;
  /** AEAD key for responder -> initiator traffic. */
  readonly responderToInitiator: Uint8Array;
  /** MAC key for the initiator's key-confirmation tag; discard after confirmation. */
  readonly confirmInitiator: Uint8Array;
  /** MAC key for the responder's key-confirmation tag; discard after confirmation. */
  readonly confirmResponder: Uint8Array;
  /** Public session identifier, equal on both sides. */
  readonly sessionId: Uint8Array;
}

/** Puts our own and the peer's keys in initiator/responder order, so both sides build the same transcript. */
export function transcriptFor(role: Role, input: EcmqvInput): MqvTranscript {
  const own = { s: input.ownStatic.publicKey, e: input.ownEphemeral.publicKey };
  const peer = { s: input.peerStaticPub, e: input.peerEphemeralPub };
  const [i, r] = role === 'initiator' ? [own, peer] : [peer, own];
  return { initiatorStaticPub: i.s, initiatorEphemeralPub: i.e, responderStaticPub: r.s, responderEphemeralPub: r.e };
}

function transcriptBytes(t: MqvTranscript): Uint8Array {
  for (const k of [t.initiatorStaticPub, t.initiatorEphemeralPub, t.responderStaticPub, t.responderEphemeralPub]) {
    assertCompressedEncoding(k); // fixed 33-byte fields: the concatenation is unambiguous
  }
  return concatBytes(t.initiatorStaticPub, t.initiatorEphemeralPub, t.responderStaticPub, t.responderEphemeralPub);
}

const OKM_LAYOUT = [
  ['initiatorToResponder', SESSION_KEY_BYTES],
  ['responderToInitiator', SESSION_KEY_BYTES],
  ['confirmInitiator', SESSION_KEY_BYTES],
  ['confirmResponder', SESSION_KEY_BYTES],
  ['sessionId', SESSION_ID_BYTES],
] as const;
const OKM_BYTES = OKM_LAYOUT.reduce((sum, [, n]) => sum + n, 0);

/**
 * Key derivation (SP 800-56C rev. 2 §5, two-step HKDF-SHA256): salt = the protocol label, info = label ||
 * 0x00 || QsI || QeI || QsR || QeR (FixedInfo with both parties' identities and ephemeral keys, in role
 * order). Binding the transcript means a key can only be used by the exact pair of sessions that made it.
 */
export function deriveSessionKeys(suite: CryptoSuite, z: Uint8Array, transcript: MqvTranscript): SessionKeys {
  if (z.length !== SCALAR_BYTES) throw new CryptoError('bad-length', 'MQV shared secret Z must be 32 bytes');
  const label = utf8(ECMQV_LABEL);
  const info = concatBytes(label, Uint8Array.of(0), transcriptBytes(transcript));
  const okm = suite.hkdf(z, label, info, OKM_BYTES);
  const out: Record<string, Uint8Array> = {};
  let offset = 0;
  for (const [name, n] of OKM_LAYOUT) {
    out[name] = okm.slice(offset, offset + n);
    offset += n;
  }
  return out as unknown as SessionKeys;
}

/** Z and session keys for one side of a handshake in one call. */
export function agreeSessionKeys(suite: CryptoSuite, role: Role, input: EcmqvInput): SessionKeys {
  return deriveSessionKeys(suite, suite.ecmqv(input), transcriptFor(role, input));
}

/**
 * SP 800-56A §5.9.1 bilateral key confirmation. The tag of `role` (the party that sends it) is
 *   HMAC-SHA256(MacKey_role, "KC_2_U" || ID_U || ID_V || Ephem_U || Ephem_V)  for the initiator (U),
 *   HMAC-SHA256(MacKey_role, "KC_2_V" || ID_V || ID_U || Ephem_V || Ephem_U)  for the responder (V),
 * with IDs = static public keys. Deviation from the spec, on purpose: each direction has its own MacKey
 * (confirmInitiator / confirmResponder) instead of one shared key; the message strings already separate
 * the two tags, separate keys just make a reflected tag useless twice over.
 */
export function confirmationTag(suite: CryptoSuite, role: Role, keys: SessionKeys, transcript: MqvTranscript): Uint8Array {
  const t = transcript;
  transcriptBytes(t); // validates the four keys
  const data =
    role === 'initiator'
      ? concatBytes(utf8('KC_2_U'), t.initiatorStaticPub, t.responderStaticPub, t.initiatorEphemeralPub, t.responderEphemeralPub)
      : concatBytes(utf8('KC_2_V'), t.responderStaticPub, t.initiatorStaticPub, t.responderEphemeralPub, t.initiatorEphemeralPub);
  return suite.hmacSha256(role === 'initiator' ? keys.confirmInitiator : keys.confirmResponder, data);
}

/** Checks the tag sent by `role` in constant time. False on any length or content mismatch. */
export function verifyConfirmationTag(
  suite: CryptoSuite,
  role: Role,
  keys: SessionKeys,
  transcript: MqvTranscript,
  tag: Uint8Array,
): boolean {
  return constantTimeEqual(confirmationTag(suite, role, keys, transcript), tag);
}
