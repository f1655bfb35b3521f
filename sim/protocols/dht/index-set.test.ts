import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../protocol/runtime/seeded-rng.ts';
import { IndexSet } from './index-set.ts';

describe('IndexSet', () => {
  it('holds exactly what a Set would after any sequence of adds and deletes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 30 })), { maxLength: 200 }), (ops) => {
        const set = new IndexSet();
        const model = new Set<number>();
        for (const [add, i] of ops) {
          if (add) (set.add(i), model.add(i));
          else (set.delete(i), model.delete(i));
        }
        expect(set.size).toBe(model.size);
        expect([...set.values()].sort((a, b) => a - b)).toEqual([...model].sort((a, b) => a - b));
        for (let i = 0; i <= 30; i++) expect(set.has(i)).toBe(model.has(i));
      }),
    );
  });

  it('pick and sample return only accepted members, distinct, or nothing when none is accepted', () => {
    const set = new IndexSet();
    for (let i = 0; i < 100; i++) set.add(i);
    const rng = new SeededRng(1);
    for (let t = 0; t < 50; t++) expect(set.pick(rng, (i) => i === 42 || i === 7)).toSatisfy((i: number) => i === 42 || i === 7);
    expect(set.pick(rng, () => false)).toBeUndefined();
    const s = set.sample(rng, 10, (i) => i % 2 === 0);
    expect(new Set(s).size).toBe(10);
    expect(s.every((i) => i % 2 === 0)).toBe(true);
    expect(set.sample(rng, 10, (i) => i < 3).sort()).toEqual([0, 1, 2]);
  });
});
