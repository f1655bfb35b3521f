import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CompareError } from './compare-error.ts';
import { allowedChange, loadTolerances, parseTolerances, toleranceFor } from './tolerances.ts';

const dir = mkdtempSync(join(tmpdir(), 'paratox-tolerances-'));

/** The one-line message parseTolerances throws for `json`. */
function errorOf(json: unknown): string {
  try {
    parseTolerances(json, 'tol.json');
  } catch (err) {
    expect(err).toBeInstanceOf(CompareError);
    expect((err as Error).message).not.toMatch(/\n/);
    return (err as Error).message;
  }
  throw new Error('expected a CompareError');
}

describe('tolerance files', () => {
  it('the committed reports/tolerances.json is valid and covers the headline metrics', () => {
    const table = loadTolerances('reports/tolerances.json');
    for (const path of ['traffic.deliveryRatio', 'attacks.eve.top1', 'attacks.eve.degreeOfAnonymity', 'traffic.bandwidthOverhead', 'traffic.latencyMs.p95', 'attacks.eclipse.victimHarm.majorityMaliciousShare']) {
      expect(toleranceFor(table, 'any', path), path).toBeDefined();
    }
    expect(toleranceFor(table, 'any', 'attacks.eve.top1')!.tolerance.direction).toBe('lower-is-better');
    expect(toleranceFor(table, 'any', 'attacks.eve.degreeOfAnonymity')!.tolerance.direction).toBe('higher-is-better');
  });

  it('bad files give one line naming the file and the field', () => {
    expect(errorOf({ metrics: { 'traffic.deliveryRatio': { direction: 'up' } } })).toBe(
      'tol.json: metrics["traffic.deliveryRatio"].direction: must be one of "higher-is-better", "lower-is-better", "equal" (got "up")',
    );
    expect(errorOf({ metrics: { 'attacks.eve.top1': { direction: 'lower-is-better', abs: -0.1 } } })).toBe(
      'tol.json: metrics["attacks.eve.top1"].abs: must be a finite number >= 0 (got -0.1)',
    );
    expect(errorOf({ metrics: { 'attacks.eve.top1': { direction: 'lower-is-better', rel: '5%' } } })).toMatch(/metrics\["attacks\.eve\.top1"\]\.rel: must be a finite number >= 0 \(got "5%"\)/);
    expect(errorOf({ metrics: { 'attacks.eve.top1': { direction: 'equal', tolerance: 1 } } })).toMatch(/metrics\["attacks\.eve\.top1"\]\.tolerance: unknown field/);
    expect(errorOf({ metrics: { 'a..b': { direction: 'equal' } } })).toMatch(/metrics\["a\.\.b"\]: a metric path needs non-empty/);
    expect(errorOf({ metrics: { 'attacks.eve*.top1': { direction: 'equal' } } })).toMatch(/"\*" must be a whole segment/);
    expect(errorOf({ metrics: { 'traffic.deliveryRatio': 0.01 } })).toMatch(/metrics\["traffic\.deliveryRatio"\]: expected an object \{ direction, abs\?, rel\? \}, got 0\.01/);
    expect(errorOf({ metric: {} })).toBe('tol.json: "metric": unknown field (allowed: description, metrics, scenarios)');
    expect(errorOf({})).toBe('tol.json: metrics: required field is missing');
    expect(errorOf([])).toMatch(/^tol\.json: expected an object with "metrics", got an array of 0$/);
    expect(errorOf({ metrics: {}, scenarios: { 'ping-small': { 'traffic.latencyMs.p95': { direction: 'lower' } } } })).toMatch(
      /^tol\.json: scenarios\["ping-small"\]\["traffic\.latencyMs\.p95"\]\.direction: must be one of/,
    );
  });

  it('unreadable files: missing, invalid JSON (with line and column), invalid YAML, Infinity', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{\n  "metrics": { "a": { "direction": "equal", } }\n}');
    expect(() => loadTolerances(bad)).toThrow(new RegExp(`^${bad}: invalid JSON at line 2, column \\d+$`));
    expect(() => loadTolerances(join(dir, 'none.json'))).toThrow(/none\.json: no such file$/);
    const yaml = join(dir, 'bad.yaml');
    writeFileSync(yaml, 'metrics:\n  a: [unclosed\n');
    expect(() => loadTolerances(yaml)).toThrow(/bad\.yaml: invalid YAML at line \d+, column \d+$/);
    const inf = join(dir, 'inf.json');
    writeFileSync(inf, '{ "metrics": { "a": { "direction": "equal", "abs": 1e999 } } }');
    expect(() => loadTolerances(inf)).toThrow(/inf\.json: field "abs": number out of range/);
  });

  it('reads YAML too', () => {
    const yaml = join(dir, 'ok.yaml');
    writeFileSync(yaml, 'metrics:\n  traffic.deliveryRatio: { direction: higher-is-better, abs: 0.02 }\n');
    expect(toleranceFor(loadTolerances(yaml), 'x', 'traffic.deliveryRatio')!.tolerance).toEqual({ direction: 'higher-is-better', abs: 0.02, rel: 0 });
  });

  it('toleranceFor: the scenario entry beats the default, the exact path beats a pattern, fewer * beat more', () => {
    const table = parseTolerances(
      {
        metrics: {
          'attacks.*.*.top1': { direction: 'lower-is-better', abs: 0.5 },
          'attacks.eveByMethod.*.top1': { direction: 'lower-is-better', abs: 0.2 },
          'attacks.eveByMethod.disclosure.top1': { direction: 'lower-is-better', abs: 0.1 },
        },
        scenarios: { small: { 'attacks.eveByMethod.*.top1': { direction: 'lower-is-better', abs: 0.3 } } },
      },
      't',
    );
    expect(toleranceFor(table, 'big', 'attacks.eveByMethod.disclosure.top1')!.tolerance.abs).toBe(0.1);
    expect(toleranceFor(table, 'big', 'attacks.eveByMethod.timing-correlation.top1')!.pattern).toBe('attacks.eveByMethod.*.top1');
    expect(toleranceFor(table, 'big', 'attacks.relays.x.top1')!.tolerance.abs).toBe(0.5);
    expect(toleranceFor(table, 'small', 'attacks.eveByMethod.timing-correlation.top1')!.tolerance.abs).toBe(0.3);
    expect(toleranceFor(table, 'big', 'attacks.eveByMethod.timing-correlation.top5')).toBeUndefined();
  });

  it('allowedChange is the larger of abs and rel x |baseline|', () => {
    expect(allowedChange({ direction: 'equal', abs: 0.01, rel: 0.1 }, 5)).toBe(0.5);
    expect(allowedChange({ direction: 'equal', abs: 0.01, rel: 0.1 }, -0.05)).toBe(0.01);
    expect(allowedChange({ direction: 'equal', abs: 0, rel: 0 }, 3)).toBe(0);
  });
});
