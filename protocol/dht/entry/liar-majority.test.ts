/**
 * Issue 10: a newcomer whose entries are mostly liars. The liars vouch for each other and deny the one honest
 * entry; the old cross-check flagged the honest entry and bootstrapped from colluders only (100 % malicious), while
 * a plain multi-entry join kept honest nodes in the table. The cross-check must end no worse than multi-entry.
 */
import { describe, expect, it } from 'vitest';
import type { PeerRef } from '../types.ts';
import { createEntryJoin, type EntryDefence, type EntryJoinResult } from './cross-checked-join.ts';
import { EntryGuard } from './entry-guard.ts';
import { EntryWorld, type WorldNode } from './testing/entry-world.ts';
import { addGang, type Gang } from './testing/liar.ts';

const world = new EntryWorld(21);
const honest = world.grow(36);
const gang = addGang(world, 3, 12, honest[0].peerRef);
const liars = gang.liars.map((l) => l.peerRef);

function join(defence: EntryDefence, entries: PeerRef[]): { node: WorldNode; result: EntryJoinResult } {
  const guard = new EntryGuard();
  const node = world.add({ policy: guard });
  const join = createEntryJoin(defence, {
    guard,
    suite: world.suite,
    sign: (m) => world.suite.sign(node.keyPair.privateKey, m),
    now: () => world.clock.now(),
    rng: world.rng.fork(`verify-${node.index}`),
  });
  return { node, result: world.await<EntryJoinResult>((cb) => join(node, entries, cb)) };
}

function maliciousShare(node: WorldNode, g: Gang): number {
  const contacts = node.dht.table.contacts();
  return contacts.length === 0 ? 1 : contacts.filter((c) => g.isMalicious(c)).length / contacts.length;
}

describe('a newcomer whose entries are 3/4 malicious', () => {
  const trials = [5, 11, 17, 23].map((h) => {
    const entries = [liars[0], liars[1], honest[h].peerRef, liars[2]];
    const multi = join('multi-entry', entries);
    const cross = join('cross-check', entries);
    return { honestEntry: honest[h].peerRef, multi, cross };
  });

  it('ends no worse with the cross-check than with multi-entry, every time', () => {
    for (const t of trials) {
      expect(t.cross.result.joined && t.cross.result.bootstrap?.ok).toBe(true);
      expect(maliciousShare(t.cross.node, gang)).toBeLessThanOrEqual(maliciousShare(t.multi.node, gang));
    }
  });

  it('never flags the honest minority: its list is disputed, checked, and contested', () => {
    for (const t of trials) {
      expect(t.cross.result.flawed).not.toContainEqual(t.honestEntry);
      const honestVerdict = t.cross.result.verdicts[2];
      expect(honestVerdict).toMatchObject({ disputed: true, flawed: false });
      expect(honestVerdict.evidence).toBeGreaterThanOrEqual(0.75);
    }
  });

  it('flags the liars on its own evidence (their colluders resolve nowhere) and ends mostly honest', () => {
    for (const t of trials) {
      expect(t.cross.result.flawed).toEqual(expect.arrayContaining(liars));
      expect(maliciousShare(t.cross.node, gang)).toBeLessThan(0.2);
    }
  });
});
