import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SeededRng } from './seeded-rng.ts';

describe('SeededRng', () => {
  it('reproduces the same stream from the same seed and differs for another seed', () => {
    const a = new SeededRng(7);
    const b = new SeededRng('7');
    const c = new SeededRng(8);
    const draw = (r: SeededRng) => [...r.bytes(37), r.uniform(), r.int(1000), r.exponential(5)];
    const da = draw(a);
    expect(draw(b)).toEqual(da);
    expect(draw(c)).not.toEqual(da);
  });

  it('fork(name) depends on the seed and name only, not on what the parent consumed', () => {
    const fresh = new SeededRng(1).fork('node/n3');
    const used = new SeededRng(1);
    used.bytes(1000);
    used.fork('node/n1').bytes(10);
    expect(used.fork('node/n3').bytes(32)).toEqual(fresh.bytes(32));
    expect(new SeededRng(1).fork('a').fork('b').bytes(8)).toEqual(new SeededRng(1).fork('a/b').bytes(8));
    expect(new SeededRng(1).fork('x').bytes(8)).not.toEqual(new SeededRng(1).fork('y').bytes(8));
  });

  it('draws stay in range', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 0, max: 70 }), (seed, max, n) => {
        const r = new SeededRng(seed);
        const u = r.uniform();
        const i = r.int(max);
        return u >= 0 && u < 1 && Number.isInteger(i) && i >= 0 && i < max && r.bytes(n).length === n && r.exponential(3) >= 0;
      }),
    );
  });

  it('has the configured exponential mean and a roughly uniform byte distribution', () => {
    const r = new SeededRng('stats');
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += r.exponential(10);
    expect(sum / 20_000).toBeGreaterThan(9.5);
    expect(sum / 20_000).toBeLessThan(10.5);
    const counts = new Array(256).fill(0);
    for (const b of r.bytes(256 * 400)) counts[b]++;
    expect(Math.min(...counts)).toBeGreaterThan(300);
    expect(Math.max(...counts)).toBeLessThan(500);
  });

  it('rejects invalid parameters with a RangeError', () => {
    const r = new SeededRng(0);
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.int(1.5)).toThrow(RangeError);
    expect(() => r.exponential(0)).toThrow(RangeError);
  });
});
