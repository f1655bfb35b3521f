/**
 * A token bucket per source address (WireGuard's ratelimiter.c: so many handshakes per second per IP, with a
 * burst), for a responder under load. The table is bounded: a bucket that has been idle long enough to be
 * full again carries no information and is dropped first; when the table is still full, the least recently
 * used bucket goes (its source starts again with a full burst, the price of bounded memory).
 * (protocol/onion/token-bucket.ts is the same idea one layer up; sessions do not import from onion.)
 */
interface Bucket {
  tokens: number;
  atMs: number;
}

export interface SourceRateLimit {
  /** Tokens added per second. */
  readonly ratePerS: number;
  /** Bucket size: the most a fresh or idle source may send at once. */
  readonly burst: number;
  /** Sources tracked at most. */
  readonly maxSources: number;
}

export class SourceRateLimiter {
  // Map order = least recently used first (allow() re-inserts the bucket it touches).
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limit: SourceRateLimit) {}

  /** Takes one token from `source`'s bucket; false when it is empty (the caller drops the packet). */
  allow(source: string, nowMs: number): boolean {
    const bucket = this.buckets.get(source) ?? this.fresh(nowMs);
    this.buckets.delete(source);
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + (Math.max(0, nowMs - bucket.atMs) * this.limit.ratePerS) / 1_000);
    bucket.atMs = nowMs;
    this.buckets.set(source, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  size(): number {
    return this.buckets.size;
  }

  private fresh(nowMs: number): Bucket {
    if (this.buckets.size >= this.limit.maxSources) this.makeRoom(nowMs);
    return { tokens: this.limit.burst, atMs: nowMs };
  }

  private makeRoom(nowMs: number): void {
    const refillMs = (this.limit.burst * 1_000) / this.limit.ratePerS;
    for (const [source, bucket] of this.buckets) {
      if (nowMs - bucket.atMs < refillMs) break; // LRU order: everyone after this one was used later
      this.buckets.delete(source);
    }
    if (this.buckets.size >= this.limit.maxSources) this.buckets.delete(this.buckets.keys().next().value!);
  }
}
