/**
 * Token buckets by key (a source address, a requester's NodeID, a previous hop), in a bounded table: a key may
 * spend `burst` tokens at once and regains one every `refillMs`. The one rate limiter of the stack: sessions
 * (handshakes per source), the DHT (first contacts per host, CONFIRMs per requester) and onion relays (CREATEs
 * per previous hop) all use it.
 *
 * Bounded: at `maxKeys` the least recently used key is forgotten. A forgotten key starts again with a full
 * bucket, which is what a key idle long enough would have anyway; an attacker who cycles through more than
 * `maxKeys` keys to reset its own bucket pays for every key it cycles through, and callers bound what one token
 * buys. Refill is counted in whole tokens from the last refill instant, so equal inputs give equal decisions
 * whatever the rate (no fractional token drift).
 */
export interface KeyedTokenBucketsInit {
  /** Tokens a new (or long idle) key starts with; at least 1. */
  readonly burst: number;
  /** One token comes back per this many milliseconds; > 0. */
  readonly refillMs: number;
  /** Keys remembered at most; at least 1. */
  readonly maxKeys: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export class KeyedTokenBuckets {
  // Map order = least recently used first (every touch re-inserts the bucket).
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly init: KeyedTokenBucketsInit) {
    if (!(init.burst >= 1 && init.refillMs > 0 && init.maxKeys >= 1)) {
      throw new RangeError(`KeyedTokenBuckets: burst >= 1, refillMs > 0, maxKeys >= 1 required, got ${JSON.stringify(init)}`);
    }
  }

  /** A rate given per second, as buckets refilling one token per 1000 / ratePerS ms. */
  static perSecond(ratePerS: number, burst: number, maxKeys: number): KeyedTokenBuckets {
    return new KeyedTokenBuckets({ burst, refillMs: 1_000 / ratePerS, maxKeys });
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Whether `key` may act at `nowMs`; spends one token when it may. */
  take(key: string, nowMs: number): boolean {
    const bucket = this.refilled(key, nowMs);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Whether `key` has a token at `nowMs`, without spending it. */
  peek(key: string, nowMs: number): boolean {
    return this.refilled(key, nowMs).tokens >= 1;
  }

  private refilled(key: string, nowMs: number): Bucket {
    const { burst, refillMs, maxKeys } = this.init;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: burst, atMs: nowMs };
      if (this.buckets.size >= maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    } else {
      this.buckets.delete(key); // re-inserted below
      const gained = Math.floor(Math.max(0, nowMs - bucket.atMs) / refillMs); // a clock stepping back gains nothing
      if (gained > 0) {
        bucket.tokens = Math.min(burst, bucket.tokens + gained);
        bucket.atMs = bucket.tokens >= burst ? nowMs : bucket.atMs + gained * refillMs;
      }
    }
    this.buckets.set(key, bucket);
    return bucket;
  }
}
