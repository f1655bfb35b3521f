/**
 * Sliding-window anti-replay for one receive direction (RFC 6479, as used by WireGuard): a ring of 32-bit
 * blocks holds one bit per recent sequence number. Every seq is accepted at most once; a seq more than
 * `windowSize` below the highest accepted one is rejected as too old. Out-of-order arrival inside the window is
 * fine, which datagram networks need.
 *
 * `check` is pure and cheap, so a receiver runs it BEFORE decrypting (drop obvious replays without AEAD work)
 * and calls `commit` only AFTER authentication succeeded, so forged packets cannot advance the window
 * (RFC 6479 §2, WireGuard §5.4.6).
 */

const BLOCK_BITS = 32;

export type ReplayVerdict = 'fresh' | 'replay' | 'too-old';

export interface ReplayStats {
  accepted: number;
  replays: number;
  tooOld: number;
}

export class ReplayWindow {
  readonly windowSize: number;
  private readonly blocks: Uint32Array;
  /** Highest accepted seq, -1 before the first. */
  private top = -1;
  private readonly counters: ReplayStats = { accepted: 0, replays: 0, tooOld: 0 };

  /** `windowSize` must be a positive multiple of 32; one extra block makes room to slide (RFC 6479 §3). */
  constructor(windowSize: number) {
    if (!Number.isInteger(windowSize) || windowSize <= 0 || windowSize % BLOCK_BITS !== 0) {
      throw new RangeError(`replay window must be a positive multiple of ${BLOCK_BITS}, got ${windowSize}`);
    }
    this.windowSize = windowSize;
    this.blocks = new Uint32Array(windowSize / BLOCK_BITS + 1);
  }

  /** Would `seq` be accepted now? Does not change state or counters. */
  peek(seq: number): ReplayVerdict {
    if (seq > this.top) return 'fresh';
    if (this.top - seq >= this.windowSize) return 'too-old';
    const block = Math.floor(seq / BLOCK_BITS) % this.blocks.length;
    return (this.blocks[block] >>> seq % BLOCK_BITS) & 1 ? 'replay' : 'fresh';
  }

  /** peek, counting a rejection. */
  check(seq: number): ReplayVerdict {
    const verdict = this.peek(seq);
    if (verdict === 'replay') this.counters.replays++;
    else if (verdict === 'too-old') this.counters.tooOld++;
    return verdict;
  }

  /** Marks an authenticated `seq` as seen. Returns false (and counts) if it was not fresh after all. */
  commit(seq: number): boolean {
    const verdict = this.check(seq);
    if (verdict !== 'fresh') return false;
    const index = Math.floor(seq / BLOCK_BITS);
    if (seq > this.top) {
      if (this.top >= 0) {
        // Clear the blocks the window slides over; after a jump of a whole ring or more, all of them.
        const topIndex = Math.floor(this.top / BLOCK_BITS);
        const steps = Math.min(index - topIndex, this.blocks.length);
        for (let i = 1; i <= steps; i++) this.blocks[(topIndex + i) % this.blocks.length] = 0;
      }
      this.top = seq;
    }
    this.blocks[index % this.blocks.length] |= 1 << seq % BLOCK_BITS;
    this.counters.accepted++;
    return true;
  }

  /** Highest accepted seq, or -1. */
  highest(): number {
    return this.top;
  }

  stats(): Readonly<ReplayStats> {
    return { ...this.counters };
  }
}
