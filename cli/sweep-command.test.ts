/**
 * `paratox sweep` and `paratox merge` end to end on a tiny DHT scenario with cover traffic (about a second per
 * cell): noise rate x padding mode x 5 seeds = 20 cells on 2 worker threads. One sweep is interrupted (as Ctrl-C
 * does) and resumed; the same sweep runs again as two shards (one of them stopped by --max-cells and resumed) and
 * is merged; both must give the same summary.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './program.ts';
import { loadSweepPlan } from '../sim/sweep/plan.ts';
import { manifestOf, prepareOutDir } from '../sim/sweep/out-dir.ts';
import { runSweep } from '../sim/sweep/run-sweep.ts';
import type { SweepSummary } from '../sim/sweep/summary.ts';
import { captureOutput } from './testing/capture-output.ts';
import { TINY_DHT_NOISE } from './testing/tiny-dht-noise.ts';

const dir = mkdtempSync(join(tmpdir(), 'paratox-sweep-'));
const base = TINY_DHT_NOISE;
writeFileSync(join(dir, 'tiny.json'), JSON.stringify(base));
const sweepFile = join(dir, 'noise-padding.yaml');
writeFileSync(sweepFile, 'scenario: tiny.json\nseeds: { from: 1, count: 5 }\ngrid:\n  noise.ratePerS: [1, 5]\n  packet.paddingMode: [fixed, variable]\n');

const io = captureOutput();

const json = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const cellCount = (out: string): number => readdirSync(join(out, 'cells')).filter((f) => f.endsWith('.json')).length;

describe('paratox sweep', () => {
  const whole = join(dir, 'whole');

  it('sweep(grid) runs noise rate x padding x 5 seeds on 2 worker threads; an interrupted sweep keeps its finished cells', async () => {
    const plan = loadSweepPlan(sweepFile);
    expect(plan.cells).toHaveLength(20);
    const abort = new AbortController();
    const threads = new Set<number>();
    const outcome = await runSweep(plan, {
      outDir: whole,
      workers: 2,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.result.ok) threads.add(p.result.threadId);
        if (p.done === 6) abort.abort(); // what Ctrl-C does
      },
    });
    expect(outcome.interrupted).toBe(true);
    expect(outcome.failures).toEqual([]);
    expect(threads.size).toBe(2); // two worker threads really ran cells
    expect(outcome.ran).toBeGreaterThanOrEqual(6);
    expect(outcome.ran).toBeLessThan(20);
    expect(cellCount(whole)).toBe(outcome.ran); // every finished cell kept, nothing half-written
    expect(readdirSync(join(whole, 'cells')).every((f) => /^[0-9a-f]{16}\.json$/.test(f))).toBe(true);
    expect(existsSync(join(whole, 'summary.json'))).toBe(false);
  }, 120_000);

  it('sweep(grid) resumes from the finished cells: the rerun skips them and says so, then writes the summary', async () => {
    const kept = cellCount(whole);
    expect(await main(['sweep', sweepFile, '--workers', '2', '--out-dir', whole])).toBe(0);
    expect(io.stderr).toContain(`20 cells; ${kept} already finished (skipped), ${20 - kept} to run on 2 workers`);
    expect(io.stderr.match(/^cell \d+\/\d+ /gm)).toHaveLength(20 - kept); // progress: a line per cell when not a TTY
    expect(io.stderr).toMatch(/ETA \d+ s/);
    expect(io.stderr).toContain(`${20 - kept} cells run, ${kept} skipped (finished earlier), 0 failed`);
    const summary = json<SweepSummary>(join(whole, 'summary.json'));
    expect(summary.points.map((p) => p.params)).toEqual([
      { 'noise.ratePerS': 1, 'packet.paddingMode': 'fixed' },
      { 'noise.ratePerS': 1, 'packet.paddingMode': 'variable' },
      { 'noise.ratePerS': 5, 'packet.paddingMode': 'fixed' },
      { 'noise.ratePerS': 5, 'packet.paddingMode': 'variable' },
    ]);
    const overhead = summary.points.map((p) => p.metrics['traffic.bandwidthOverhead']);
    expect(overhead.every((s) => s.n === 5 && s.ci95 !== null)).toBe(true);
    expect(overhead[2].mean).toBeGreaterThan(overhead[0].mean); // 5 dummies/s per link cost more than 1
    expect(JSON.stringify(summary)).not.toMatch(/wallSeconds|peakRssBytes/);
    expect(io.stdout).toMatch(/noise\.ratePerS=5 packet\.paddingMode=variable \(n=5\): traffic\.deliveryRatio /);
    // A third run finds everything done.
    expect(await main(['sweep', sweepFile, '--out-dir', whole])).toBe(0);
    expect(io.stderr).toContain('20 already finished (skipped), 0 to run');
  }, 120_000);

  it('writes a tidy CSV: one row per cell and metric, a column per grid parameter', () => {
    const [header, ...rows] = readFileSync(join(whole, 'summary.csv'), 'utf8').trim().split('\n');
    expect(header).toBe('sweep,cell,seed,noise.ratePerS,packet.paddingMode,metric,value');
    const cells = new Set(rows.map((r) => r.split(',')[1]));
    expect(cells.size).toBe(20);
    const overheadRows = rows.filter((r) => r.split(',')[5] === 'traffic.bandwidthOverhead');
    expect(overheadRows).toHaveLength(20);
    expect(overheadRows[0]).toMatch(/^noise-padding,[0-9a-f]{16},1,1,fixed,traffic\.bandwidthOverhead,\d+(\.\d+)?$/);
  });

  it("a cell's report has the traceHash of paratox run on the same scenario and seed", async () => {
    const plan = loadSweepPlan(sweepFile);
    const cell = plan.cells.find((c) => c.seed === 3 && plan.points[c.point].params['noise.ratePerS'] === 5 && plan.points[c.point].params['packet.paddingMode'] === 'variable')!;
    const scenarioFile = join(dir, 'cell.json');
    writeFileSync(scenarioFile, JSON.stringify({ ...base, noise: { ...base.noise, ratePerS: 5 }, packet: { paddingMode: 'variable' } }));
    const out = join(dir, 'run.json');
    expect(await main(['run', scenarioFile, '--seed', '3', '--quiet', '--out', out])).toBe(0);
    const cellReport = json<{ traceHash: string; reproduce: string; sweepCell: { cellId: string } }>(join(whole, 'cells', `${cell.cellId}.json`));
    expect(cellReport.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(cellReport.traceHash).toBe(json<{ traceHash: string }>(out).traceHash);
    expect(cellReport.sweepCell.cellId).toBe(cell.cellId);
    expect(cellReport.reproduce).toMatch(/paratox seeds \S+tiny\.json --seeds 1 --first 3 --set noise\.ratePerS=5 --set packet\.paddingMode=variable$/);
  }, 60_000);

  it('two shards (one stopped by --max-cells and resumed), merged, give the summary of the unsharded sweep', async () => {
    const [s0, s1, merged] = ['shard0', 'shard1', 'merged'].map((n) => join(dir, n));
    expect(await main(['sweep', sweepFile, '--workers', '2', '--shard', '0/2', '--out-dir', s0, '--max-cells', '4'])).toBe(0);
    expect(cellCount(s0)).toBe(4);
    expect(await main(['sweep', sweepFile, '--workers', '2', '--shard', '0/2', '--out-dir', s0])).toBe(0);
    expect(io.stderr).toContain('shard 0/2: 10; 4 already finished (skipped), 6 to run');
    expect(await main(['sweep', sweepFile, '--workers', '2', '--shard', '1/2', '--out-dir', s1])).toBe(0);
    expect(io.stderr).toMatch(/shard finished; when every shard is done: paratox merge/);
    expect(existsSync(join(s0, 'summary.json'))).toBe(false);
    // Shard i holds exactly the cells whose index mod 2 is i.
    const plan = loadSweepPlan(sweepFile);
    for (const [i, d] of [s0, s1].entries()) {
      expect(new Set(readdirSync(join(d, 'cells')).map((f) => f.slice(0, 16)))).toEqual(new Set(plan.cells.filter((c) => c.index % 2 === i).map((c) => c.cellId)));
    }
    expect(await main(['merge', s0, '--out', merged])).toBe(2); // half the cells
    expect(io.stderr).toMatch(/paratox: 10 of 20 cells are missing \(first: cell #1 \(seed 2, noise\.ratePerS=1 packet\.paddingMode=fixed\)\)/);
    expect(await main(['merge', s0, s1, '--out', merged])).toBe(0);
    expect(json(join(merged, 'summary.json'))).toEqual(json(join(whole, 'summary.json')));
    expect(readFileSync(join(merged, 'summary.csv'), 'utf8')).toBe(readFileSync(join(whole, 'summary.csv'), 'utf8'));
  }, 180_000);

  it('merge refuses parts of another sweep, and a rerun refuses an out-dir holding another sweep (exit 2)', async () => {
    const otherFile = join(dir, 'other.yaml');
    writeFileSync(otherFile, 'scenario: tiny.json\nseeds: [1, 2]\ngrid:\n  noise.ratePerS: [1, 5]\n');
    const other = join(dir, 'other');
    prepareOutDir(other, manifestOf(loadSweepPlan(otherFile)));
    const out = join(dir, 'bad-merge');
    expect(await main(['merge', join(dir, 'shard0'), other, '--out', out])).toBe(2);
    expect(io.stderr).toMatch(/^paratox: \S+other is from another sweep than \S+shard0 \(hash [0-9a-f]{12} vs [0-9a-f]{12}.*refusing to merge\n$/);
    expect(existsSync(out)).toBe(false);
    expect(await main(['sweep', otherFile, '--out-dir', whole])).toBe(2);
    expect(io.stderr).toMatch(/whole holds another sweep .*use another --out-dir or remove it/);
    expect(await main(['merge', join(dir, 'nowhere'), '--out', out])).toBe(2);
    expect(io.stderr).toMatch(/nowhere: not a sweep output directory/);
  });

  it('a cell that fails (here: over its event budget) is reported in one line; the other cells are kept, no summary (exit 2)', async () => {
    const budget = join(dir, 'budget.yaml');
    writeFileSync(budget, 'scenario: tiny.json\nseeds: [1]\ngrid:\n  limits.maxEvents: [1000]\n  durationS: [2, 20]\n');
    const out = join(dir, 'budget');
    expect(await main(['sweep', budget, '--workers', '2', '--out-dir', out])).toBe(2);
    expect(io.stderr).toMatch(/^cell \d\/2 FAILED \(RunBudgetError\) #1 seed 1 limits\.maxEvents=1000 durationS=20 /m);
    expect(io.stderr).toMatch(/^paratox: 1 cell failed \(first: #1 seed 1 limits\.maxEvents=1000 durationS=20: RunBudgetError: .*limits\.maxEvents.*\); the others are kept, a rerun retries the failed ones\n$/m);
    expect(cellCount(out)).toBe(1);
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
  }, 60_000);

  it('refuses a sweep file with an invalid grid point before running anything (exit 2, one line)', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'scenario: tiny.json\nseeds: [1]\ngrid:\n  noise.ratePerS: [0, 5, 20]\n');
    const out = join(dir, 'never');
    expect(await main(['sweep', bad, '--out-dir', out])).toBe(2);
    expect(io.stderr).toMatch(/^paratox: \S+bad\.yaml: 1 of 3 grid points are invalid: noise\.ratePerS: must be >= 0\.01 \(got 0\) \[1 point, e\.g\. noise\.ratePerS=0\]\n$/);
    expect(existsSync(out)).toBe(false);
    expect(await main(['sweep', sweepFile, '--shard', '2/2'])).toBe(2);
    expect(io.stderr).toMatch(/--shard must be i\/n/);
  });
});
