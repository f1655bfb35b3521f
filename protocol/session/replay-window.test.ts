import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplayWindow } from './replay-window.ts';

/** Reference model: a set of every accepted seq and the highest one. */
function modelVerdict(seen: Set<number>, top: number, windowSize: number, seq: number): string {
  if (seq > top) return 'fresh';
  if (top - seq >= windowSize) return 'too-old';
  return seen.has(seq) ? 'replay' : 'fresh';
}

describe('ReplayWindow', () => {
  it('accepts each seq once and counts the replay', () => {
    const w = new ReplayWindow(64);
    expect(w.commit(0)).toBe(true);
    expect(w.commit(0)).toBe(false);
    expect(w.commit(1)).toBe(true);
    expect(w.stats()).toEqual({ accepted: 2, replays: 1, tooOld: 0 });
  });

  it('accepts seqs reordered inside the window and rejects those beyond it', () => {
    const w = new ReplayWindow(64);
    expect(w.commit(100)).toBe(true);
    expect(w.commit(37)).toBe(true); // 100 - 37 = 63 < 64
    expect(w.commit(36)).toBe(false); // 100 - 36 = 64: too old
    expect(w.peek(99)).toBe('fresh');
    expect(w.stats().tooOld).toBe(1);
  });

  it('forgets nothing inside the window after a large jump', () => {
    const w = new ReplayWindow(32);
    w.commit(5);
    w.commit(10_000);
    expect(w.peek(10_000 - 31)).toBe('fresh');
    expect(w.peek(5)).toBe('too-old');
    w.commit(10_000 - 31);
    expect(w.peek(10_000 - 31)).toBe('replay');
  });

  it('peek does not count and check does not commit', () => {
    const w = new ReplayWindow(32);
    w.commit(3);
    expect(w.peek(3)).toBe('replay');
    expect(w.check(4)).toBe('fresh');
    expect(w.check(4)).toBe('fresh');
    expect(w.stats()).toEqual({ accepted: 1, replays: 0, tooOld: 0 });
  });

  it('rejects window sizes that are not positive multiples of 32', () => {
    expect(() => new ReplayWindow(0)).toThrow(RangeError);
    expect(() => new ReplayWindow(100)).toThrow(RangeError);
  });

  // Guards the small form (block 0 in a field until a seq >= 32): the hand-over to the ring must keep every bit.
  it('keeps seqs 0..31 when the ring is allocated on the first seq >= 32', () => {
    const w = new ReplayWindow(64);
    for (const seq of [0, 5, 31]) expect(w.commit(seq)).toBe(true);
    expect(w.hasRing()).toBe(false);
    expect(w.peek(31)).toBe('replay');
    expect(w.commit(40)).toBe(true);
    expect(w.hasRing()).toBe(true);
    expect([0, 5, 31, 40].map((s) => w.peek(s))).toEqual(['replay', 'replay', 'replay', 'replay']);
    expect([1, 30, 39, 41].map((s) => w.peek(s))).toEqual(['fresh', 'fresh', 'fresh', 'fresh']);
    expect(w.commit(100)).toBe(true); // 100 - 0 >= 64: seq 0 is now too old, 40 still remembered
    expect([0, 40].map((s) => w.peek(s))).toEqual(['too-old', 'replay']);
  });

  it('agrees with a set-based model on random sequences (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(32, 64, 1024),
        fc.array(fc.oneof(fc.nat(3000), fc.integer({ min: 2 ** 40, max: 2 ** 40 + 5000 })), { maxLength: 400 }),
        (windowSize, seqs) => {
          const w = new ReplayWindow(windowSize);
          const seen = new Set<number>();
          let top = -1;
          for (const seq of seqs) {
            const expected = modelVerdict(seen, top, windowSize, seq);
            expect(w.peek(seq)).toBe(expected);
            expect(w.commit(seq)).toBe(expected === 'fresh');
            if (expected === 'fresh') {
              seen.add(seq);
              top = Math.max(top, seq);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
