/**
 * The per-hop handshake: ntor (Tor proposal 216, "Improved circuit-creation key exchange"; tor-spec §5.1.4)
 * on P-256 instead of Curve25519. One round trip, and the relay is authenticated by its NodeID key B alone:
 *
 *   client: x, X = x·G                          relay: identity b, B (its NodeID); fresh y, Y = y·G
 *   secret_input = ECDH(x,Y) | ECDH(x,B) | B | X | Y | PROTOID     (relay: ECDH(y,X) | ECDH(b,X) | ...)
 *   keys         = HKDF-SHA256(ikm = secret_input, salt = t_key, info = m_expand) -> Kf Kb Nf Nb Mf Mb
 *   verify       = HMAC-SHA256(t_verify, secret_input)
 *   auth         = HMAC-SHA256(t_mac, verify | B | Y | X | PROTOID | "Server")
 *
 * Only the holder of b computes ECDH(b,X), so a correct auth proves the relay's identity; ECDH(x,Y) with
 * both ephemerals erased gives forward secrecy. Deviation from 216: its ID field (a relay fingerprint) is
 * left out, because our identity *is* B, already in the input. Keys come from HKDF (RFC 5869) keyed by
 * t_key, which is exactly 216's KEY_SEED = H(secret_input, t_key) followed by its expansion.
 */
import { concatBytes, constantTimeEqual, utf8 } from '../crypto/bytes.ts';
import { CryptoError, type CryptoSuite, type KeyPair } from '../crypto/suite.ts';

export const PROTOID = 'paratox-ntor-p256-1';
const T_KEY = utf8(PROTOID + ':key_extract');
const T_VERIFY = utf8(PROTOID + ':verify');
const T_MAC = utf8(PROTOID + ':mac');
const M_EXPAND = utf8(PROTOID + ':key_expand');
const SERVER = utf8('Server');
const PROTOID_BYTES = utf8(PROTOID);

export const POINT_BYTES = 33;
export const AUTH_BYTES = 32;

/** One hop's keys: f = forward (origin -> hop), b = backward. K: AES-CTR, N: nonce permutation, M: MAC. */
export interface HopKeys {
  readonly kf: Uint8Array;
  readonly kb: Uint8Array;
  readonly nf: Uint8Array;
  readonly nb: Uint8Array;
  readonly mf: Uint8Array;
  readonly mb: Uint8Array;
}

const KEY_NAMES = ['kf', 'kb', 'nf', 'nb', 'mf', 'mb'] as const;
const KEY_BYTES = 32;

function derive(suite: CryptoSuite, secretInput: Uint8Array, B: Uint8Array, X: Uint8Array, Y: Uint8Array) {
  const okm = suite.hkdf(secretInput, T_KEY, M_EXPAND, KEY_NAMES.length * KEY_BYTES);
  const keys = Object.fromEntries(KEY_NAMES.map((name, i) => [name, okm.slice(i * KEY_BYTES, (i + 1) * KEY_BYTES)])) as unknown as HopKeys;
  const verify = suite.hmacSha256(T_VERIFY, secretInput);
  const auth = suite.hmacSha256(T_MAC, concatBytes(verify, B, Y, X, PROTOID_BYTES, SERVER));
  return { keys, auth };
}

function assertPoint(p: Uint8Array, what: string): void {
  if (p.length !== POINT_BYTES) throw new CryptoError('bad-length', `ntor: ${what} must be ${POINT_BYTES} bytes`);
}

/**
 * Relay side: answers the client's X with Y and auth, using the relay's NodeID pair and a fresh ephemeral
 * pair `y` (drawn by the caller from its Rng). Throws CryptoError when X is not a P-256 point.
 */
export function ntorRespond(suite: CryptoSuite, identity: KeyPair, y: KeyPair, X: Uint8Array): { Y: Uint8Array; auth: Uint8Array; keys: HopKeys } {
  assertPoint(X, 'X');
  const B = identity.publicKey;
  const secretInput = concatBytes(suite.ecdh(y.privateKey, X), suite.ecdh(identity.privateKey, X), B, X, y.publicKey, PROTOID_BYTES);
  const { keys, auth } = derive(suite, secretInput, B, X, y.publicKey);
  return { Y: y.publicKey, auth, keys };
}

/**
 * Client side: the hop keys when `auth` proves that the holder of B's private key answered X = x.publicKey
 * with Y; null otherwise (wrong relay, tampered reply, or Y not a point). Never throws on bad Y or auth.
 */
export function ntorFinish(suite: CryptoSuite, x: KeyPair, B: Uint8Array, Y: Uint8Array, auth: Uint8Array): HopKeys | null {
  if (Y.length !== POINT_BYTES || auth.length !== AUTH_BYTES) return null;
  let secretInput: Uint8Array;
  try {
    secretInput = concatBytes(suite.ecdh(x.privateKey, Y), suite.ecdh(x.privateKey, B), B, x.publicKey, Y, PROTOID_BYTES);
  } catch (e) {
    if (e instanceof CryptoError) return null;
    throw e;
  }
  const derived = derive(suite, secretInput, B, x.publicKey, Y);
  return constantTimeEqual(derived.auth, auth) ? derived.keys : null;
}
