/**
 * Token buckets keyed by peer (CREATEs per previous hop): each key refills `ratePerS` tokens per second up
 * to `burst`. The table itself is bounded: beyond `maxKeys` the least recently used key is forgotten (it
 * comes back with a full bucket, so a forgotten peer gains at most one burst).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    private readonly maxKeys: number,
  ) {}

  /** Takes one token for `key` at time `nowMs`; false (nothing taken) when the bucket is empty. */
  take(key: string, nowMs: number): boolean {
    const b = this.buckets.get(key) ?? { tokens: this.burst, atMs: nowMs };
    this.buckets.delete(key); // re-inserted below: Map order = least recently used first
    b.tokens = Math.min(this.burst, b.tokens + (Math.max(0, nowMs - b.atMs) * this.ratePerS) / 1000);
    b.atMs = nowMs;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.set(key, b);
    while (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    return ok;
  }

  get size(): number {
    return this.buckets.size;
  }
}
