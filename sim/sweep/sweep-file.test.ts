import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSweepPlan, parseShard } from './plan.ts';
import { parseSweepText } from './sweep-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'paratox-sweepfile-'));
writeFileSync(
  join(dir, 'tiny.json'),
  JSON.stringify({ name: 'tiny', nodes: 8, durationS: 3, protocol: 'dht', dht: { entryNodes: 3, joinSpreadS: 1, drainS: 1 } }),
);

function sweepError(text: string, name = 'bad.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  try {
    loadSweepPlan(file);
  } catch (err) {
    const message = (err as Error).message;
    expect(message).not.toMatch(/\n/); // one line, always
    expect((err as Error).name).toBe('SweepError');
    return message;
  }
  throw new Error('expected the sweep file to be refused');
}

describe('sweep files', () => {
  it('parseSweepText reads YAML and JSON alike: seeds as a list or { from, count }, the grid in file order', () => {
    const yaml = parseSweepText('scenario: a.json\nseeds: { from: 3, count: 3 }\ngrid:\n  b.x: [1, 2]\n  a.y: [fixed]\n', 'grid.yaml');
    const json = parseSweepText('{"scenario":"a.json","seeds":[3,4,5],"grid":{"b.x":[1,2],"a.y":["fixed"]}}', 'grid.json');
    expect(yaml).toEqual({ ...json, name: 'grid' });
    expect(yaml.seeds).toEqual([3, 4, 5]);
    expect(yaml.grid.map(([k]) => k)).toEqual(['b.x', 'a.y']);
    expect(yaml.metrics).toBeNull();
  });

  it('refuses bad sweep files with one line naming the field', () => {
    const cases: Array<[string, RegExp]> = [
      ['scenario: tiny.json\n', /bad\.yaml: seeds: required field is missing/],
      ['scenario: tiny.json\nseeds: [1, -2]\n', /bad\.yaml: seeds\[1\]: must be >= 0 \(got -2\)/],
      ['scenario: tiny.json\nseeds: { from: 1 }\n', /seeds\.count: required field is missing/],
      ['scenario: tiny.json\nseeds: [1, 1]\n', /seeds: seed 1 is listed twice/],
      ['scenario: tiny.json\nseeds: [1]\ngrids: {}\n', /unknown field "grids"/],
      ['seeds: [1]\n', /scenario: required field is missing/],
      ['scenario: tiny.json\nseeds: [1]\ngrid: { noise.ratePerS: 5 }\n', /grid\.noise\.ratePerS: expected array, got 5/],
      ['scenario: tiny.json\nseeds: [1]\ngrid: { noise.ratePerS: [] }\n', /grid\.noise\.ratePerS: must be >= 1/],
      ['scenario: tiny.json\nseeds: [1]\ngrid: { noise.ratePerS: [1, 1.0] }\n', /grid\.noise\.ratePerS: value 1 is listed twice/],
      ['scenario: tiny.json\nseeds: [1]\ngrid: { noise.ratePerS: [.inf] }\n', /grid\.noise\.ratePerS\[0\]/],
      ['scenario: tiny.json\nseeds: [1]\ngrid: { __proto__.x: [1] }\n', /grid\.__proto__\.x: "__proto__" is not a scenario field/],
      ['scenario: tiny.json\nseeds: [1]\ngrid: { seed: [1, 2] }\n', /grid\.seed: the seed is not a grid parameter/],
      ['scenario: tiny.json\nseeds: [1]\nmetrics: ["traffic..x"]\n', /metrics\[0\]: must be a report path/],
      ['scenario: tiny.json\nseeds: [1\ngrid: {}\n', /bad\.yaml: invalid YAML: .* at line \d+, column \d+/],
      ['scenario: nope.json\nseeds: [1]\n', /bad\.yaml: scenario: .*nope\.json: no such file/],
      ['scenario: tiny.json\nseeds: { from: 1, count: 100000 }\ngrid: { nodes: [8, 9] }\n', /200000 cells, more than 100000/],
    ];
    for (const [text, expected] of cases) expect(sweepError(text)).toMatch(expected);
    expect(sweepError('{"scenario": "tiny.json", "seeds": [1],}', 'bad.json')).toMatch(/bad\.json: invalid JSON: .* at line 1, column/);
  });

  it('validates every grid point before anything runs and reports all the problems at once', () => {
    const message = sweepError('scenario: tiny.json\nseeds: [1, 2]\ngrid:\n  dht.k: [1, 4]\n  dht.entryNodes: [2, 30]\n  dht.alpha: [0, 3]\n');
    // 8 grid points, one valid (k 4, 2 entries, alpha 3); the schema's problems and the consistency check's alike.
    expect(message).toMatch(/bad\.yaml: 7 of 8 grid points are invalid: /);
    expect(message).toMatch(/dht\.k: must be >= 2 \(got 1\) \[4 points, e\.g\. dht\.k=1 dht\.entryNodes=2 dht\.alpha=0\]/);
    expect(message).toMatch(/dht\.alpha: must be >= 1 \(got 0\) \[4 points/);
    expect(message).toMatch(/dht\.entryNodes: 30 entry nodes but only 8 nodes \(must be <= nodes\) \[1 point, e\.g\. dht\.k=4 dht\.entryNodes=30 dht\.alpha=3\]/);
    expect(sweepError('scenario: tiny.json\nseeds: [1]\ngrid: { noise.rate: [1] }\n')).toMatch(/1 of 1 grid points are invalid: noise: unknown field "rate"/);
  });

  it('orders cells point by point (first grid parameter slowest), seeds fastest; cell ids depend only on params and seed', () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'scenario: tiny.json\nseeds: [7, 8]\ngrid:\n  dht.k: [4, 6]\n  dht.alpha: [1, 2]\n');
    const plan = loadSweepPlan(file);
    expect(plan.cells.map((c) => [plan.points[c.point].params['dht.k'], plan.points[c.point].params['dht.alpha'], c.seed])).toEqual([
      [4, 1, 7], [4, 1, 8], [4, 2, 7], [4, 2, 8], [6, 1, 7], [6, 1, 8], [6, 2, 7], [6, 2, 8],
    ]);
    expect(new Set(plan.cells.map((c) => c.cellId)).size).toBe(8);
    expect(plan.points[3].scenario.dht).toMatchObject({ k: 6, alpha: 2, entryNodes: 3 });
    // The same point written in another key order is the same cell; another base scenario changes the sweep hash.
    writeFileSync(file, 'scenario: tiny.json\nseeds: [8]\ngrid:\n  dht.alpha: [2]\n  dht.k: [6]\n');
    const swapped = loadSweepPlan(file);
    expect(swapped.cells[0].cellId).toBe(plan.cells[7].cellId);
    expect(swapped.sweepHash).not.toBe(plan.sweepHash);
  });

  it('parseShard takes i/n with 0 <= i < n', () => {
    expect(parseShard('1/4')).toEqual({ index: 1, count: 4 });
    for (const bad of ['4/4', '1/0', '-1/2', 'a/b', '1']) expect(() => parseShard(bad)).toThrow(/--shard must be i\/n/);
  });
});
