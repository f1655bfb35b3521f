import { describe, expect, it } from 'vitest';
import { KeyedTokenBuckets } from './keyed-token-buckets.ts';

describe('KeyedTokenBuckets', () => {
  it('spends a burst, regains one token per refill interval, never more than the burst', () => {
    const limit = new KeyedTokenBuckets({ burst: 2, refillMs: 1_000, maxKeys: 10 });
    expect([limit.take('a', 0), limit.take('a', 0), limit.take('a', 0), limit.take('b', 0)]).toEqual([true, true, false, true]);
    expect(limit.take('a', 999)).toBe(false);
    expect([limit.take('a', 1_000), limit.take('a', 1_000)]).toEqual([true, false]);
    expect([limit.take('a', 61_000), limit.take('a', 61_000), limit.take('a', 61_000)]).toEqual([true, true, false]);
  });

  it('keeps the fraction of a token earned before a refill (no drift at odd intervals)', () => {
    const limit = KeyedTokenBuckets.perSecond(5, 1, 10); // one token per 200 ms
    expect(limit.take('a', 0)).toBe(true);
    expect(limit.take('a', 150)).toBe(false);
    expect(limit.take('a', 200)).toBe(true); // 200 ms after the first, not after the refused one
    expect(limit.take('a', 399)).toBe(false);
    expect(limit.take('a', 400)).toBe(true);
  });

  it('a clock stepping back gains nothing', () => {
    const limit = new KeyedTokenBuckets({ burst: 1, refillMs: 1_000, maxKeys: 10 });
    expect(limit.take('a', 5_000)).toBe(true);
    expect(limit.take('a', 0)).toBe(false);
    expect(limit.take('a', 5_999)).toBe(false);
  });

  it('peek does not spend; the table forgets the least recently used key at maxKeys', () => {
    const limit = new KeyedTokenBuckets({ burst: 1, refillMs: 1_000, maxKeys: 2 });
    expect(limit.peek('a', 0)).toBe(true);
    expect(limit.take('a', 0)).toBe(true);
    expect(limit.take('b', 0)).toBe(true);
    limit.take('a', 0); // touch a: b is now the least recently used
    expect(limit.take('c', 0)).toBe(true);
    expect(limit.size).toBe(2);
    expect(limit.take('a', 0)).toBe(false); // still remembered, still empty
    expect(limit.take('b', 0)).toBe(true); // forgotten: starts full again
  });

  it('rejects a configuration that could never admit anything', () => {
    expect(() => new KeyedTokenBuckets({ burst: 0, refillMs: 1, maxKeys: 1 })).toThrow(RangeError);
    expect(() => new KeyedTokenBuckets({ burst: 1, refillMs: 0, maxKeys: 1 })).toThrow(RangeError);
    expect(() => new KeyedTokenBuckets({ burst: 1, refillMs: 1, maxKeys: 0 })).toThrow(RangeError);
  });
});
