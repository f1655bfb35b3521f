/**
 * The payload a rendezvous relays between two nodes that cannot punch through to each other. A 1232-byte
 * packet cannot travel inside another, so the relay carries a sealed body rather than the packet:
 *
 *   sealed = ECIES(targetPub, mac (16) || sentAtMs (u64) || type (1) || body, aad = label || sourcePub || targetPub)
 *   mac    = HMAC-SHA256(HKDF(ECDH(sourceStatic, targetStatic), label, sourcePub || targetPub), sentAtMs || type || body)
 *
 * ECIES (crypto/ecies.ts) hides the content from the relay; the static-static MAC proves the source to the
 * target (ECIES alone is anonymous, and the relay names the source). No forward secrecy: a later theft of
 * either static key opens recorded messages, so deliveries carry `protection.pfs === false`.
 * Replays are caught by the target: each seal has a fresh ephemeral key, remembered for the skew window.
 */
import { ECIES_OVERHEAD_BYTES, eciesOpen, eciesSeal } from '../crypto/ecies.ts';
import { CryptoError, type CryptoSuite, type KeyPair } from '../crypto/suite.ts';
import { concatBytes, equalBytes, readU64, toHex, writeU64 } from '../packet/bytes.ts';
import type { Rng } from '../runtime/rng.ts';
import { utf8 } from '../dht/wire.ts';

const LABEL = utf8('paratox/v1/nat-relay');
const MAC_BYTES = 16;
const HEADER_BYTES = MAC_BYTES + 8 + 1;

/** Bytes a sealed relay payload adds to its body. */
export const RELAY_SEAL_OVERHEAD_BYTES = ECIES_OVERHEAD_BYTES + HEADER_BYTES;

export interface OpenedRelay {
  readonly sentAtMs: number;
  readonly type: number;
  readonly body: Uint8Array;
  /** The ECIES ephemeral key: unique per seal, the replay-cache key. */
  readonly sealId: string;
}

export type OpenRelayResult = { ok: true; value: OpenedRelay } | { ok: false; error: 'truncated' | 'auth-failed' };

function macKey(suite: CryptoSuite, ownPriv: Uint8Array, peerPub: Uint8Array, sourcePub: Uint8Array, targetPub: Uint8Array): Uint8Array {
  const z = suite.ecdh(ownPriv, peerPub);
  const key = suite.hkdf(z, LABEL, concatBytes(sourcePub, targetPub), 32);
  z.fill(0);
  return key;
}

/** Seals `body` of payload `type` from `source` to `targetPub`. Throws CryptoError('bad-point') for a bad key. */
export function sealRelayed(
  suite: CryptoSuite,
  rng: Rng,
  source: KeyPair,
  targetPub: Uint8Array,
  sentAtMs: number,
  type: number,
  body: Uint8Array,
): Uint8Array {
  const inner = new Uint8Array(HEADER_BYTES + body.length);
  writeU64(inner, MAC_BYTES, Math.max(0, Math.floor(sentAtMs)));
  inner[MAC_BYTES + 8] = type;
  inner.set(body, HEADER_BYTES);
  const key = macKey(suite, source.privateKey, targetPub, source.publicKey, targetPub);
  inner.set(suite.hmacSha256(key, inner.subarray(MAC_BYTES)).subarray(0, MAC_BYTES), 0);
  return eciesSeal(suite, rng, targetPub, inner, concatBytes(LABEL, source.publicKey, targetPub));
}

/** Opens a relayed payload addressed to `target` and claimed to come from `sourcePub`. Never throws for bad input. */
export function openRelayed(suite: CryptoSuite, target: KeyPair, sourcePub: Uint8Array, sealed: Uint8Array): OpenRelayResult {
  if (sealed.length < RELAY_SEAL_OVERHEAD_BYTES) return { ok: false, error: 'truncated' };
  let inner: Uint8Array;
  let key: Uint8Array;
  try {
    inner = eciesOpen(suite, target.privateKey, sealed, concatBytes(LABEL, sourcePub, target.publicKey));
    key = macKey(suite, target.privateKey, sourcePub, sourcePub, target.publicKey);
  } catch (e) {
    if (!(e instanceof CryptoError) || e.code === 'bad-scalar') throw e;
    return { ok: false, error: 'auth-failed' };
  }
  const mac = suite.hmacSha256(key, inner.subarray(MAC_BYTES)).subarray(0, MAC_BYTES);
  if (!equalBytes(mac, inner.subarray(0, MAC_BYTES))) return { ok: false, error: 'auth-failed' };
  return {
    ok: true,
    value: {
      sentAtMs: readU64(inner, MAC_BYTES),
      type: inner[MAC_BYTES + 8],
      body: inner.slice(HEADER_BYTES),
      sealId: toHex(sealed.subarray(0, 33)),
    },
  };
}
