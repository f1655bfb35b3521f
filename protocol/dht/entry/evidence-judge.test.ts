import { describe, expect, it } from 'vitest';
import type { ConfirmStatus } from '../messages.ts';
import type { PeerRef } from '../types.ts';
import { judgeEntries } from './judge.ts';
import { disputedEntries, judgeByEvidence } from './evidence-judge.ts';

const peer = (i: number): PeerRef => ({ address: `p${i}`, nodePub: new Uint8Array(33).fill(i) });
const list = (...ids: number[]) => ids.map(peer);
const E = 'exists' as const;
const U = 'unknown' as const;
const all = (s: ConfirmStatus, n: number): ConfirmStatus[] => new Array(n).fill(s);

// Three liars (0, 1, 2) vouch for each other's colluders and deny the honest entry 3, which denies them back.
const lists = [list(100, 101), list(102, 103), list(104, 105), list(1, 2)];
const votes = [
  [undefined, all(E, 2), all(E, 2), all(U, 2)],
  [all(E, 2), undefined, all(E, 2), all(U, 2)],
  [all(E, 2), all(E, 2), undefined, all(U, 2)],
  [all(U, 2), all(U, 2), all(U, 2), undefined],
];

describe('judgeByEvidence', () => {
  it('the vote alone condemns the honest minority (the old judge), so votes only dispute', () => {
    expect(judgeEntries({ lists, votes }).verdicts.map((v) => v.flawed)).toEqual([false, false, false, true]);
    expect(disputedEntries({ lists, votes })).toEqual([0, 1, 2, 3]);
  });

  it('a contested vote flags nobody: without own evidence, a split vote changes nothing', () => {
    const j = judgeByEvidence({ lists, votes });
    expect(j.verdicts.map((v) => v.flawed)).toEqual([false, false, false, false]);
    expect(j.verdicts.map((v) => v.contested)).toEqual([true, true, true, true]);
    // Two against two, the same.
    const split = judgeByEvidence({ lists: lists.slice(0, 2).concat(lists.slice(3)), votes: [[undefined, all(E, 2), all(U, 2)], [all(E, 2), undefined, all(U, 2)], [all(U, 2), all(U, 2), undefined]] });
    expect(split.verdicts.some((v) => v.flawed)).toBe(false);
  });

  it('a contested vote flags nobody when the accused list resolves, and never flags the accusers for it', () => {
    const resolved = [undefined, undefined, undefined, [true, true]];
    const j = judgeByEvidence({ lists, votes, resolved });
    expect(j.verdicts.map((v) => v.flawed)).toEqual([false, false, false, false]);
    expect(j.verdicts[3]).toMatchObject({ disputed: true, contested: true, evidence: 1, confirmed: 2 });
    expect(j.confirmed[3]).toEqual([true, true]);
  });

  it('flags a disputed list that the newcomer cannot resolve either, whatever the majority says', () => {
    const resolved = [[false, false], [false, true], [true, true], [true, true]];
    const j = judgeByEvidence({ lists, votes, resolved });
    // 1 resolves 1 of 2 (< EVIDENCE_THRESHOLD 0.75): flawed too.
    expect(j.verdicts.map((v) => v.flawed)).toEqual([true, true, false, false]);
    // On a flawed list only the newcomer's own resolves confirm: entry 2 (not flagged) vouches for 0's colluders
    // in vain, so they are barred; the contact of 1 that resolved stays confirmed.
    expect(j.confirmed[0]).toEqual([false, false]);
    expect(j.confirmed[1]).toEqual([false, true]);
    expect(j.verdicts[3].voters).toBe(1);
  });

  it('an undisputed list is never checked nor flagged, and forced flags (reports) still apply', () => {
    const honest = [list(1, 2), list(3, 4)];
    const agree = [[undefined, all(E, 2)], [all(E, 2), undefined]];
    expect(disputedEntries({ lists: honest, votes: agree })).toEqual([]);
    const j = judgeByEvidence({ lists: honest, votes: agree, forcedFlawed: new Set([1]) });
    expect(j.verdicts.map((v) => [v.flawed, v.forced])).toEqual([
      [false, false],
      [true, true],
    ]);
  });
});
