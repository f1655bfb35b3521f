/**
 * Token buckets by key (a requester's NodeID, a host), in a bounded table: each key may spend `burst` tokens at
 * once and regains one every `refillMs`. Time from the injected Clock.
 *
 * Bounded: at `maxKeys` the least recently used key is forgotten. A forgotten key starts again with a full
 * bucket, which is what a key idle long enough would have anyway; an attacker who cycles through more than
 * `maxKeys` keys to reset its own bucket pays for every key it cycles through (one NodeID or host each), and
 * callers bound what one token buys.
 */
import type { Clock } from '../runtime/clock.ts';

export interface KeyedRateLimitInit {
  /** Tokens a new (or long idle) key starts with. */
  burst: number;
  /** One token comes back per this many milliseconds. */
  refillMs: number;
  /** Keys remembered at most. */
  maxKeys: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export class KeyedRateLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly init: KeyedRateLimitInit,
  ) {
    if (!(init.burst >= 1 && init.refillMs > 0 && init.maxKeys >= 1)) {
      throw new RangeError(`KeyedRateLimit: burst >= 1, refillMs > 0, maxKeys >= 1 required, got ${JSON.stringify(init)}`);
    }
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Whether `key` may act now; spends one token when it may. */
  take(key: string): boolean {
    const now = this.clock.now();
    const bucket = this.refilled(key, now);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Whether `key` has a token now, without spending it. */
  peek(key: string): boolean {
    return this.refilled(key, this.clock.now()).tokens >= 1;
  }

  private refilled(key: string, now: number): Bucket {
    const { burst, refillMs, maxKeys } = this.init;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: burst, atMs: now };
      if (this.buckets.size >= maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    } else {
      this.buckets.delete(key); // re-inserted below: Map order is least recently used first
      const gained = Math.floor((now - bucket.atMs) / refillMs);
      if (gained > 0) {
        bucket.tokens = Math.min(burst, bucket.tokens + gained);
        bucket.atMs = bucket.tokens >= burst ? now : bucket.atMs + gained * refillMs;
      }
    }
    this.buckets.set(key, bucket);
    return bucket;
  }
}
