import { describe, expect, it } from 'vitest';
import { SourceRateLimiter } from './source-rate-limiter.ts';

describe('SourceRateLimiter', () => {
  const allowedOf = (limiter: SourceRateLimiter, source: string, n: number, atMs: number) =>
    Array.from({ length: n }, () => limiter.allow(source, atMs)).filter(Boolean).length;

  it('allows a burst, then ratePerS per second, per source', () => {
    const limiter = new SourceRateLimiter({ ratePerS: 5, burst: 10, maxSources: 100 });
    expect(allowedOf(limiter, 'a', 50, 0)).toBe(10);
    expect(allowedOf(limiter, 'b', 50, 0)).toBe(10); // another source has its own bucket
    expect(allowedOf(limiter, 'a', 50, 1_000)).toBe(5);
    expect(allowedOf(limiter, 'a', 50, 1_100)).toBe(0);
    expect(allowedOf(limiter, 'a', 50, 60_000)).toBe(10); // refills to the burst, no further
  });

  it('tracks at most maxSources, forgetting idle (full) buckets first, then the least recently used', () => {
    const limiter = new SourceRateLimiter({ ratePerS: 1, burst: 2, maxSources: 3 });
    for (const s of ['a', 'b', 'c']) allowedOf(limiter, s, 2, 0); // three empty buckets
    limiter.allow('d', 10);
    expect(limiter.size()).toBe(3); // 'a' (least recently used) went, though not yet refilled
    expect(allowedOf(limiter, 'b', 5, 20)).toBe(0); // 'b' kept its (empty) bucket
    // Much later every bucket is full again, so a newcomer finds them all disposable.
    for (let i = 0; i < 10; i++) limiter.allow(`n${i}`, 100_000 + i);
    expect(limiter.size()).toBe(3);
  });
});
