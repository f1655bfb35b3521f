import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProgressLine, runScenarioInChild } from './child-run.ts';
import { lineFit, powerFit, slopeWarnings } from './scale.ts';

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

describe('bench scale lineFit', () => {
  it('recovers fixed + perNode · nodes, e.g. the 250/500-node scale-10k walls', () => {
    const f = lineFit([
      [250, 270.43],
      [500, 377.0],
    ]);
    expect(f.perNode).toBeCloseTo(0.426, 3);
    expect(f.fixed).toBeCloseTo(163.86, 2);
    const g = lineFit([100, 200, 400].map((x) => [x, 5 + 2 * x] as const));
    expect([g.fixed, g.perNode]).toEqual([5, 2]);
  });
});

describe('bench scale slopeWarnings', () => {
  it('flags a fit whose cost falls (or stays) as nodes grow, e.g. two close counts measured under load', () => {
    // The 240/260-node pair of an earlier session: -0.01 s per node, which extrapolated to a cheaper 10k than 260.
    const wall = lineFit([
      [240, 251.9],
      [260, 251.7],
    ]);
    expect(slopeWarnings({ wall, cpu: null, rss: { perNode: 1e6 } })).toEqual([
      expect.stringMatching(/^wall per node fitted as -0\.0100 \(<= 0\)/),
    ]);
    expect(slopeWarnings({ wall: { perNode: 0.43 }, cpu: { perNode: 0.5 }, rss: { perNode: 1e6 } })).toEqual([]);
  });
});

describe('bench scale: runs under a wall budget (runScenarioInChild)', () => {
  it('reads the progress lines of paratox run', () => {
    expect(parseProgressLine('scale-10000 seed 1: 10% (sim 60.0 s, 1900514 events)')).toEqual({ fractionDone: 0.1, simulatedSeconds: 60, events: 1_900_514 });
    expect(parseProgressLine('bench scale: 10000 nodes ...')).toBeNull();
  });

  it('a run within its budget returns its report; one past it is stopped and returns what it reached', async () => {
    const done = await runScenarioInChild('scenarios/ping-small.json', { maxWallS: 300 });
    expect(done.complete && done.report.traceHash?.slice(0, 8)).toBe('860b567a'); // ping-small's pinned trace
    const dir = mkdtempSync(path.join(os.tmpdir(), 'paratox-scale-test-'));
    const file = path.join(dir, 'long.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync('scenarios/scale-10k.json', 'utf8')), nodes: 250 }));
    const stopped = await runScenarioInChild(file, { maxWallS: 4 });
    expect(stopped.complete).toBe(false);
    if (stopped.complete) return;
    expect(stopped.partial.wallSeconds).toBeGreaterThanOrEqual(4);
    expect(stopped.partial.fractionDone ?? 0).toBeLessThan(1);
    if (process.platform === 'linux') {
      expect(stopped.partial.cpuSeconds).toBeGreaterThan(0);
      expect(stopped.partial.peakRssBytes).toBeGreaterThan(20 * 2 ** 20);
    }
  }, 120_000);
});
