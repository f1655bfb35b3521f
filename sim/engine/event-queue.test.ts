import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue } from './event-queue.ts';

/** Pops everything, returning the tags the handlers push, in order. */
function drain(q: EventQueue, out: number[]): number[] {
  for (let fn = q.shift(); fn !== null; fn = q.shift()) fn();
  return out;
}

describe('EventQueue', () => {
  it('pops by time, then by insertion order for equal times', () => {
    const q = new EventQueue(2);
    const out: number[] = [];
    const times = [5, 1, 5, 3, 1, 0, 5];
    times.forEach((t, i) => q.push(t, () => void out.push(i)));
    expect(drain(q, out)).toEqual([5, 1, 4, 3, 0, 2, 6]);
  });

  it('matches a stable sort under random pushes and cancels (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ t: fc.integer({ min: 0, max: 20 }), cancel: fc.boolean() }), { maxLength: 300 }),
        (ops) => {
          const q = new EventQueue(4);
          const out: number[] = [];
          const ids = ops.map((op, i) => q.push(op.t, () => void out.push(i)));
          ops.forEach((op, i) => op.cancel && q.cancel(ids[i]));
          const expected = ops
            .map((op, i) => ({ ...op, i }))
            .filter((op) => !op.cancel)
            .sort((a, b) => a.t - b.t || a.i - b.i)
            .map((op) => op.i);
          expect(q.size).toBe(expected.length);
          expect(drain(q, out)).toEqual(expected);
        },
      ),
    );
  });

  it('cancel returns false for fired, cancelled and stale ids, even after slot reuse', () => {
    const q = new EventQueue(16);
    const first = q.push(1, () => {});
    expect(q.cancel(first)).toBe(true);
    expect(q.cancel(first)).toBe(false);
    q.peekTime(); // discards the dead entry, freeing its slot
    const second = q.push(2, () => {});
    expect(second).not.toBe(first);
    expect(q.cancel(first)).toBe(false);
    expect(q.size).toBe(1);
    q.shift();
    expect(q.cancel(second)).toBe(false);
    expect(q.cancel(0)).toBe(false);
    expect(q.cancel(NaN)).toBe(false);
    expect(q.cancel(-1)).toBe(false);
  });

  it('ids are never 0 and unique among outstanding events', () => {
    const q = new EventQueue(2);
    const ids = new Set<number>();
    for (let i = 0; i < 100; i++) ids.add(q.push(i, () => {}));
    expect(ids.size).toBe(100);
    expect(ids.has(0)).toBe(false);
  });

  it('cancelOwner cancels only that owner', () => {
    const q = new EventQueue();
    const out: number[] = [];
    for (let i = 0; i < 10; i++) q.push(i, () => void out.push(i), i % 3);
    expect(q.cancelOwner(1)).toBe(3);
    expect(q.size).toBe(7);
    expect(drain(q, out)).toEqual([0, 2, 3, 5, 6, 8, 9]);
  });

  it('compacts when cancelled entries dominate, keeping the pop order', () => {
    const q = new EventQueue();
    const out: number[] = [];
    const ids: number[] = [];
    for (let i = 0; i < 20_000; i++) ids.push(q.push(20_000 - i, () => void out.push(i)));
    // Cancel all but every 97th: the heap must shrink (compaction) and still pop in time order.
    ids.forEach((id, i) => i % 97 !== 0 && q.cancel(id));
    expect(q.size).toBe(Math.ceil(20_000 / 97));
    const expected = ids.map((_, i) => i).filter((i) => i % 97 === 0).reverse();
    expect(drain(q, out)).toEqual(expected);
    expect(q.peekTime()).toBe(Infinity);
  });
});
