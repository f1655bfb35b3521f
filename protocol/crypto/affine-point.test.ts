/**
 * affine-point.ts against @noble's projective points: nodeSuite's ECMQV rebuilds R = avf·Qs and Q = Qe + R
 * with these, so a wrong sign or sum here would change every session key (guards the affine rewrite).
 */
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { affineAdd, negate, pointWithX, sumHasX, uncompressedOctets } from './affine-point.ts';
import { bytesToBigInt, toHex } from './bytes.ts';
import { P256_N, Point } from './p256.ts';

function randomPoints(seed: string, n: number): InstanceType<typeof Point>[] {
  const rng = new SeededRng(seed);
  return Array.from({ length: n }, () => Point.BASE.multiply((bytesToBigInt(rng.bytes(32)) % (P256_N - 1n)) + 1n));
}

describe('affine-point', () => {
  it('pointWithX gives the even-y point of an on-curve x, undefined otherwise; negate flips y', () => {
    for (const p of randomPoints('affine/with-x', 40)) {
      const { x, y } = p.toAffine();
      const even = y & 1n ? p.negate().toAffine() : { x, y };
      expect(pointWithX(x)).toEqual(even);
      expect(negate(even)).toEqual(Point.fromAffine(even).negate().toAffine());
    }
    expect(pointWithX(1n)).toBeUndefined(); // 1 - 3 + b is a non-square (test-support's off-curve key)
  });

  it('affineAdd and sumHasX agree with @noble on random pairs, a doubling and a + (-a)', () => {
    const pts = randomPoints('affine/add', 41);
    for (let i = 0; i + 1 < pts.length; i++) {
      const [a, b] = [pts[i].toAffine(), pts[i + 1].toAffine()];
      const sum = pts[i].add(pts[i + 1]).toAffine();
      expect(affineAdd(a, b)).toEqual(sum);
      expect(sumHasX(a, b, sum.x)).toBe(true);
      expect(sumHasX(a, b, pts[i].subtract(pts[i + 1]).toAffine().x)).toBe(false);
      expect(toHex(uncompressedOctets(sum))).toBe(toHex(pts[i].add(pts[i + 1]).toBytes(false)));
    }
    const a = pts[0].toAffine();
    expect(affineAdd(a, a)).toEqual(pts[0].double().toAffine());
    expect(affineAdd(a, negate(a))).toBeUndefined();
  });
});
