import { describe, expect, it } from 'vitest';
import { applySet } from '../../cli/seeds-command.ts';
import { fieldPathProblem, setFieldPath } from './field-path.ts';

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

  it('fieldPathProblem refuses what applySet refuses, and the seed', () => {
    expect(fieldPathProblem('noise.ratePerS')).toBeNull();
    for (const bad of ['__proto__.x', 'a.constructor', 'a..b', 'seed']) {
      expect(fieldPathProblem(bad)).not.toBeNull();
      if (bad !== 'seed') expect(() => applySet({}, `${bad}=1`)).toThrow();
    }
  });
});
