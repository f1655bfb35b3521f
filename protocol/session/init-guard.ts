/**
 * Responder-side guard against replayed handshake inits. An init is accepted only if its timestamp lies
 * strictly within ±maxSkewMs of the responder's clock, and its ephemeral key is remembered until no copy of it
 * could pass that check any more (now + 2·maxSkewMs; expired at exactly that millisecond, which is exactly
 * when the most-ahead admissible timestamp turns stale: both boundaries are exclusive). A second arrival of a remembered key is either a
 * retransmission (byte-identical msg1 while the half-open session still waits: msg2 is resent, no new ECMQV
 * work) or a replay (dropped). Bounded: when full, new inits are refused until entries age out.
 */
export type InitVerdict = 'fresh' | 'stale' | 'full';

/**
 * Whether an init stamped `timestampMs` may be accepted at `nowMs`: strictly within ±maxSkewMs. Strict, so an
 * init accepted at time a (timestamp < a + maxSkewMs) is stale from a + 2·maxSkewMs on, the very millisecond
 * its replay-set entry expires; with `<=` here a replay at that millisecond would pass.
 */
export function isFreshInitTimestamp(timestampMs: number, nowMs: number, maxSkewMs: number): boolean {
  return Math.abs(timestampMs - nowMs) < maxSkewMs;
}

export interface GuardEntry<S> {
  readonly expiresAtMs: number;
  /** SHA-256 of the msg1 bytes, to tell a retransmission from a forged packet reusing the ephemeral key. */
  readonly packetHash: Uint8Array;
  readonly session: S;
}

export class InitGuard<S> {
  // Insertion order = expiry order, as expiry is now + a constant (a wall clock stepping back only makes
  // some entries live longer, which errs on the safe side).
  private readonly entries = new Map<string, GuardEntry<S>>();

  constructor(
    private readonly maxSkewMs: number,
    private readonly capacity: number,
  ) {}

  get(ephemeralHex: string, nowMs: number): GuardEntry<S> | undefined {
    this.prune(nowMs);
    return this.entries.get(ephemeralHex);
  }

  /** Checks the timestamp and room; does not record. */
  admit(timestampMs: number, nowMs: number): InitVerdict {
    if (!isFreshInitTimestamp(timestampMs, nowMs, this.maxSkewMs)) return 'stale';
    this.prune(nowMs);
    return this.entries.size >= this.capacity ? 'full' : 'fresh';
  }

  record(ephemeralHex: string, packetHash: Uint8Array, session: S, nowMs: number): void {
    this.entries.set(ephemeralHex, { expiresAtMs: nowMs + 2 * this.maxSkewMs, packetHash, session });
  }

  size(): number {
    return this.entries.size;
  }

  private prune(nowMs: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAtMs > nowMs) break;
      this.entries.delete(key);
    }
  }
}
