/**
 * Punch datagrams: what two nodes send each other to open their NATs (RFC 5128 §3.3 "UDP hole punching").
 *
 * Layout, wireSize bytes, shaped like a data packet (packet/data-packet.ts) so a link observer cannot tell
 * them apart by size or header: `id (8) || seq (8, big-endian, small) || random filler || tag (16)`.
 *
 * - The 8-byte ids come from the rendezvous' nonce alone: id = HKDF(nonce)[kind, sender]. The receiver
 *   recognises a punch by its id, the way the session layer routes by connId.
 * - The tag is HMAC-SHA256 under a key only the two endpoints can derive: HKDF over their static-static
 *   P-256 ECDH secret, salted with the nonce and bound to both public keys. The rendezvous knows the nonce (so
 *   the ids) but not that key, so neither it nor an accomplice it points us at can forge a punch: a node only
 *   ever redirects its session to an address that proved knowledge of the peer's static key.
 */
import { concatBytes, equalBytes, writeU64 } from '../packet/bytes.ts';
import { AEAD_TAG_BYTES, DATA_HEADER_BYTES } from '../packet/constants.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import type { Rng } from '../runtime/rng.ts';
import { utf8 } from '../dht/wire.ts';

export type PunchRole = 'requester' | 'target';
export type PunchKind = 'punch' | 'ack';

const ID_BYTES = 8;
const TAG_BYTES = AEAD_TAG_BYTES;
const ID_SALT = utf8('paratox/v1/nat-punch-ids');
const MAC_INFO = utf8('paratox/v1/nat-punch-mac');

export interface PunchKeys {
  /** Ids of the datagrams this side sends / expects, by kind. */
  readonly send: Readonly<Record<PunchKind, Uint8Array>>;
  readonly receive: Readonly<Record<PunchKind, Uint8Array>>;
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
): PunchKeys {
  const ids = suite.hkdf(nonce, ID_SALT, utf8('ids'), 4 * ID_BYTES);
  const slice = (i: number): Uint8Array => ids.slice(i * ID_BYTES, (i + 1) * ID_BYTES);
  const fromRequester = { punch: slice(0), ack: slice(2) };
  const fromTarget = { punch: slice(1), ack: slice(3) };
  const z = suite.ecdh(ownPriv, peerPub);
  const [requesterPub, targetPub] = role === 'requester' ? [ownPub, peerPub] : [peerPub, ownPub];
  const macKey = suite.hkdf(z, nonce, concatBytes(MAC_INFO, requesterPub, targetPub), 32);
  z.fill(0);
  return role === 'requester' ? { send: fromRequester, receive: fromTarget, macKey } : { send: fromTarget, receive: fromRequester, macKey };
}

/** A punch or ack datagram of exactly `wireSize` bytes; `seq` counts this side's datagrams of that kind. */
export function buildPunch(suite: CryptoSuite, rng: Rng, keys: PunchKeys, kind: PunchKind, seq: number, wireSize: number): Uint8Array {
  const out = new Uint8Array(wireSize);
  out.set(keys.send[kind], 0);
  writeU64(out, ID_BYTES, seq);
  out.set(rng.bytes(wireSize - DATA_HEADER_BYTES - TAG_BYTES), DATA_HEADER_BYTES);
  const body = out.subarray(0, wireSize - TAG_BYTES);
  out.set(suite.hmacSha256(keys.macKey, body).subarray(0, TAG_BYTES), wireSize - TAG_BYTES);
  return out;
}

/** True when `bytes` carries a valid tag under `macKey` (its id was already matched by the caller). */
export function verifyPunch(suite: CryptoSuite, macKey: Uint8Array, bytes: Uint8Array): boolean {
  if (bytes.length < DATA_HEADER_BYTES + TAG_BYTES) return false;
  const split = bytes.length - TAG_BYTES;
  const expected = suite.hmacSha256(macKey, bytes.subarray(0, split)).subarray(0, TAG_BYTES);
  return equalBytes(expected, bytes.subarray(split));
}

export const PUNCH_ID_BYTES = ID_BYTES;
