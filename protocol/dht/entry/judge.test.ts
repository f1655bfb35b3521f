import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ConfirmStatus } from '../messages.ts';
import type { PeerRef } from '../types.ts';
import { judgeEntries } from './judge.ts';

const peer = (i: number): PeerRef => ({ address: `p${i}`, nodePub: new Uint8Array(33).fill(i) });
const list = (...ids: number[]) => ids.map(peer);
const E = 'exists' as const;
const U = 'unknown' as const;
const all = (s: ConfirmStatus, n: number): ConfirmStatus[] => new Array(n).fill(s);

describe('judgeEntries', () => {
  it('flags an entry whose list nobody confirms and keeps the honest ones', () => {
    // entry 2 lists colluders 100..103; entries 0 and 1 list honest nodes that each other confirm
    const lists = [list(1, 2, 3, 4), list(5, 6, 7, 8), list(100, 101, 102, 103)];
    const votes = [
      [undefined, all(E, 4), all(U, 4)],
      [all(E, 4), undefined, all(U, 4)],
      [all(U, 4), all(U, 4), undefined],
    ];
    const { verdicts, confirmed } = judgeEntries({ lists, votes });
    expect(verdicts.map((v) => v.flawed)).toEqual([false, false, true]);
    expect(verdicts[2].score).toBe(0);
    expect(confirmed[0]).toEqual([true, true, true, true]);
    expect(confirmed[2]).toEqual([false, false, false, false]);
  });

  it("discards a flawed entry's votes, so one liar cannot vouch for half of another's list", () => {
    // 0 honest; 1 and 2 lie. 2 confirms 1's colluders, but 2 is itself flawed (0 denies 2's list and 1's).
    // Entry 3 honest confirms 0. Round 1: 2 flawed (score 0 from 0 and 3). Round 2: 1's confirmations by 2 vanish.
    const lists = [list(1, 2), list(100, 101), list(102, 103), list(3, 4)];
    const votes = [
      [undefined, all(U, 2), all(U, 2), all(E, 2)],
      [all(U, 2), undefined, all(E, 2), all(U, 2)],
      [all(U, 2), all(U, 2), undefined, all(U, 2)],
      [all(E, 2), all(U, 2), all(U, 2), undefined],
    ];
    const { verdicts } = judgeEntries({ lists, votes });
    expect(verdicts.map((v) => v.flawed)).toEqual([false, true, true, false]);
  });

  it('does not condemn an honest entry that only a liar voted on, together with the liar', () => {
    // 0 and 1 honest; 2 lies. 1's CONFIRM of 0's list got lost, so only the liar voted on 0's list.
    const lists = [list(1, 2), list(3, 4), list(100, 101)];
    const votes = [
      [undefined, undefined, all(U, 2)],
      [all(E, 2), undefined, all(U, 2)],
      [all(U, 2), all(U, 2), undefined],
    ];
    const { verdicts } = judgeEntries({ lists, votes });
    expect(verdicts.map((v) => v.flawed)).toEqual([false, false, true]);
    expect(verdicts[0]).toMatchObject({ voters: 0, score: null });
  });

  it('cannot help when liars are the majority: they confirm each other and the honest entry looks flawed', () => {
    const lists = [list(1, 2), list(100, 101), list(102, 103)];
    const votes = [
      [undefined, all(U, 2), all(U, 2)],
      [all(U, 2), undefined, all(E, 2)],
      [all(U, 2), all(E, 2), undefined],
    ];
    const { verdicts } = judgeEntries({ lists, votes });
    expect(verdicts.map((v) => v.flawed)).toEqual([true, false, false]);
  });

  it('forcedFlawed (a published report) breaks the liars\' mutual confirmation', () => {
    const lists = [list(1, 2), list(100, 101), list(102, 103)];
    const votes = [
      [undefined, all(U, 2), all(U, 2)],
      [all(U, 2), undefined, all(E, 2)],
      [all(U, 2), all(E, 2), undefined],
    ];
    const { verdicts } = judgeEntries({ lists, votes, forcedFlawed: new Set([1]) });
    expect(verdicts[1]).toMatchObject({ flawed: true, forced: true });
    expect(verdicts[2].flawed).toBe(true);
  });

  it('does not judge an entry nobody could vote on, nor one that did not answer', () => {
    const { verdicts } = judgeEntries({ lists: [list(1, 2), undefined], votes: [[undefined, undefined], [undefined, undefined]] });
    expect(verdicts[0]).toMatchObject({ answered: true, score: null, flawed: false, voters: 0 });
    expect(verdicts[1]).toMatchObject({ answered: false, score: null, flawed: false });
  });

  it('ignores a vote of the wrong length (a malformed CONFIRMED)', () => {
    const { verdicts } = judgeEntries({ lists: [list(1, 2), list(3)], votes: [[undefined, [E]], [[E], undefined]] });
    expect(verdicts[0].voters).toBe(0);
    expect(verdicts[1]).toMatchObject({ voters: 1, confirmed: 1, flawed: false });
  });

  it('never flags an entry whose whole list is confirmed by an unflagged entry (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.array(fc.boolean(), { minLength: 36, maxLength: 36 }), (n, m, bits) => {
        const lists = Array.from({ length: n }, (_, i) => list(...Array.from({ length: m }, (_, c) => i * 10 + c)));
        // Entries 0 and 1 are honest and confirm each other fully; others vote at random.
        const votes = lists.map((_, i) =>
          lists.map((_, j): ConfirmStatus[] | undefined => {
            if (i === j) return undefined;
            if (i <= 1 && j <= 1) return all(E, m);
            return all(bits[(i * 6 + j) % bits.length] ? E : U, m);
          }),
        );
        const { verdicts } = judgeEntries({ lists, votes });
        // Entry 1's votes on entry 0 count unless entry 1 is flagged, which needs entry 0 flagged first: neither is.
        expect(verdicts[0].flawed).toBe(false);
        expect(verdicts[1].flawed).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
