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
