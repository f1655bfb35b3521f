/**
 * `paratox compare` end to end on real runs: eve-constant-noise scaled down to a few seconds (20 nodes, 100 s,
 * 4 conversations), run with its constant cover traffic and with noise off; and real `paratox seeds` results.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Comparison, MetricRow } from '../sim/compare/compare-metrics.ts';
import { main } from './program.ts';
import { captureOutput } from './testing/capture-output.ts';

const dir = mkdtempSync(join(tmpdir(), 'paratox-compare-'));
const at = (name: string) => join(dir, name);

const io = captureOutput();

function verdicts(json: string): Record<string, MetricRow['verdict']> {
  const c = JSON.parse(json) as Comparison;
  return Object.fromEntries(c.rows.map((r) => [r.metric, r.verdict]));
}

beforeAll(async () => {
  const scenario = JSON.parse(readFileSync('scenarios/eve-constant-noise.json', 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  Object.assign(scenario, { nodes: 20, durationS: 100 });
  scenario.conversations.count = 4;
  writeFileSync(at('noise-on.json'), JSON.stringify(scenario));
  writeFileSync(at('noise-off.json'), JSON.stringify({ ...scenario, noise: { policy: 'off' } }));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const runs: Array<[string, string]> = [['noise-on.json', 'on.report.json'], ['noise-off.json', 'off.report.json'], ['noise-off.json', 'off-again.report.json']];
  for (const [scenarioFile, out] of runs) expect(await main(['run', at(scenarioFile), '--out', at(out), '--quiet'])).toBe(0);
  vi.restoreAllMocks();
}, 180_000);

describe('paratox compare on real runs', () => {
  it('passes (exit 0) on an unchanged run: nothing with a tolerance moved', async () => {
    expect(await main(['compare', at('off.report.json'), at('off-again.report.json')])).toBe(0);
    expect(io.stdout).toMatch(/\d+ metrics with a tolerance: 0 moved, \d+ unchanged; no regression\n$/);
  });

  it('refuses (exit 2, one line naming the field) to compare noise off with noise on unless --allow-scenario-diff noise', async () => {
    expect(await main(['compare', at('on.report.json'), at('off.report.json')])).toBe(2);
    expect(io.stderr).toMatch(/^paratox: .*off\.report\.json: its scenario differs from .*on\.report\.json's in noise\.policy \("constant" vs "off"\).*\(if intended: --allow-scenario-diff noise\)\n$/);
  });

  it('fails (exit 1) on the weakened setting, noise off against noise on: Eve finds more partners', async () => {
    expect(await main(['compare', at('on.report.json'), at('off.report.json'), '--allow-scenario-diff', 'noise'])).toBe(1);
    expect(io.stdout).toMatch(/^attacks\.eve\.degreeOfAnonymity .* REGRESSED$/m);
    expect(io.stdout).toMatch(/REGRESSION in .*attacks\.eve\.degreeOfAnonymity/);
    io.stdout = '';
    expect(await main(['compare', at('on.report.json'), at('off.report.json'), '--allow-scenario-diff', 'noise', '--json'])).toBe(1);
    const v = verdicts(io.stdout);
    expect(v['attacks.eve.top1']).toBe('regressed');
    expect(v['attacks.eve.degreeOfAnonymity']).toBe('regressed');
    // what noise costs, and what turning it off saves, is an improvement, not a regression
    expect(v['traffic.bandwidthOverhead']).toBe('improved');
  });

  it('is direction-aware: noise on against noise off improves anonymity and regresses overhead', async () => {
    expect(await main(['compare', at('off.report.json'), at('on.report.json'), '--allow-scenario-diff', 'noise', '--json'])).toBe(1);
    const c = JSON.parse(io.stdout) as Comparison;
    const v = verdicts(io.stdout);
    expect(v['attacks.eve.top1']).toBe('improved');
    expect(v['attacks.eve.degreeOfAnonymity']).toBe('improved');
    expect(v['traffic.bandwidthOverhead']).toBe('regressed');
    expect(c.regressions).not.toContain('attacks.eve.top1');
  });

  it('a bad --tolerances file: exit 2, one line naming the file and the field', async () => {
    const tol = at('tol.json');
    writeFileSync(tol, JSON.stringify({ metrics: { 'attacks.eve.top1': { direction: 'lower-is-better', abs: 0.1 }, 'traffic.deliveryRatio': { direction: 'higher' } } }));
    expect(await main(['compare', at('off.report.json'), at('off-again.report.json'), '--tolerances', tol])).toBe(2);
    expect(io.stderr).toBe(`paratox: ${tol}: metrics["traffic.deliveryRatio"].direction: must be one of "higher-is-better", "lower-is-better", "equal" (got "higher")\n`);
    expect(await main(['compare', at('off.report.json'), at('missing.json')])).toBe(2);
    expect(io.stderr).toMatch(/paratox: .*missing\.json: no such file\n$/);
  });
});

describe('paratox compare on real multi-seed results', () => {
  it('a difference within seed noise is not flagged, even with a zero tolerance', async () => {
    const scenario = at('lossy.json');
    writeFileSync(scenario, JSON.stringify({ name: 'lossy', nodes: 12, durationS: 3, network: { lossRate: 0.1 }, ping: { intervalMs: 200, peersPerNode: 3 } }));
    const tol = at('strict.json');
    writeFileSync(tol, JSON.stringify({ metrics: { 'traffic.deliveryRatio': { direction: 'higher-is-better' } } }));
    expect(await main(['seeds', scenario, '--seeds', '4', '--first', '1', '--out', at('a.seeds.json')])).toBe(0);
    expect(await main(['seeds', scenario, '--seeds', '4', '--first', '20', '--out', at('b.seeds.json')])).toBe(0);
    io.stdout = '';
    expect(await main(['compare', at('a.seeds.json'), at('b.seeds.json'), '--tolerances', tol, '--json'])).toBe(0);
    const row = (JSON.parse(io.stdout) as Comparison).rows[0];
    expect(row.metric).toBe('traffic.deliveryRatio');
    expect(row.change).not.toBe(0);
    expect(row.verdict).toBe('within-noise');
    expect(row.welch?.significant).toBe(false);
  });
});
