import { describe, expect, it } from 'vitest';
import { degreeOfAnonymity, minEntropyBits, partnerRank, roc, shannonEntropyBits } from './metrics.ts';
import { fitTemperature, softmax, standardize, TEMPERATURES } from './posterior.ts';

describe('entropy metrics on hand-computed posteriors', () => {
  it('a uniform posterior over N candidates has log2 N bits and degree of anonymity 1', () => {
    const p = new Array(8).fill(1 / 8);
    expect(shannonEntropyBits(p)).toBeCloseTo(3, 12);
    expect(minEntropyBits(p)).toBeCloseTo(3, 12);
    expect(degreeOfAnonymity(shannonEntropyBits(p), 8)).toBeCloseTo(1, 12);
  });

  it('a certain posterior has 0 bits and degree 0', () => {
    const p = [0, 1, 0, 0];
    expect(shannonEntropyBits(p)).toBe(0);
    expect(minEntropyBits(p)).toBe(0);
    expect(degreeOfAnonymity(0, 4)).toBe(0);
  });

  it('[1/2, 1/4, 1/4] has 1.5 bits of Shannon entropy and 1 bit of min-entropy', () => {
    expect(shannonEntropyBits([0.5, 0.25, 0.25])).toBeCloseTo(1.5, 12);
    expect(minEntropyBits([0.5, 0.25, 0.25])).toBeCloseTo(1, 12);
    expect(degreeOfAnonymity(1.5, 3)).toBeCloseTo(1.5 / Math.log2(3), 12);
  });

  it('one candidate leaves nothing to hide among: degree 0', () => {
    expect(degreeOfAnonymity(0, 1)).toBe(0);
  });
});

describe('partnerRank splits ties evenly', () => {
  it('a partner tied for second of four has rank 2.5, top-1 0, top-5 1', () => {
    expect(partnerRank([0.9, 0.5, 0.5, 0.1], 0, 4, [1])).toEqual({ rank: 2.5, top1: 0, top5: 1 });
  });

  it('all-equal scores give chance: rank (N+1)/2, top-1 1/N, and the target itself (-Infinity) is not counted', () => {
    const scores = [-Infinity, 0.3, 0.3, 0.3, 0.3];
    expect(partnerRank(scores, 0, 5, [2])).toEqual({ rank: 2.5, top1: 0.25, top5: 1 });
  });

  it('ten tied candidates put the partner in the top 5 with probability 1/2', () => {
    expect(partnerRank(new Array(10).fill(1), 0, 10, [3]).top5).toBeCloseTo(0.5, 12);
  });

  it('with two partners the better-placed one counts', () => {
    expect(partnerRank([0.1, 0.8, 0.9, 0.2], 0, 4, [0, 1])).toEqual({ rank: 2, top1: 0, top5: 1 });
  });

  it('reads the row at an offset', () => {
    expect(partnerRank([9, 9, 0.2, 0.7, 0.1], 2, 3, [1]).rank).toBe(1);
  });
});

describe('roc on a hand-computed case', () => {
  // positives 0.9 0.7 0.4, negatives 0.8 0.6 0.5 0.3 0.2: thresholds from the top give
  // (0,1/3) (1/5,1/3) (1/5,2/3) (2/5,2/3) (3/5,2/3) (3/5,1) (4/5,1) (1,1); AUC = 11 of 15 pairs ordered right.
  const pos = Float32Array.from([0.4, 0.9, 0.7]);
  const neg = Float32Array.from([0.3, 0.8, 0.2, 0.6, 0.5]);
  const r = roc(pos, neg, 100, ['0.01', '0.2', '0.5']);

  it('has one point per threshold', () => {
    expect(r.fpr.map((x) => +x.toFixed(6))).toEqual([0, 0, 0.2, 0.2, 0.4, 0.6, 0.6, 0.8, 1]);
    expect(r.tpr.map((x) => +x.toFixed(6))).toEqual([0, 0.333333, 0.333333, 0.666667, 0.666667, 0.666667, 1, 1, 1]);
  });

  it('AUC is the fraction of correctly ordered pairs', () => {
    expect(r.auc).toBeCloseTo(11 / 15, 6);
  });

  it('TPR at a fixed FPR is the best TPR reachable without exceeding it', () => {
    expect(r.tprAtFpr['0.01']).toBeCloseTo(1 / 3, 6);
    expect(r.tprAtFpr['0.2']).toBeCloseTo(2 / 3, 6);
    expect(r.tprAtFpr['0.5']).toBeCloseTo(2 / 3, 6);
  });

  it('ties between a positive and a negative cross together (AUC counts them half)', () => {
    const t = roc(Float32Array.from([0.5]), Float32Array.from([0.5]));
    expect(t.fpr).toEqual([0, 1]);
    expect(t.tpr).toEqual([0, 1]);
    expect(t.auc).toBeCloseTo(0.5, 12);
    expect(t.tprAtFpr['0.01']).toBe(0);
  });

  it('downsamples to at most maxPoints, keeping both ends', () => {
    const many = Float32Array.from({ length: 1000 }, (_, i) => i / 1000);
    const big = roc(Float32Array.from([0.9995]), many, 100);
    expect(big.fpr).toHaveLength(100);
    expect([big.fpr[0], big.tpr[0]]).toEqual([0, 0]);
    expect([big.fpr[99], big.tpr[99]]).toEqual([1, 1]);
  });

  it('without negatives the TPR at a fixed FPR is undefined (null)', () => {
    expect(roc(Float32Array.from([1]), new Float32Array(0)).tprAtFpr['0.01']).toBeNull();
  });
});

describe('posterior mapping', () => {
  it('standardize gives z-scores and keeps -Infinity; equal scores give z = 0', () => {
    const z = new Float64Array(4);
    standardize([1, 3, -Infinity, 2], 0, 4, z);
    expect([...z].map((x) => +x.toFixed(6))).toEqual([-1.224745, 1.224745, -Infinity, 0]);
    standardize([5, 5, 5, -Infinity], 0, 4, z);
    expect([...z]).toEqual([0, 0, 0, -Infinity]);
  });

  it('softmax of equal z is uniform and gives the target itself 0', () => {
    const p = new Float64Array(4);
    softmax(Float64Array.from([0, 0, -Infinity, 0]), 1, p);
    expect([...p].map((x) => +x.toFixed(12))).toEqual([1 / 3, 1 / 3, 0, 1 / 3].map((x) => +x.toFixed(12)));
  });

  it('fitTemperature picks the smallest temperature when the partner always scores highest', () => {
    // 3 targets x 4 candidates, partner of row i is column (i + 1) % 4, target itself -Infinity.
    const v = Float32Array.from([-Infinity, 9, 1, 2, 1, -Infinity, 9, 2, 2, 1, -Infinity, 9]);
    expect(fitTemperature(v, 3, 4, [[1], [2], [3]])).toBe(TEMPERATURES[0]);
  });

  it('fitTemperature picks the largest temperature when scores carry no information', () => {
    const v = Float32Array.from([-Infinity, 1, 1, 1, 1, -Infinity, 1, 1]);
    expect(fitTemperature(v, 2, 4, [[1], [0]])).toBe(TEMPERATURES[TEMPERATURES.length - 1]);
  });
});
