import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { SeededRng } from './seeded-rng.ts';

/** The reference: seedrandom's Alea as SeededRng used it before the step was inlined (issue 14). */
function referenceDraws(seed: string, plan: readonly number[]): number[] {
  const prng = seedrandom.alea(seed);
  const out: number[] = [];
  for (const n of plan) {
    if (n < 0) {
      out.push(prng.double());
      continue;
    }
    for (let i = 0; i < n; i += 4) {
      const v = prng.int32();
      for (let k = 0; k < 4 && i + k < n; k++) out.push((v >>> (8 * k)) & 0xff);
    }
  }
  return out;
}

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

  // Guards the inlined Alea step: every seeded run (traceHashes, frozen vectors) depends on these exact numbers.
  it('bytes(), fillBytes() and uniform() give seedrandom Alea\'s exact stream, in any interleaving', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.integer({ min: -1, max: 70 }), { maxLength: 12 }), fc.boolean(), (seed, plan, inPlace) => {
        const r = new SeededRng(seed);
        const got: number[] = [];
        for (const n of plan) {
          if (n < 0) got.push(r.uniform());
          else got.push(...(inPlace ? r.fillBytes(new Uint8Array(n)) : r.bytes(n)));
        }
        expect(got).toEqual(referenceDraws(seed, plan));
      }),
    );
  });

  it('fillBytes writes only inside the view it is given', () => {
    const buf = new Uint8Array(20).fill(0xee);
    new SeededRng(3).fillBytes(buf.subarray(5, 12));
    expect([...buf.subarray(0, 5), ...buf.subarray(12)]).toEqual(new Array(13).fill(0xee));
    expect(buf.subarray(5, 12)).toEqual(new SeededRng(3).bytes(7));
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
