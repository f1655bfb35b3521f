import { describe, expect, it } from 'vitest';
import { ExpiringSet } from './expiring-set.ts';

describe('ExpiringSet', () => {
  it('forgets a key at exactly now + lifetime, not before', () => {
    const set = new ExpiringSet(100, 10, 'refuse');
    set.add('a', 0);
    expect(set.has('a', 99)).toBe(true);
    expect(set.has('a', 100)).toBe(false);
    expect(set.size()).toBe(0);
  });

  it("'refuse': holds at most capacity keys and refuses more until the oldest expire", () => {
    const set = new ExpiringSet(100, 2, 'refuse');
    expect(set.add('a', 0)).toBe(true);
    expect(set.add('b', 10)).toBe(true);
    expect(set.hasRoom(50)).toBe(false);
    expect(set.add('c', 50)).toBe(false);
    expect(set.has('c', 50)).toBe(false);
    expect(set.size()).toBe(2);
    expect(set.add('c', 100)).toBe(true); // 'a' expired at 100
    expect(set.size()).toBe(2);
    expect(set.has('b', 100)).toBe(true);
  });

  it("'evict-oldest': holds at most capacity keys, dropping the oldest for a new one", () => {
    const set = new ExpiringSet(1_000, 3, 'evict-oldest');
    for (let i = 0; i < 10; i++) expect(set.add(`k${i}`, i)).toBe(true);
    expect(set.size()).toBe(3);
    expect(['k6', 'k7', 'k8', 'k9'].map((k) => set.has(k, 10))).toEqual([false, true, true, true]);
  });
});
