/**
 * Link circuit ids. The node that sends CREATE on a link picks the id, and both directions of that link
 * then use it. Two neighbours may each pick ids for circuits they start towards the other, so the high bit
 * says who picked (as Tor's link protocol v4+ does with its initiator bit): it is set iff the picker's
 * nodePub sorts after its peer's. Ids picked by the two sides can then never collide, and a receiver knows
 * whether a CREATE's id really is the sender's to pick.
 */
import { toHex } from '../crypto/bytes.ts';
import type { Rng } from '../runtime/rng.ts';

export const HIGH_BIT = 0x8000_0000;

/** Bytewise order of two keys (-1, 0, 1). */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** The high bit that `picker` must set on ids it picks for the link to `other`. */
function pickerBit(picker: Uint8Array, other: Uint8Array): number {
  return compareKeys(picker, other) > 0 ? HIGH_BIT : 0;
}

/** A fresh id for a circuit this node starts towards `peerPub`, not 0 and not `inUse`. */
export function pickCircId(rng: Rng, selfPub: Uint8Array, peerPub: Uint8Array, inUse: (id: number) => boolean): number {
  for (;;) {
    const id = (pickerBit(selfPub, peerPub) | (rng.int(HIGH_BIT - 1) + 1)) >>> 0;
    if (!inUse(id)) return id;
  }
}

/** True when `circId`, received from `peerPub`, carries the bit that peer must use for ids it picks. */
export function pickedBy(circId: number, pickerPub: Uint8Array, otherPub: Uint8Array): boolean {
  return ((circId & HIGH_BIT) >>> 0) === pickerBit(pickerPub, otherPub) && (circId & (HIGH_BIT - 1)) !== 0;
}

/** The key of one link circuit: the neighbour's authenticated NodeID and the id. */
export function linkKey(peerPub: Uint8Array, circId: number): string {
  return `${toHex(peerPub)}/${circId}`;
}
