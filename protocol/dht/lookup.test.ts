import { describe, expect, it } from 'vitest';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { bucketIndex, compareDistance, keyToHex, type DhtKey } from './keys.ts';
import { Lookup, type LookupResult, type QueryOutcome } from './lookup.ts';
import { FakeClock } from './testing/fake-clock.ts';
import type { Contact, DhtRecord } from './types.ts';

/** In these tests a contact's nodePub is 0x02 || key, so keyOf is a slice and no hashing is involved. */
const contactOf = (key: DhtKey): Contact => ({ key, nodePub: Uint8Array.of(2, ...key), address: keyToHex(key).slice(0, 8), lastSeenMs: 0 });
const keyOf = (pub: Uint8Array) => pub.subarray(1);
const hex = keyToHex;

interface World {
  /** What each node answers: the contacts it knows. */
  knows: Map<string, DhtKey[]>;
  dead?: Set<string>;
  values?: Map<string, DhtRecord>;
}

function run(world: World, init: { selfKey: DhtKey; target: DhtKey; mode?: 'node' | 'value'; k?: number; alpha?: number; maxQueries?: number }, seeds: DhtKey[]) {
  const clock = new FakeClock();
  const queried: string[] = [];
  const failed: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let result: LookupResult | undefined;
  const lookup = new Lookup(
    {
      keyOf,
      query: (contact, cb) => {
        const id = hex(contact.key);
        queried.push(id);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        clock.setTimer(10 + (queried.length % 7), () => {
          inFlight--;
          const value = world.values?.get(id);
          let outcome: QueryOutcome;
          if (world.dead?.has(id)) outcome = { kind: 'failed' };
          else if (init.mode === 'value' && value !== undefined) outcome = { kind: 'value', record: value };
          else {
            const known = [...(world.knows.get(id) ?? [])].sort((a, b) => compareDistance(init.target, a, b)).slice(0, init.k ?? 20);
            outcome = { kind: 'nodes', contacts: known.map(contactOf) };
          }
          cb(outcome);
        });
      },
      onFailure: (c) => void failed.push(hex(c.key)),
    },
    { mode: 'node', ...init },
  );
  lookup.start(seeds.map(contactOf), (r) => (result = r));
  clock.runIdle();
  if (result === undefined) throw new Error('lookup never finished');
  return { result, queried, failed, maxInFlight };
}

/** `n` random nodes whose tables are Kademlia k-buckets: up to `perBucket` random nodes of each bucket. */
function randomWorld(n: number, perBucket: number, seed: string): { keys: DhtKey[]; world: World } {
  const rng = new SeededRng(seed);
  const keys = Array.from({ length: n }, () => rng.bytes(32));
  const knows = new Map<string, DhtKey[]>();
  for (const k of keys) {
    const buckets = new Map<number, DhtKey[]>();
    for (const o of keys) {
      if (o === k) continue;
      const i = bucketIndex(k, o);
      buckets.set(i, [...(buckets.get(i) ?? []), o]);
    }
    const table: DhtKey[] = [];
    for (const members of buckets.values()) {
      for (let j = 0; j < perBucket && members.length > 0; j++) table.push(members.splice(rng.int(members.length), 1)[0]);
    }
    knows.set(hex(k), table);
  }
  return { keys, world: { knows } };
}

describe('Lookup', () => {
  it('finds the true k closest of a 300-node world, alpha queries at a time, each contact at most once', () => {
    const { keys, world } = randomWorld(300, 8, 'world');
    const rng = new SeededRng('targets');
    for (let t = 0; t < 20; t++) {
      const self = rng.bytes(32);
      const target = rng.bytes(32);
      const seeds = Array.from({ length: 5 }, () => keys[rng.int(keys.length)]);
      const { result, queried, maxInFlight } = run(world, { selfKey: self, target, k: 8, alpha: 3 }, seeds);
      const truth = [...keys].sort((a, b) => compareDistance(target, a, b)).slice(0, 8);
      expect(result.closest.map((c) => hex(c.key))).toEqual(truth.map(hex));
      expect(maxInFlight).toBeLessThanOrEqual(3);
      expect(new Set(queried).size).toBe(queried.length);
      expect(result.messages).toBe(queried.length);
      expect(result.found).toBeUndefined();
    }
  });

  it('reports the hop depth at which the target was learned', () => {
    const [a, b, c, target] = [1, 2, 3, 4].map((i) => new Uint8Array(32).fill(i));
    const world: World = { knows: new Map([[hex(a), [b]], [hex(b), [c]], [hex(c), [target]], [hex(target), []]]) };
    const { result } = run(world, { selfKey: new Uint8Array(32), target }, [a]);
    expect(result.found && hex(result.found.key)).toBe(hex(target));
    expect(result.hops).toBe(3); // a (ours) -> b -> c -> target: learned from the third reply
    expect(run(world, { selfKey: new Uint8Array(32), target }, [target]).result.hops).toBe(0);
  });

  it('skips failed contacts: they are reported and never in the result', () => {
    const { keys, world } = randomWorld(100, 20, 'dead');
    const target = new SeededRng('t').bytes(32);
    const truth = [...keys].sort((a, b) => compareDistance(target, a, b));
    world.dead = new Set([hex(truth[0]), hex(truth[2])]);
    const { result, failed } = run(world, { selfKey: new Uint8Array(32), target, k: 5 }, keys.slice(0, 5));
    expect(result.closest.map((c) => hex(c.key))).toEqual([truth[1], truth[3], truth[4], truth[5], truth[6]].map(hex));
    expect(failed).toEqual(expect.arrayContaining([hex(truth[0]), hex(truth[2])]));
    expect(result.failures).toBeGreaterThanOrEqual(2);
  });

  it('FIND_VALUE stops at the first value and sends nothing after it', () => {
    const { keys, world } = randomWorld(200, 4, 'value');
    const target = new SeededRng('v').bytes(32);
    const holders = [...keys].sort((a, b) => compareDistance(target, a, b)).slice(0, 3);
    const record = { recordType: 9, value: Uint8Array.of(42) };
    world.values = new Map(holders.map((h) => [hex(h), record]));
    const { result, queried } = run(world, { selfKey: new Uint8Array(32), target, mode: 'value', k: 8 }, keys.slice(0, 3));
    expect(result.value?.record).toEqual(record);
    expect(holders.map(hex)).toContain(hex(result.value!.holder.key));
    expect(result.hops).toBeGreaterThanOrEqual(1);
    expect(queried.indexOf(hex(result.value!.holder.key))).toBeGreaterThan(-1);
    expect(queried.length).toBe(result.messages);
  });

  it('never queries itself, respects maxQueries, and finishes at once with no seeds', () => {
    const { keys, world } = randomWorld(200, 4, 'bounded');
    const self = keys[0];
    const { result, queried } = run(world, { selfKey: self, target: self, k: 8, maxQueries: 5 }, keys.slice(0, 8));
    expect(queried).not.toContain(hex(self));
    expect(queried.length).toBeLessThanOrEqual(5);
    expect(result.closest.length).toBeLessThanOrEqual(5);
    const empty = run(world, { selfKey: self, target: keys[1] }, []);
    expect(empty.result).toMatchObject({ closest: [], messages: 0, hops: 0 });
  });
});
