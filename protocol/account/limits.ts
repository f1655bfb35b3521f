/**
 * Small bounds shared by the roles: a token bucket (rate limits that need no timer: refilled from the clock on
 * use) and a FIFO set of recently seen byte strings (replay cache with a fixed capacity).
 */
import { toHex } from '../crypto/bytes.ts';

export class TokenBucket {
  private tokens: number;
  private atMs: number;

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.atMs = nowMs;
  }

  /** Takes one token at `nowMs`; false (nothing taken) when empty. */
  take(nowMs: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, nowMs - this.atMs) * this.ratePerS) / 1000);
    this.atMs = Math.max(this.atMs, nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class RecentSet {
  private readonly seen = new Set<string>();

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`RecentSet capacity must be >= 1, got ${capacity}`);
  }

  has(value: Uint8Array): boolean {
    return this.seen.has(toHex(value));
  }

  /** Remembers `value`, forgetting the oldest beyond capacity (Set order = insertion order). */
  add(value: Uint8Array): void {
    this.seen.add(toHex(value));
    while (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value as string);
  }

  get size(): number {
    return this.seen.size;
  }
}
