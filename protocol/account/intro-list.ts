/**
 * The plaintext of a descriptor's encrypted body: the account's introduction points (rend-spec-v3 §2.5.2.2
 * "introduction-point" entries, reduced to what paratox needs). Per entry:
 *   u8 len || address (UTF-8, 1..64) || nodePub (33)     the intro relay, to build a circuit to
 *   authKey (33)                                          intro auth key: names the service's registration there
 *   encKey (33)                                           per-intro ECIES key; INTRODUCE1 is sealed to it
 * after a u8 entry count (1..MAX_INTRO_POINTS). The plaintext is zero-padded to the size of MAX_INTRO_POINTS
 * entries with 64-byte addresses, so the ciphertext length tells a storer nothing (not even the count).
 */
import type { MessengerPeer } from '../messenger/messenger.ts';
import { MAX_ADDRESS_BYTES, NODE_PUB_BYTES } from '../dht/constants.ts';
import { addressBytes, ByteReader, ByteWriter, WireError } from '../dht/wire.ts';
import { MAX_INTRO_POINTS } from './constants.ts';

export interface IntroPointInfo {
  /** The introduction point relay. */
  readonly relay: MessengerPeer;
  /** Intro auth key (public): the id of the service's registration at that relay. */
  readonly authKey: Uint8Array;
  /** Per-intro encryption key (public); the service keeps the private key. */
  readonly encKey: Uint8Array;
}

const ENTRY_MAX_BYTES = 1 + MAX_ADDRESS_BYTES + 3 * NODE_PUB_BYTES;
/** Fixed plaintext size of every descriptor body. */
export const INTRO_LIST_BYTES = 1 + MAX_INTRO_POINTS * ENTRY_MAX_BYTES;

/** Encodes and pads `intros` (1..MAX_INTRO_POINTS). Throws RangeError on bad input (a caller bug). */
export function encodeIntroList(intros: readonly IntroPointInfo[]): Uint8Array {
  if (intros.length < 1 || intros.length > MAX_INTRO_POINTS) throw new RangeError(`1..${MAX_INTRO_POINTS} intro points, got ${intros.length}`);
  const w = new ByteWriter(INTRO_LIST_BYTES).u8(intros.length);
  for (const i of intros) {
    if (addressBytes(i.relay.address) < 0) throw new RangeError(`bad intro address: ${i.relay.address}`);
    for (const k of [i.relay.nodePub, i.authKey, i.encKey]) {
      if (k.length !== NODE_PUB_BYTES) throw new RangeError('intro keys must be 33 bytes');
    }
    w.shortString(i.relay.address).bytes(i.relay.nodePub).bytes(i.authKey).bytes(i.encKey);
  }
  const out = new Uint8Array(INTRO_LIST_BYTES);
  out.set(w.finish());
  return out;
}

export type IntroListResult = { ok: true; intros: IntroPointInfo[] } | { ok: false; reason: 'malformed' };

/** Decodes a padded intro list. Never throws: any defect (count, field, non-zero padding) is 'malformed'. */
export function decodeIntroList(bytes: Uint8Array): IntroListResult {
  if (bytes.length !== INTRO_LIST_BYTES) return { ok: false, reason: 'malformed' };
  try {
    const r = new ByteReader(bytes);
    const count = r.u8('intro count');
    if (count < 1 || count > MAX_INTRO_POINTS) return { ok: false, reason: 'malformed' };
    const intros: IntroPointInfo[] = [];
    for (let n = 0; n < count; n++) {
      const address = r.address('intro address');
      const nodePub = r.nodePub('intro nodePub');
      intros.push({ relay: { address, nodePub }, authKey: r.nodePub('intro auth key'), encKey: r.nodePub('intro enc key') });
    }
    const padding = r.bytes(r.remaining, 'padding');
    if (padding.some((b) => b !== 0)) return { ok: false, reason: 'malformed' };
    return { ok: true, intros };
  } catch (err) {
    if (err instanceof WireError) return { ok: false, reason: 'malformed' };
    throw err;
  }
}
