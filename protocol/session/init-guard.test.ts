import { describe, expect, it } from 'vitest';
import { InitGuard } from './init-guard.ts';

describe('InitGuard', () => {
  const hash = new Uint8Array(32);

  it('admits timestamps within the skew window only', () => {
    const guard = new InitGuard<string>(1_000, 10);
    expect(guard.admit(5_000, 5_500)).toBe('fresh');
    expect(guard.admit(5_000, 6_001)).toBe('stale');
    expect(guard.admit(7_001, 6_000)).toBe('stale');
  });

  it('remembers an ephemeral key until no copy could pass the timestamp check', () => {
    const guard = new InitGuard<string>(1_000, 10);
    guard.record('e1', hash, 's1', 0);
    expect(guard.get('e1', 1_999)?.session).toBe('s1');
    expect(guard.get('e1', 2_000)).toBeUndefined();
  });

  it('refuses new inits when full, until entries age out', () => {
    const guard = new InitGuard<string>(1_000, 2);
    guard.record('a', hash, 'a', 0);
    guard.record('b', hash, 'b', 10);
    expect(guard.admit(100, 100)).toBe('full');
    expect(guard.admit(2_005, 2_005)).toBe('fresh'); // 'a' expired at 2000
    expect(guard.size()).toBe(1);
  });
});

describe('InitGuard at the expiry millisecond', () => {
  // Guards the boundary fix: the guard forgets an init's ephemeral key at exactly recordedAt + 2·maxSkew
  // (expiresAtMs == now is expired), so that millisecond must already reject the init's timestamp. With the
  // old `> maxSkew` staleness test, an init stamped recordedAt + maxSkew was admitted, and its replay at
  // recordedAt + 2·maxSkew found no entry and a timestamp exactly maxSkew old: admitted again.
  const skew = 1_000;
  const hash = new Uint8Array(32);

  it('a timestamp exactly maxSkew away is stale', () => {
    const guard = new InitGuard<string>(skew, 10);
    expect(guard.admit(skew, 0)).toBe('stale');
    expect(guard.admit(-skew, 0)).toBe('stale');
    expect(guard.admit(skew - 1, 0)).toBe('fresh');
  });

  it('every admitted init is, at every later millisecond, either remembered or stale', () => {
    for (const arrival of [0, 5_000]) {
      for (let ts = arrival - skew; ts <= arrival + skew; ts += 1) {
        const guard = new InitGuard<string>(skew, 10);
        if (guard.admit(ts, arrival) !== 'fresh') continue;
        guard.record('e', hash, 's', arrival);
        for (const later of [arrival + 2 * skew - 1, arrival + 2 * skew, arrival + 2 * skew + 1, ts + skew, ts + skew - 1].filter((t) => t >= arrival).sort((x, y) => x - y)) {
          const remembered = guard.get('e', later) !== undefined;
          expect(remembered || guard.admit(ts, later) === 'stale', `ts ${ts} at ${later}`).toBe(true);
        }
      }
    }
  });

  it('forgets the entry at exactly its expiry, and not a millisecond before', () => {
    const guard = new InitGuard<string>(skew, 10);
    guard.record('e', hash, 's', 0);
    expect(guard.get('e', 2 * skew - 1)).toBeDefined();
    expect(guard.get('e', 2 * skew)).toBeUndefined();
  });
});
