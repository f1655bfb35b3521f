/**
 * Sliding-window anti-replay for one receive direction (RFC 6479, as used by WireGuard): a ring of 32-bit
 * blocks holds one bit per recent sequence number. Every seq is accepted at most once; a seq more than
 * `windowSize` below the highest accepted one is rejected as too old. Out-of-order arrival inside the window is
 * fine, which datagram networks need.
 *
 * `check` is pure and cheap, so a receiver runs it BEFORE decrypting (drop obvious replays without AEAD work)
 * and calls `commit` only AFTER authentication succeeded, so forged packets cannot advance the window
 * (RFC 6479 §2, WireGuard §5.4.6).
 *
 * Memory (issue 14: many mostly-short sessions per node): while every accepted seq is below 32 the window is one
 * int32 field; the ring (windowSize / 32 + 1 blocks) is allocated when the first seq >= 32 is committed, with that
 * field as its block 0. Up to then no block index reaches 1, so the small form answers exactly as the ring would.
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
  /** The ring, once a seq >= 32 was accepted; before that, `firstBlock` holds block 0. */
  private blocks?: Uint32Array;
  /** Block 0 (seqs 0..31) as an int32 bit set, until the ring exists. */
  private firstBlock = 0;
  /** Highest accepted seq, -1 before the first. */
  private top = -1;
  private accepted = 0;
  private replays = 0;
  private tooOld = 0;

  /** `windowSize` must be a positive multiple of 32; one extra block makes room to slide (RFC 6479 §3). */
  constructor(windowSize: number) {
    if (!Number.isInteger(windowSize) || windowSize <= 0 || windowSize % BLOCK_BITS !== 0) {
      throw new RangeError(`replay window must be a positive multiple of ${BLOCK_BITS}, got ${windowSize}`);
    }
    this.windowSize = windowSize;
  }

  /** Would `seq` be accepted now? Does not change state or counters. */
  peek(seq: number): ReplayVerdict {
    if (seq > this.top) return 'fresh';
    if (this.top - seq >= this.windowSize) return 'too-old';
    const bits = this.blocks ? this.blocks[Math.floor(seq / BLOCK_BITS) % this.blocks.length] : this.firstBlock; // no ring: seq <= top < 32
    return (bits >>> seq % BLOCK_BITS) & 1 ? 'replay' : 'fresh';
  }

  /** peek, counting a rejection. */
  check(seq: number): ReplayVerdict {
    const verdict = this.peek(seq);
    if (verdict === 'replay') this.replays++;
    else if (verdict === 'too-old') this.tooOld++;
    return verdict;
  }

  /** Marks an authenticated `seq` as seen. Returns false (and counts) if it was not fresh after all. */
  commit(seq: number): boolean {
    const verdict = this.check(seq);
    if (verdict !== 'fresh') return false;
    const index = Math.floor(seq / BLOCK_BITS);
    if (index === 0 && !this.blocks) {
      this.firstBlock |= 1 << seq;
      this.top = Math.max(this.top, seq);
      this.accepted++;
      return true;
    }
    const blocks = (this.blocks ??= this.ring());
    if (seq > this.top) {
      if (this.top >= 0) {
        // Clear the blocks the window slides over; after a jump of a whole ring or more, all of them.
        const topIndex = Math.floor(this.top / BLOCK_BITS);
        const steps = Math.min(index - topIndex, blocks.length);
        for (let i = 1; i <= steps; i++) blocks[(topIndex + i) % blocks.length] = 0;
      }
      this.top = seq;
    }
    blocks[index % blocks.length] |= 1 << seq % BLOCK_BITS;
    this.accepted++;
    return true;
  }

  /** The full ring, block 0 taken over from the small form (every seq so far was below 32). */
  private ring(): Uint32Array {
    const blocks = new Uint32Array(this.windowSize / BLOCK_BITS + 1);
    blocks[0] = this.firstBlock;
    return blocks;
  }

  /** Whether the ring is allocated (for tests: the small form must hand over to it without a change). */
  hasRing(): boolean {
    return this.blocks !== undefined;
  }

  /** Highest accepted seq, or -1. */
  highest(): number {
    return this.top;
  }

  stats(): Readonly<ReplayStats> {
    return { accepted: this.accepted, replays: this.replays, tooOld: this.tooOld };
  }
}
