/**
 * The encrypted part of INTRODUCE1 (rend-spec-v3 §3.2.1 "encrypted section"): what the service needs to meet
 * the client, sealed with ECIES (protocol/crypto/ecies.ts) to the per-intro encryption key from the descriptor,
 * so the introduction point relays it without learning the rendezvous point. Plaintext, zero-padded to a fixed
 * size so its length does not reveal the address length:
 *   rendezvous nodePub (33) || u8 len || rendezvous address (1..64) || cookie (20) || secret (32) || sentAtMs (u64)
 * aad = "paratox/v1/introduce" || authKey: a seal cannot be moved to another registration.
 *
 * `secret` lets the service prove, through the rendezvous point, that it opened the seal: RENDEZVOUS1 carries
 * tag = HMAC-SHA256(secret, "paratox/v1/rend-auth" || cookie), relayed to the client in RENDEZVOUS2 (the role of
 * rend-spec-v3 §3.4's AUTH_INPUT_MAC, without the key exchange, which is protocol/conversation's). Neither
 * relay can forge it. `sentAtMs` bounds how long a replayed INTRODUCE2 is worth checking against the cache.
 * The client's identity is not in here: the end-to-end layer sends it sealed later.
 */
import { concatBytes, constantTimeEqual, utf8 } from '../crypto/bytes.ts';
import { eciesOpen, eciesSeal, ECIES_OVERHEAD_BYTES } from '../crypto/ecies.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { MAX_ADDRESS_BYTES, NODE_PUB_BYTES } from '../dht/constants.ts';
import { ByteReader, ByteWriter, WireError } from '../dht/wire.ts';
import type { MessengerPeer } from '../messenger/messenger.ts';
import type { Rng } from '../runtime/rng.ts';
import { COOKIE_BYTES, INTRODUCE_LABEL, RENDEZVOUS_AUTH_LABEL, RENDEZVOUS_SECRET_BYTES } from './constants.ts';

const INTRODUCE_LABEL_BYTES = utf8(INTRODUCE_LABEL);
const AUTH_LABEL_BYTES = utf8(RENDEZVOUS_AUTH_LABEL);

export const INTRODUCE_PLAINTEXT_BYTES = NODE_PUB_BYTES + 1 + MAX_ADDRESS_BYTES + COOKIE_BYTES + RENDEZVOUS_SECRET_BYTES + 8;
export const INTRODUCE_SEALED_BYTES = INTRODUCE_PLAINTEXT_BYTES + ECIES_OVERHEAD_BYTES;

export interface IntroduceSecret {
  readonly rendezvous: MessengerPeer;
  readonly cookie: Uint8Array;
  readonly secret: Uint8Array;
  readonly sentAtMs: number;
}

function aadOf(authKey: Uint8Array): Uint8Array {
  return concatBytes(INTRODUCE_LABEL_BYTES, authKey);
}

export function sealIntroduce(suite: CryptoSuite, rng: Rng, encKey: Uint8Array, authKey: Uint8Array, s: IntroduceSecret): Uint8Array {
  const w = new ByteWriter(INTRODUCE_PLAINTEXT_BYTES)
    .bytes(s.rendezvous.nodePub)
    .shortString(s.rendezvous.address)
    .bytes(s.cookie)
    .bytes(s.secret)
    .u64(s.sentAtMs);
  const plain = new Uint8Array(INTRODUCE_PLAINTEXT_BYTES);
  plain.set(w.finish());
  return eciesSeal(suite, rng, encKey, plain, aadOf(authKey));
}

/** Opens a seal with the intro encryption private key; null on any failure (never throws). */
export function openIntroduce(suite: CryptoSuite, encPriv: Uint8Array, authKey: Uint8Array, sealed: Uint8Array): IntroduceSecret | null {
  if (sealed.length !== INTRODUCE_SEALED_BYTES) return null;
  let plain: Uint8Array;
  try {
    plain = eciesOpen(suite, encPriv, sealed, aadOf(authKey));
  } catch {
    return null; // bad point, failed authentication: to us simply "does not open"
  }
  try {
    const r = new ByteReader(plain);
    const nodePub = r.nodePub('rendezvous nodePub');
    const address = r.address('rendezvous address');
    const cookie = r.bytes(COOKIE_BYTES, 'cookie');
    const secret = r.bytes(RENDEZVOUS_SECRET_BYTES, 'secret');
    const sentAtMs = r.u64('sentAtMs');
    if (r.bytes(r.remaining, 'padding').some((b) => b !== 0)) return null;
    return { rendezvous: { address, nodePub }, cookie, secret, sentAtMs };
  } catch (err) {
    if (err instanceof WireError) return null;
    throw err;
  }
}

/** tag = HMAC-SHA256(secret, "paratox/v1/rend-auth" || cookie). */
export function rendezvousTag(suite: Pick<CryptoSuite, 'hmacSha256'>, secret: Uint8Array, cookie: Uint8Array): Uint8Array {
  return suite.hmacSha256(secret, concatBytes(AUTH_LABEL_BYTES, cookie));
}

export function checkRendezvousTag(suite: Pick<CryptoSuite, 'hmacSha256'>, secret: Uint8Array, cookie: Uint8Array, tag: Uint8Array): boolean {
  return tag.length === 32 && constantTimeEqual(rendezvousTag(suite, secret, cookie), tag);
}
