/**
 * The DHT at the size issue 4 asks for: 200 nodes on the in-test fake network, all joining through bootstrap.
 * One seeded network serves several checks; the hop-growth check builds its own (k = 4, so growth is visible
 * at these sizes: with k = 20 a 200-node table already holds ~85 contacts and most lookups take 0-1 hops).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RECORD_TYPE_BINDING } from './constants.ts';
import type { FindNodeResult, ResolveResult, StoreResult } from './dht-node.ts';
import { bytesEqual, keyToHex } from './keys.ts';
import { Testbed } from './testing/testbed.ts';

const N = 200;
const K = 20;
const HOUR = 3_600_000;
const hex = (cs: readonly { key: Uint8Array }[]) => cs.map((c) => keyToHex(c.key));

describe(`a ${N}-node Kademlia (k = ${K}, alpha = 3)`, () => {
  const tb = new Testbed({ seed: 'network-200', config: { k: K, autoRefresh: false } });

  beforeAll(() => {
    expect(tb.grow(N)).toEqual([]);
  }, 60_000); // 200 joins with real handshakes: ~11-18 s alone, more on a loaded 2-core machine

  it('every node finds every existing id it looks up', () => {
    const hops: number[] = [];
    for (const a of tb.nodes) {
      for (let j = 0; j < 2; j++) {
        const b = tb.nodes[(a.index + 1 + tb.rng.int(N - 1)) % N];
        const r = tb.await<FindNodeResult>((cb) => a.dht.findNode(b.key, cb));
        expect(r.found && keyToHex(r.found.key)).toBe(keyToHex(b.key));
        expect(r.found?.address).toBe(b.address);
        hops.push(r.hops);
      }
    }
    const mean = hops.reduce((s, h) => s + h, 0) / hops.length;
    expect(mean).toBeLessThan(Math.log2(N / K) + 1);
    expect(Math.max(...hops)).toBeLessThanOrEqual(4);
  });

  it('a lookup for an id that does not exist returns exactly the k closest live nodes (brute force)', () => {
    for (let i = 0; i < 60; i++) {
      const searcher = tb.nodes[tb.rng.int(N)];
      const ghost = tb.rng.bytes(32);
      const r = tb.await<FindNodeResult>((cb) => searcher.dht.findNode(ghost, cb));
      expect(r.found).toBeUndefined();
      expect(hex(r.closest)).toEqual(hex(tb.trueClosest(ghost, K, searcher.key)));
    }
  });

  it('honest traffic causes no drops for bad input', () => {
    for (const n of tb.nodes) {
      const { drops, decodeErrors } = n.dht.stats();
      const nonZero = Object.entries({ ...drops, ...decodeErrors }).filter(([, v]) => v > 0);
      expect(nonZero).toEqual([]);
    }
  });

  it('a stored binding survives the loss of a third of its replica holders, and replication restores k copies', () => {
    const alice = tb.nodes[42];
    const stored = tb.await<StoreResult>((cb) => alice.dht.publishBinding(cb));
    expect(stored.replicas).toBe(K + 1);
    const holders = tb.nodes.filter((n) => n !== alice && n.dht.records.get(alice.key, RECORD_TYPE_BINDING) !== undefined);
    expect(holders.length).toBe(K);
    const lost = holders.slice(0, Math.ceil(holders.length / 3));
    for (const n of [...lost, alice]) {
      n.dht.stop();
      tb.network.setOnline(n.address, false);
    }
    const askers = tb.online().filter((n) => !holders.includes(n));
    for (let i = 0; i < 20; i++) {
      const asker = askers[tb.rng.int(askers.length)];
      const r = tb.await<ResolveResult>((cb) => asker.dht.resolve(alice.key, cb));
      expect(r.ok && r.binding.address).toBe(alice.address);
    }
    // Until the live nodes near the key notice the losses, their NODES replies still name the dead holders, so a
    // lookup sees fewer than k live nodes. Lookups (as bucket refreshes would run) give each of them MAX_FAILURES
    // failed checks per dead contact, which evicts those contacts...
    const near = tb.trueClosest(alice.key, 40);
    for (let round = 0; round < 3; round++) for (const n of near) tb.await<FindNodeResult>((cb) => n.dht.findNode(alice.key, cb));
    for (const n of near) for (const dead of lost) expect(n.dht.table.has(dead.key)).toBe(false);
    // ... and hourly replication (§2.5) by the surviving holders re-creates k copies on the live nodes closest to the key.
    tb.clock.advance(2 * HOUR);
    tb.settle();
    const holdersNow = tb.online().filter((n) => n.dht.records.get(alice.key, RECORD_TYPE_BINDING) !== undefined);
    expect(holdersNow.length).toBeGreaterThanOrEqual(K);
    expect(tb.trueClosest(alice.key, K).filter((n) => !holdersNow.includes(n))).toEqual([]);
  });

  it('contacts that stopped answering are evicted from the tables of nodes that kept querying them', () => {
    const gone = tb.nodes.filter((n) => !tb.network.isOnline(n.address));
    expect(gone.length).toBeGreaterThan(0);
    // A round of lookups towards the dead nodes' ids gives their neighbours repeated failed liveness checks.
    for (let round = 0; round < 3; round++) {
      for (const dead of gone) {
        for (const n of tb.trueClosest(dead.key, 5)) tb.await<FindNodeResult>((cb) => n.dht.findNode(dead.key, cb));
      }
    }
    for (const dead of gone) {
      for (const n of tb.trueClosest(dead.key, 5)) expect(n.dht.table.has(dead.key)).toBe(false);
    }
  });
});

describe('hop count grows like log n', () => {
  it('mean hops for existing ids rise with network size and stay below log2 n (k = 4)', () => {
    const tb = new Testbed({ seed: 'hops', config: { k: 4, autoRefresh: false } });
    const means: number[] = [];
    for (const n of [25, 50, 100, 200]) {
      tb.grow(n);
      let total = 0;
      const lookups = 150;
      for (let i = 0; i < lookups; i++) {
        const a = tb.nodes[tb.rng.int(n)];
        const b = tb.nodes[(a.index + 1 + tb.rng.int(n - 1)) % n];
        const r = tb.await<FindNodeResult>((cb) => a.dht.findNode(b.key, cb));
        expect(r.found !== undefined && bytesEqual(r.found.key, b.key)).toBe(true);
        total += r.hops;
      }
      means.push(total / lookups);
    }
    for (let i = 1; i < means.length; i++) expect(means[i]).toBeGreaterThan(means[i - 1] - 0.1);
    expect(means[3] - means[0]).toBeGreaterThan(0.4);
    [25, 50, 100, 200].forEach((n, i) => expect(means[i]).toBeLessThan(Math.log2(n)));
    console.log(`mean hops at n = 25, 50, 100, 200 (k = 4): ${means.map((m) => m.toFixed(2)).join(', ')}`);
  });
});

describe('lossy, jittered network', () => {
  it('with 5% message loss and 5-80 ms latency, lookups still find existing ids; losses become timeouts, not errors', () => {
    const tb = new Testbed({
      seed: 'lossy',
      config: { k: 8, autoRefresh: false, requestTimeoutMs: 500 },
      network: { lossRate: 0.05, latencyMs: (rng) => 5 + rng.uniform() * 75 },
    });
    expect(tb.grow(80).length).toBeLessThanOrEqual(1);
    let found = 0;
    const lookups = 200;
    for (let i = 0; i < lookups; i++) {
      const a = tb.nodes[tb.rng.int(80)];
      const b = tb.nodes[(a.index + 1 + tb.rng.int(79)) % 80];
      const r = tb.await<FindNodeResult>((cb) => a.dht.findNode(b.key, cb));
      if (r.found !== undefined && bytesEqual(r.found.key, b.key)) found++;
    }
    expect(found / lookups).toBeGreaterThan(0.9);
    const totals = tb.nodes.map((n) => n.dht.stats());
    expect(totals.reduce((s, x) => s + x.timeouts, 0)).toBeGreaterThan(0);
    expect(totals.reduce((s, x) => s + x.drops.malformed + x.drops['unexpected-reply'], 0)).toBe(0);
  });
});
