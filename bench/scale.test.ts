import { describe, expect, it } from 'vitest';
import { powerFit } from './scale.ts';

describe('bench scale powerFit', () => {
  it('recovers y = a · x^b from exact points, and an exponent of 1 from linear growth', () => {
    const f = powerFit([250, 500, 1000, 2000].map((x) => [x, 3 * x ** 1.3] as const));
    expect(f.b).toBeCloseTo(1.3, 10);
    expect(f.a).toBeCloseTo(3, 8);
    expect(powerFit([[500, 100], [1000, 200]]).b).toBeCloseTo(1, 12);
  });

  it('a single node count gives no slope (b = 1 by convention, a through the point)', () => {
    const f = powerFit([[500, 988], [500, 988]]);
    expect(f.b).toBe(1);
    expect(f.a * 500).toBeCloseTo(988, 8);
  });
});
