/**
 * In-session rekeying: a session S buys its successor S' with one fresh ephemeral ECDH carried inside S, instead
 * of a full handshake (IKEv2's CREATE_CHILD_SA with a new Diffie-Hellman, RFC 7296 §1.3.2 and §2.17). Pure
 * functions; the state machine around them is session-manager.ts.
 *
 *   REKEY_INIT   A -> B  on S:   cA' || EA           (A: the side whose key came due)
 *   REKEY_RESP   B -> A  on S:   cB' || EB
 *   confirm      A -> B  on S':  HANDSHAKE_CONFIRM, empty body, resent until B sends anything on S'
 *   (ack         B -> A  on S':  HANDSHAKE_ACK)
 *
 *   keys of S' = HKDF-SHA256(ikm = ECDH(eA, EB), salt = S's i->r key || S's r->i key,
 *                            info = label || 0x00 || EA || EB || cA' || cB')  -> A->B key || B->A key
 *
 * cA' / cB': the connIds each side picks for S'; EA / EB: fresh P-256 ephemeral keys (33-byte SEC 1), whose
 * private halves are erased as soon as the DH is computed.
 *
 * Why this is enough:
 * - Authentication: both offers travel inside S's AEAD, so only the peer S was confirmed with can make them; the
 *   keys of S' are bound to S through the salt, so S' authenticates the same two NodeIDs as S (no ECMQV, no
 *   static key, no Elligator encoding: the ephemerals are never in clear, S's ciphertext hides them).
 * - Forward secrecy: an attacker who later learns S' (or any successor) has neither eA nor eB, and HKDF does not
 *   run backwards to S's keys; one who learns S's keys and records the REKEY frames still lacks the DH.
 * - On the wire every frame is a data packet of the wire size on an existing session: Eve cannot tell a rekey
 *   from traffic (a full handshake's msg1 and msg2 are uniform bytes too, but they are two more datagrams at the
 *   start of a new connId).
 * - Cost: one key generation and one ECDH per side (~0.3 ms together) against ~5 ms for a full handshake.
 */
import type { CryptoSuite, KeyPair } from '../crypto/suite.ts';
import { asciiBytes, concatBytes } from '../packet/bytes.ts';
import { CONN_ID_BYTES } from '../packet/constants.ts';
import { decoded, rejected, type DecodeResult } from '../packet/errors.ts';

export const REKEY_LABEL = 'paratox/v1/rekey';
const INFO_PREFIX = concatBytes(asciiBytes(REKEY_LABEL), Uint8Array.of(0));
const PUBLIC_KEY_BYTES = 33;
const TRAFFIC_KEY_BYTES = 32;
/** A REKEY_INIT or REKEY_RESP body: the sender's connId for S', then its ephemeral public key. */
export const REKEY_OFFER_BYTES = CONN_ID_BYTES + PUBLIC_KEY_BYTES;

export interface RekeyOffer {
  /** The connId the sender will receive S' packets on. */
  readonly connId: Uint8Array;
  /** The sender's fresh ephemeral public key (33-byte SEC 1, not yet checked to be a point). */
  readonly ephemeralPub: Uint8Array;
}

export function encodeRekeyOffer(connId: Uint8Array, ephemeralPub: Uint8Array): Uint8Array {
  if (connId.length !== CONN_ID_BYTES || ephemeralPub.length !== PUBLIC_KEY_BYTES) {
    throw new RangeError(`rekey offer: connId ${connId.length} and key ${ephemeralPub.length} bytes`);
  }
  return concatBytes(connId, ephemeralPub);
}

/** Splits a REKEY_INIT / REKEY_RESP body (copies). Never throws; the point itself is checked by the ECDH. */
export function decodeRekeyOffer(body: Uint8Array): DecodeResult<RekeyOffer> {
  if (body.length !== REKEY_OFFER_BYTES) return rejected('bad-handshake', `rekey offer of ${body.length} bytes, want ${REKEY_OFFER_BYTES}`);
  return decoded({ connId: body.slice(0, CONN_ID_BYTES), ephemeralPub: body.slice(CONN_ID_BYTES) });
}

/** The current session's two traffic keys, named by S's own roles (both sides order them alike). */
export interface ChainKeys {
  readonly initiatorToResponder: Uint8Array;
  readonly responderToInitiator: Uint8Array;
}

/** S' keys, named by the rekey's roles: A (who sent REKEY_INIT) is S' initiator. */
export interface RekeyedKeys {
  readonly initiatorToResponder: Uint8Array;
  readonly responderToInitiator: Uint8Array;
}

/**
 * The keys of S' from our ephemeral private key, the peer's offer and S's keys; erases `ownEphemeral`'s private
 * key (the DH is all either side keeps). Throws CryptoError when the peer's key is not a valid point.
 */
export function deriveRekeyedKeys(
  suite: CryptoSuite,
  args: { ownEphemeral: KeyPair; initiatorOffer: RekeyOffer; responderOffer: RekeyOffer; chain: ChainKeys; weInitiated: boolean },
): RekeyedKeys {
  const { ownEphemeral, initiatorOffer, responderOffer, chain, weInitiated } = args;
  const peerPub = weInitiated ? responderOffer.ephemeralPub : initiatorOffer.ephemeralPub;
  let dh: Uint8Array;
  try {
    dh = suite.ecdh(ownEphemeral.privateKey, peerPub);
  } finally {
    ownEphemeral.privateKey.fill(0);
  }
  const salt = concatBytes(chain.initiatorToResponder, chain.responderToInitiator);
  const info = concatBytes(INFO_PREFIX, initiatorOffer.ephemeralPub, responderOffer.ephemeralPub, initiatorOffer.connId, responderOffer.connId);
  const okm = suite.hkdf(dh, salt, info, 2 * TRAFFIC_KEY_BYTES);
  dh.fill(0);
  salt.fill(0);
  return { initiatorToResponder: okm.subarray(0, TRAFFIC_KEY_BYTES), responderToInitiator: okm.subarray(TRAFFIC_KEY_BYTES) };
}
