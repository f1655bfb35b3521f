import { describe, expect, it } from 'vitest';
import { BoundedMap, RateLimiter } from './bounded-map.ts';
import { NatObserver } from './nat-observer.ts';

describe('bounded tables', () => {
  it('BoundedMap evicts the oldest beyond capacity, refreshes on set, and expires entries', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2, 100);
    m.set('a', 3); // refresh: 'b' is now oldest
    m.set('c', 4);
    expect([m.get('a', 0), m.get('b', 0), m.get('c', 0)]).toEqual([3, undefined, 4]);
    m.set('d', 5, 50);
    expect(m.get('d', 49)).toBe(5);
    expect(m.get('d', 50)).toBeUndefined();
    expect(() => new BoundedMap(0)).toThrow(RangeError);
  });

  // Guards the lazily made tables and the expiries kept apart from the values (issue 14): an untouched BoundedMap
  // answers as an empty one; order, capacity and expiry hold as with one { value, expiresMs } table; a refresh
  // without expiry forgets the old one, and an evicted or deleted key leaves no expiry behind for its successor.
  it('BoundedMap before any set reads empty; after it, evicts and expires as usual', () => {
    const m = new BoundedMap<string, number>(2);
    expect([m.size, m.get('a', 0), m.has('a', 0), m.delete('a'), m.values(0)]).toEqual([0, undefined, false, false, []]);
    m.set('a', 1, 10);
    m.set('b', 2);
    m.set('c', 3);
    expect([m.size, m.values(0)]).toEqual([2, [2, 3]]);
    m.set('d', 4, 10);
    expect(m.values(10)).toEqual([3]);
    expect(m.delete('c')).toBe(true);
    expect(m.size).toBe(0);
    m.set('e', 5, 10);
    m.set('e', 6);
    expect(m.get('e', 20)).toBe(6);
    m.set('f', 7, 10);
    m.set('g', 8);
    m.set('h', 9); // evicts 'e', then 'f' with its expiry
    m.set('f', 10);
    expect([m.get('f', 20), m.values(20)]).toEqual([10, [9, 10]]);
  });

  it('RateLimiter allows `limit` events per key per window', () => {
    const r = new RateLimiter(2, 1000, 8);
    expect([r.allow('x', 0), r.allow('x', 10), r.allow('x', 20), r.allow('y', 20)]).toEqual([true, true, false, true]);
    expect(r.allow('x', 1000)).toBe(true);
  });

  it('NatObserver: one report says nothing, equal reports endpoint-independent, differing address-dependent', () => {
    const o = new NatObserver(4, 10_000);
    const p = (i: number) => new Uint8Array(33).fill(i);
    expect(o.report(p(1), 'a', 0)).toBe('unknown');
    expect(o.report(p(2), 'a', 0)).toBe('endpoint-independent');
    expect(o.report(p(3), 'a:3', 0)).toBe('address-dependent');
    expect(o.observedAddress).toBe('a:3');
    expect(o.mapping(20_000)).toBe('unknown'); // reports expire
  });
});
