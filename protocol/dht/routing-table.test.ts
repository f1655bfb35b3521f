import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { bucketIndex, compareDistance, keyToHex, randomKeyInBucket, type DhtKey } from './keys.ts';
import { REPLACEMENT_CACHE_SIZE } from './constants.ts';
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

  // Guards the wrapper-free entries (issue 14: failure counts live in a map of the failing entries only, and the
  // entries are reordered in place): a count must follow its contact through reorders and evictions, and a
  // promoted replacement must take the tail as splice-and-push put it.
  it('failure counts follow their contact through in-place reorders, evictions and promotions', () => {
    const { clock, pings, t } = table(3, { maxFailures: 3 });
    const [a, b, c, d] = keysInBucket(5, 4);
    for (const key of [a, b, c]) t.update(contact(key));
    expect(t.markFailed(b)).toBe(false);
    expect(t.markFailed(b)).toBe(false);
    t.update(contact(a)); // [b, c, a]
    expect(keysOf(t.bucketContacts(5))).toEqual(keysOf([{ key: b }, { key: c }, { key: a }]));
    expect(t.markFailed(c)).toBe(false);
    expect(t.markFailed(b)).toBe(true); // b's third: its count moved with it, c's is its own
    expect(keysOf(t.bucketContacts(5))).toEqual(keysOf([{ key: c }, { key: a }]));
    t.update(contact(b)); // back, with no failures
    clock.advance(5_000);
    t.update(contact(d)); // full: d waits as a replacement, c (the head) is pinged
    pings[0].answer(true); // [a, b, c]
    expect(keysOf(t.bucketContacts(5))).toEqual(keysOf([{ key: a }, { key: b }, { key: c }]));
    expect(t.markFailed(c)).toBe(false); // c's count restarted when the ping moved it
    expect(t.remove(a)).toBe(true); // d promoted to the tail
    expect(keysOf(t.bucketContacts(5))).toEqual(keysOf([{ key: b }, { key: c }, { key: d }]));
    expect(t.markFailed(b)).toBe(false);
    expect(t.markFailed(b)).toBe(false);
    expect(t.markFailed(d)).toBe(false);
    expect(t.markFailed(b)).toBe(true);
    expect(t.markFailed(c)).toBe(false);
    expect(t.markFailed(c)).toBe(true);
    expect(keysOf(t.bucketContacts(5))).toEqual(keysOf([{ key: d }]));
    expect(t.size).toBe(1);
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

  describe('rekey(newSelf)', () => {
    it('re-buckets entries and replacements in place: failures, least-recently-seen order and lookups keep working', () => {
      const { clock, pings, t } = table(2);
      const newSelf = keysInBucket(0, 1, 'new-self')[0]; // differs from SELF in bit 0
      const [a, b] = [randomKeyInBucket(newSelf, 3, new SeededRng('a')), randomKeyInBucket(newSelf, 3, new SeededRng('b'))];
      const c = randomKeyInBucket(newSelf, 3, new SeededRng('c'));
      // All three are in bucket 0 of SELF (they share newSelf's first bit); k = 2, so c waits as a replacement.
      for (const key of [a, b, c]) {
        t.update(contact(key));
        clock.advance(10);
      }
      expect(t.bucketContacts(0)).toHaveLength(2);
      expect(keysOf(t.replacementsOf(0))).toEqual([keyToHex(c)]);
      t.markFailed(b);
      const selfContact = { ...contact(newSelf), key: newSelf };
      t.update(contact(keysInBucket(1, 1)[0])); // far from newSelf: bucket 0 there
      const before = t.contacts().length;
      const r = t.rekey(newSelf);
      expect(t.selfKey).toBe(newSelf);
      expect(r).toEqual({ kept: 3, parked: 0, dropped: 0 });
      expect(t.size).toBe(before);
      // a (no failures) and b (one failure) fill bucket 3 in least-recently-seen order; c still waits.
      expect(keysOf(t.bucketContacts(3))).toEqual(keysOf([{ key: a }, { key: b }]));
      expect(keysOf(t.replacementsOf(3))).toEqual([keyToHex(c)]);
      expect(t.update(selfContact)).toBe('self');
      // b's failure count survived the move: two more failures make MAX_FAILURES (3) and evict it.
      expect(t.markFailed(b)).toBe(false);
      expect(t.markFailed(b)).toBe(true);
      expect(t.has(b)).toBe(false);
      expect(t.has(c)).toBe(true); // promoted from the replacement cache of its new bucket
      expect(pings).toHaveLength(0);
    });

    it('a liveness ping in flight across a rekey no longer touches the table', () => {
      const { clock, pings, t } = table(1);
      const [a, b] = keysInBucket(0, 2);
      t.update(contact(a));
      clock.advance(5_000);
      t.update(contact(b));
      expect(pings).toHaveLength(1);
      t.rekey(keysInBucket(4, 1, 'other-self')[0]);
      pings[0].answer(false);
      expect(t.has(a)).toBe(true);
    });

    it('property: every contact lands in bucketIndex(newSelf, key); none is lost but the new self key and overflow of full buckets', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 0, max: 120 }),
          fc.boolean(),
          (seed, k, n, selfIsContact) => {
            const { clock, t } = table(k, { livenessFreshMs: 0 });
            const rng = new SeededRng(seed);
            const target = rng.bytes(32);
            // Half the keys near the future self key, so its deep buckets are populated too.
            const keys = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? rng.bytes(32) : randomKeyInBucket(target, rng.int(12), rng)));
            for (const key of keys) {
              t.update(contact(key));
              clock.advance(1 + rng.int(3));
            }
            const newSelf = selfIsContact && n > 0 ? keys[rng.int(n)] : target;
            const held = (): Map<string, DhtKey> => {
              const m = new Map<string, DhtKey>();
              for (let i = 0; i < 256; i++) for (const c of [...t.bucketContacts(i), ...t.replacementsOf(i)]) m.set(keyToHex(c.key), c.key);
              return m;
            };
            const before = held();
            const r = t.rekey(newSelf);
            const after = held();
            let entries = 0;
            for (let i = 0; i < 256; i++) {
              const bucket = t.bucketContacts(i);
              entries += bucket.length;
              expect(bucket.length).toBeLessThanOrEqual(k);
              for (const c of [...bucket, ...t.replacementsOf(i)]) expect(bucketIndex(newSelf, c.key)).toBe(i);
              for (const c of bucket) expect(t.get(c.key)).toBe(c);
              const stamps = bucket.map((c) => c.lastSeenMs);
              expect(stamps).toEqual([...stamps].sort((x, y) => x - y));
            }
            expect(t.size).toBe(entries);
            for (const hex of after.keys()) expect(before.has(hex)).toBe(true);
            for (const [hex, key] of before) {
              if (after.has(hex)) continue;
              const index = bucketIndex(newSelf, key);
              // Lost only if it is the new self key, or its new bucket and that bucket's cache are both full.
              if (index >= 0) {
                expect(t.bucketContacts(index)).toHaveLength(k);
                expect(t.replacementsOf(index)).toHaveLength(REPLACEMENT_CACHE_SIZE);
              }
            }
            expect(r.dropped).toBe(before.size - after.size);
            expect(r.kept).toBe(t.size);
            // Room for everyone: nothing but the new self key is lost, and no entry is parked.
            if (before.size <= k) expect(after.size).toBe(before.size - (before.has(keyToHex(newSelf)) ? 1 : 0));
          },
        ),
        { numRuns: 150 },
      );
    });
  });

  // Guards issue 14: a table must not allocate its 256 buckets up front (~30 KB per DHT node, most of them never
  // used); buckets are created on first write. A heap measurement, not a timing. Up front allocation failed this.
  // Guards issue 14: a full bucket of k = 8 holds its contacts in one exact-size array and no wrapper per entry
  // (~610 B per bucket with its 8 contacts; a { contact, failures } per entry and a pushed-to array were ~910 B).
  it('a full bucket of 8 costs under 750 B of heap with its contacts', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const clock = new FakeClock(0);
    const keys = keysInBucket(5, 8);
    const nodePub = new Uint8Array(33).fill(2);
    // The least of three measurements: anything else allocating in this process between the two gc() calls can only
    // add to one of them (a run beside other test files once read above the bound), never take from it.
    const perTable: number[] = [];
    let tables: RoutingTable[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      tables = Array.from({ length: 1000 }, () => new RoutingTable({ clock, ping: () => {} }, { selfKey: SELF, k: 8 }));
      gc();
      const before = process.memoryUsage().heapUsed;
      for (const t of tables) for (const round of [0, 1]) for (const key of keys) expect(t.update({ key, nodePub, address: 'a' })).toBe(round === 0 ? 'added' : 'updated');
      gc();
      perTable.push((process.memoryUsage().heapUsed - before) / tables.length);
    }
    expect(Math.min(...perTable)).toBeLessThan(750);
    expect(keysOf(tables[0].bucketContacts(5))).toEqual(keysOf(keys.map((key) => ({ key }))));
  });

  it('an empty table costs under 4 KB of heap, and a bucket written once reads as before', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const clock = new FakeClock(0);
    gc();
    const before = process.memoryUsage().heapUsed;
    const tables = Array.from({ length: 1000 }, () => new RoutingTable({ clock, ping: () => {} }, { selfKey: SELF }));
    gc();
    const perTable = (process.memoryUsage().heapUsed - before) / tables.length;
    expect(perTable).toBeLessThan(4096);
    const t = tables[0];
    expect(t.bucketsNeedingRefresh(0)).toEqual([0]);
    expect(t.update(contact(keysInBucket(5, 1)[0]))).toBe('added');
    clock.advance(10);
    expect(t.bucketsNeedingRefresh(10)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(t.bucketContacts(4)).toEqual([]);
    expect(t.bucketContacts(5)).toHaveLength(1);
  });
});

