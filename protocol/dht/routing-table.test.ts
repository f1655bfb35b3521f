import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { bucketIndex, compareDistance, keyToHex, randomKeyInBucket, type DhtKey } from './keys.ts';
import { RoutingTable } from './routing-table.ts';
import { FakeClock } from './testing/fake-clock.ts';
import type { Contact } from './types.ts';

const SELF = new Uint8Array(32);

function contact(key: DhtKey, address = `a-${keyToHex(key).slice(0, 6)}`): Omit<Contact, 'lastSeenMs'> {
  return { key, nodePub: new Uint8Array(33).fill(2), address };
}

interface PingLog {
  contact: Contact;
  answer: (alive: boolean) => void;
}

function table(k = 3, extra: { maxFailures?: number; livenessFreshMs?: number } = {}) {
  const clock = new FakeClock(1_000_000);
  const pings: PingLog[] = [];
  const t = new RoutingTable(
    { clock, ping: (c, answer) => void pings.push({ contact: c, answer }) },
    { selfKey: SELF, k, livenessFreshMs: 1000, ...extra },
  );
  return { clock, pings, t };
}

/** `n` distinct keys in bucket `index` of SELF. */
function keysInBucket(index: number, n: number, seed = 'keys'): DhtKey[] {
  const rng = new SeededRng(seed);
  return Array.from({ length: n }, () => randomKeyInBucket(SELF, index, rng));
}

const keysOf = (cs: readonly { key: DhtKey }[]) => cs.map((c) => keyToHex(c.key));

describe('RoutingTable', () => {
  it('update() keeps each bucket in least-recently-seen order and refreshes lastSeenMs', () => {
    const { clock, t } = table();
    const [a, b, c] = keysInBucket(0, 3);
    expect(t.update(contact(a))).toBe('added');
    clock.advance(10);
    t.update(contact(b));
    clock.advance(10);
    t.update(contact(c));
    clock.advance(10);
    expect(t.update(contact(a))).toBe('updated');
    expect(keysOf(t.bucketContacts(0))).toEqual(keysOf([{ key: b }, { key: c }, { key: a }]));
    expect(t.get(a)?.lastSeenMs).toBe(clock.now());
    expect(t.size).toBe(3);
  });

  it('update() of our own key is refused', () => {
    const { t } = table();
    expect(t.update(contact(SELF))).toBe('self');
    expect(t.size).toBe(0);
  });

  it('a newcomer for a full bucket pings the least-recently-seen contact and is discarded if it answers (§2.2)', () => {
    const { clock, pings, t } = table();
    const [a, b, c, d] = keysInBucket(1, 4);
    for (const key of [a, b, c]) t.update(contact(key));
    clock.advance(5_000);
    expect(t.update(contact(d))).toBe('pending');
    expect(pings).toHaveLength(1);
    expect(keyToHex(pings[0].contact.key)).toBe(keyToHex(a));
    pings[0].answer(true);
    expect(keysOf(t.bucketContacts(1))).toEqual(keysOf([{ key: b }, { key: c }, { key: a }]));
    expect(t.has(d)).toBe(false);
    expect(keysOf(t.replacementsOf(1))).toEqual([keyToHex(d)]);
  });

  it('a dead least-recently-seen contact is evicted and the newcomer takes its place', () => {
    const { clock, pings, t } = table();
    const [a, b, c, d] = keysInBucket(2, 4);
    for (const key of [a, b, c]) t.update(contact(key));
    clock.advance(5_000);
    t.update(contact(d));
    pings[0].answer(false);
    expect(t.has(a)).toBe(false);
    expect(t.has(d)).toBe(true);
    expect(t.size).toBe(3);
  });

  it('only one ping per bucket is out at a time, and a recently seen head is not pinged', () => {
    const { clock, pings, t } = table();
    const keys = keysInBucket(0, 6);
    for (const key of keys.slice(0, 3)) t.update(contact(key));
    t.update(contact(keys[3]));
    expect(pings).toHaveLength(0); // head seen < livenessFreshMs ago
    clock.advance(5_000);
    t.update(contact(keys[4]));
    t.update(contact(keys[5]));
    expect(pings).toHaveLength(1);
    expect(t.replacementsOf(0)).toHaveLength(3);
  });

  it('markFailed evicts after maxFailures consecutive failures; a sign of life resets the count', () => {
    const { t } = table(3, { maxFailures: 2 });
    const [a, b] = keysInBucket(5, 2);
    t.update(contact(a));
    t.update(contact(b));
    expect(t.markFailed(a)).toBe(false);
    t.update(contact(a));
    expect(t.markFailed(a)).toBe(false);
    expect(t.markFailed(a)).toBe(true);
    expect(t.has(a)).toBe(false);
    expect(t.has(b)).toBe(true);
  });

  it('remove() promotes the newest replacement', () => {
    const { clock, pings, t } = table();
    const keys = keysInBucket(0, 5);
    for (const key of keys.slice(0, 3)) t.update(contact(key));
    clock.advance(5_000);
    t.update(contact(keys[3]));
    t.update(contact(keys[4]));
    pings[0].answer(true);
    expect(t.remove(keys[1])).toBe(true);
    expect(t.has(keys[4])).toBe(true);
    expect(t.has(keys[3])).toBe(false);
    expect(t.size).toBe(3);
    expect(t.remove(keys[1])).toBe(false);
  });

  it('closest(key, n) equals a brute-force sort of the table by XOR distance', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 30 }), (seed, n) => {
        const { t } = table(4);
        const rng = new SeededRng(seed);
        for (let i = 0; i < 80; i++) t.update(contact(rng.bytes(32)));
        const target = rng.bytes(32);
        const brute = t.contacts().sort((a, b) => compareDistance(target, a.key, b.key)).slice(0, n);
        expect(keysOf(t.closest(target, n))).toEqual(keysOf(brute));
        for (const c of t.contacts()) expect(t.bucketContacts(bucketIndex(SELF, c.key)).includes(c)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('bucketsNeedingRefresh lists buckets up to one past the deepest without a recent lookup', () => {
    const { clock, t } = table();
    t.update(contact(keysInBucket(0, 1)[0]));
    t.update(contact(keysInBucket(3, 1)[0]));
    expect(t.deepestBucket()).toBe(3);
    expect(t.bucketsNeedingRefresh(1000)).toEqual([]);
    clock.advance(1000);
    t.markLookup(keysInBucket(2, 1, 'other')[0]);
    expect(t.bucketsNeedingRefresh(1000)).toEqual([0, 1, 3, 4]);
  });
});
