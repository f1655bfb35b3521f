import { describe, expect, it } from 'vitest';
import { applySet } from '../../cli/seeds-command.ts';
import { fieldPathProblem, gridPathProblem, setFieldPath } from './field-path.ts';

describe('field paths', () => {
  // Guards the promise that a grid key means what the same path means in `paratox seeds --set`.
  it('setFieldPath(raw, path, value) does what applySet(raw, "path=JSON") does', () => {
    const cases: Array<[string, unknown]> = [['noise.ratePerS', 5], ['eclipse.attacker.honestMix', 0.5], ['packet.paddingMode', 'variable'], ['churn', null], ['regions', { eu: 1 }]];
    for (const [path, value] of cases) {
      const a: Record<string, unknown> = { noise: { policy: 'poisson' }, eclipse: null, churn: { fraction: 1 } };
      const b = structuredClone(a);
      setFieldPath(a, path, value);
      applySet(b, `${path}=${JSON.stringify(value)}`);
      expect(a).toEqual(b);
    }
  });

  it('fieldPathProblem refuses what applySet refuses; gridPathProblem also the seed', () => {
    expect(fieldPathProblem('noise.ratePerS')).toBeNull();
    expect(gridPathProblem('noise.ratePerS')).toBeNull();
    for (const bad of ['__proto__.x', 'a.constructor', 'a..b']) {
      expect(fieldPathProblem(bad)).not.toBeNull();
      expect(gridPathProblem(bad)).toBe(fieldPathProblem(bad));
      expect(() => applySet({}, `${bad}=1`)).toThrow();
    }
    expect(fieldPathProblem('seed')).toBeNull();
    expect(gridPathProblem('seed')).toMatch(/not a grid parameter/);
  });
});
