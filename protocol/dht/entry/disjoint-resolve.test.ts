import { describe, expect, it } from 'vitest';
import type { PeerRef } from '../types.ts';
import { disjointResolve, seedPaths, type DisjointResolveResult } from './disjoint-resolve.ts';
import { EntryWorld } from './testing/entry-world.ts';
import { addGang } from './testing/liar.ts';

const p = (i: number): PeerRef => ({ address: `p${i}`, nodePub: new Uint8Array(33).fill(i) });

describe('disjointResolve', () => {
  it('seedPaths(groups, d) merges groups round-robin into at most d paths and drops empty ones', () => {
    expect(seedPaths([[p(1)], [], [p(2), p(3)], [p(4)]], 2)).toEqual([[p(1), p(4)], [p(2), p(3)]]);
    expect(seedPaths([[p(1)]], 3)).toEqual([[p(1)]]);
    expect(seedPaths([[], []], 3)).toEqual([]);
  });

  const world = new EntryWorld(31);
  const honest = world.grow(30);
  const gang = addGang(world, 1, 10, honest[0].peerRef);
  const newcomer = world.add();
  const resolve = (target: PeerRef, seeds: PeerRef[][], mergedRetry = true) =>
    world.await<DisjointResolveResult>((cb) =>
      disjointResolve(newcomer.dht, newcomer.dht.contactOf(target).key, seeds, { now: () => world.clock.now(), paths: seeds.length, mergedRetry }, cb),
    );
  const colluderSeeds = gang.colluders.map((c) => c.peerRef);

  it('proves an honest node exists through the one path seeded by honest contacts, whatever the colluders answer', () => {
    const r = resolve(honest[17].peerRef, [colluderSeeds, [honest[3].peerRef, honest[9].peerRef]]);
    expect(r).toMatchObject({ found: true });
    expect(r.messages).toBeGreaterThan(0);
  });

  it('cannot prove a colluder exists (its binding is nowhere in the honest DHT), not even with the merged retry', () => {
    expect(resolve(gang.colluders[2].peerRef, [[honest[3].peerRef], [honest[5].peerRef]])).toMatchObject({ found: false });
  });

  it('finds nothing with colluders only as seeds: absence is never proof', () => {
    expect(resolve(honest[17].peerRef, [colluderSeeds], false)).toMatchObject({ found: false });
  });
});
