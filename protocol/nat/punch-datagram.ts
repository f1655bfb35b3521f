/**
 * Punch datagrams: what two nodes send each other to open their NATs (RFC 5128 §3.3 "UDP hole punching").
 *
 * Layout, wireSize bytes, uniform-looking like every other datagram (packet/README.md) so a link observer
 * cannot tell them apart by size or bytes: `id (8) || random filler || tag (16)`.
 *
 * - Every datagram has its own 8-byte id, drawn from the rendezvous' nonce alone: id = HKDF(nonce)[sender,
 *   kind, seq]. The receiver registers the ids it may get (punchAttempts punches and punchAckLimit acks) and
 *   recognises a punch by its id, the way the session layer routes by connId. An id never repeats, so an
 *   observer cannot link an exchange's datagrams by a common prefix or count them by a clear sequence number;
 *   the rendezvous, which knows the nonce, can (it already knows the exchange).
 * - The tag is HMAC-SHA256 under a key only the two endpoints can derive: HKDF over their static-static
 *   P-256 ECDH secret, salted with the nonce and bound to both public keys. The rendezvous knows the nonce (so
 *   the ids) but not that key, so neither it nor an accomplice it points us at can forge a punch: a node only
 *   ever redirects its session to an address that proved knowledge of the peer's static key.
 */
import { concatBytes, equalBytes } from '../packet/bytes.ts';
import { AEAD_TAG_BYTES } from '../packet/constants.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import type { Rng } from '../runtime/rng.ts';
import { utf8 } from '../dht/wire.ts';

export type PunchRole = 'requester' | 'target';
export type PunchKind = 'punch' | 'ack';

const ID_BYTES = 8;
const TAG_BYTES = AEAD_TAG_BYTES;
const ID_SALT = utf8('paratox/v1/nat-punch-ids');
const MAC_INFO = utf8('paratox/v1/nat-punch-mac');

/** How many datagrams of each kind one side may send in an exchange: the number of ids to derive. */
export type PunchCounts = Readonly<Record<PunchKind, number>>;

export interface PunchKeys {
  /** Ids of the datagrams this side sends / expects, by kind, indexed by seq. */
  readonly send: Readonly<Record<PunchKind, readonly Uint8Array[]>>;
  readonly receive: Readonly<Record<PunchKind, readonly Uint8Array[]>>;
  readonly macKey: Uint8Array;
}

/**
 * Derives one exchange's ids and MAC key. `ownPriv`/`peerPub` are static NodeID keys; throws CryptoError
 * ('bad-point') for an invalid peer key, which callers count as a malformed request.
 */
export function derivePunchKeys(
  suite: CryptoSuite,
  ownPriv: Uint8Array,
  ownPub: Uint8Array,
  peerPub: Uint8Array,
  nonce: Uint8Array,
  role: PunchRole,
  counts: PunchCounts,
): PunchKeys {
  const perSide = counts.punch + counts.ack;
  const ids = suite.hkdf(nonce, ID_SALT, utf8('ids'), 2 * perSide * ID_BYTES);
  const side = (first: number) => {
    const id = (i: number): Uint8Array => ids.slice((first + i) * ID_BYTES, (first + i + 1) * ID_BYTES);
    return {
      punch: Array.from({ length: counts.punch }, (_, i) => id(i)),
      ack: Array.from({ length: counts.ack }, (_, i) => id(counts.punch + i)),
    };
  };
  const fromRequester = side(0);
  const fromTarget = side(perSide);
  const z = suite.ecdh(ownPriv, peerPub);
  const [requesterPub, targetPub] = role === 'requester' ? [ownPub, peerPub] : [peerPub, ownPub];
  const macKey = suite.hkdf(z, nonce, concatBytes(MAC_INFO, requesterPub, targetPub), 32);
  z.fill(0);
  return role === 'requester' ? { send: fromRequester, receive: fromTarget, macKey } : { send: fromTarget, receive: fromRequester, macKey };
}

/**
 * A punch or ack datagram of exactly `wireSize` bytes; `seq` counts this side's datagrams of that kind and must
 * be below the count its ids were derived for (a programmer error otherwise: the exchange bounds it).
 */
export function buildPunch(suite: CryptoSuite, rng: Rng, keys: PunchKeys, kind: PunchKind, seq: number, wireSize: number): Uint8Array {
  const id = keys.send[kind][seq];
  if (id === undefined) throw new RangeError(`punch ${kind} seq ${seq} beyond the ${keys.send[kind].length} ids derived`);
  const out = new Uint8Array(wireSize);
  out.set(id, 0);
  out.set(rng.bytes(wireSize - ID_BYTES - TAG_BYTES), ID_BYTES);
  const body = out.subarray(0, wireSize - TAG_BYTES);
  out.set(suite.hmacSha256(keys.macKey, body).subarray(0, TAG_BYTES), wireSize - TAG_BYTES);
  return out;
}

/** True when `bytes` carries a valid tag under `macKey` (its id was already matched by the caller). */
export function verifyPunch(suite: CryptoSuite, macKey: Uint8Array, bytes: Uint8Array): boolean {
  if (bytes.length < ID_BYTES + TAG_BYTES) return false;
  const split = bytes.length - TAG_BYTES;
  const expected = suite.hmacSha256(macKey, bytes.subarray(0, split)).subarray(0, TAG_BYTES);
  return equalBytes(expected, bytes.subarray(split));
}

export const PUNCH_ID_BYTES = ID_BYTES;
