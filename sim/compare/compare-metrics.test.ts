/**
 * compareInputs on synthetic inputs built from a real report's structure (the committed messenger-small
 * baseline, figures changed by hand) and on synthetic seeds results; the real runs are in cli/compare-command.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCompareInput, type CompareInput } from './compare-input.ts';
import { compareInputs, type MetricRow } from './compare-metrics.ts';
import { parseTolerances, type ToleranceTable } from './tolerances.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const REAL = JSON.parse(readFileSync('reports/baselines/messenger-small.json', 'utf8')) as Json;

function report(edit: (r: Json) => void = () => {}, file = 'candidate.json'): CompareInput {
  const r = structuredClone(REAL);
  edit(r);
  return parseCompareInput(r, file);
}

const TABLE: ToleranceTable = parseTolerances(
  {
    metrics: {
      'traffic.deliveryRatio': { direction: 'higher-is-better', abs: 0.01 },
      'traffic.latencyMs.p95': { direction: 'lower-is-better', rel: 0.1 },
      'attacks.eve.top1': { direction: 'lower-is-better', abs: 0.1 },
      'attacks.eve.degreeOfAnonymity': { direction: 'higher-is-better', abs: 0.05 },
      'traffic.packetSizesCount': { direction: 'equal' },
      'sim.nodes': { direction: 'equal' },
    },
  },
  'test-tolerances',
);

function rowOf(rows: readonly MetricRow[], metric: string): MetricRow {
  const row = rows.find((r) => r.metric === metric);
  if (!row) throw new Error(`no row ${metric}`);
  return row;
}

const BASE = report(() => {}, 'baseline.json');

describe('compareInputs on run reports', () => {
  it('an unchanged report: every checked metric unchanged, no regression', () => {
    const c = compareInputs(BASE, report(), TABLE);
    expect(c.rows.map((r) => r.verdict)).toEqual(c.rows.map(() => 'unchanged'));
    expect(c.rows.length).toBeGreaterThanOrEqual(5);
    expect(c.regressions).toEqual([]);
  });

  it('is direction-aware: Eve ranking partners first more often is a regression, less often an improvement', () => {
    const top1 = REAL.attacks.eve.top1 as number;
    const worse = compareInputs(BASE, report((r) => (r.attacks.eve.top1 = top1 + 0.25)), TABLE);
    expect(rowOf(worse.rows, 'attacks.eve.top1').verdict).toBe('regressed');
    expect(worse.regressions).toEqual(['attacks.eve.top1']);
    const better = compareInputs(BASE, report((r) => (r.attacks.eve.top1 = Math.max(0, top1 - 0.25))), TABLE);
    expect(rowOf(better.rows, 'attacks.eve.top1').verdict).toBe('improved');
    expect(better.regressions).toEqual([]);
    // higher-is-better: the same logic mirrored
    const lessAnon = compareInputs(BASE, report((r) => (r.attacks.eve.degreeOfAnonymity -= 0.2)), TABLE);
    expect(rowOf(lessAnon.rows, 'attacks.eve.degreeOfAnonymity').verdict).toBe('regressed');
  });

  it('a change within max(abs, rel x baseline) passes; just beyond it fails', () => {
    const p95 = REAL.traffic.latencyMs.p95 as number;
    const within = compareInputs(BASE, report((r) => (r.traffic.latencyMs.p95 = p95 * 1.099)), TABLE);
    expect(rowOf(within.rows, 'traffic.latencyMs.p95')).toMatchObject({ verdict: 'within-tolerance', allowed: p95 * 0.1 });
    const beyond = compareInputs(BASE, report((r) => (r.traffic.latencyMs.p95 = p95 * 1.101)), TABLE);
    expect(rowOf(beyond.rows, 'traffic.latencyMs.p95').verdict).toBe('regressed');
  });

  it('"equal" fails on a change either way; a metric that lost its value is a regression, a new one is not', () => {
    const c = compareInputs(BASE, report((r) => (r.sim.nodes -= 1)), TABLE);
    expect(rowOf(c.rows, 'sim.nodes').verdict).toBe('regressed');
    const lost = compareInputs(BASE, report((r) => (r.traffic.latencyMs.p95 = null)), TABLE);
    expect(rowOf(lost.rows, 'traffic.latencyMs.p95')).toMatchObject({ verdict: 'missing', candidate: null });
    expect(lost.regressions).toEqual(['traffic.latencyMs.p95']);
    const gained = compareInputs(BASE, report((r) => (r.traffic.packetSizesCount = 1)), TABLE);
    expect(rowOf(gained.rows, 'traffic.packetSizesCount').verdict).toBe('new');
    expect(gained.regressions).toEqual([]);
  });

  it('refuses reports of different scenarios, naming the field, unless allowed; description never counts', () => {
    expect(() => compareInputs(BASE, report((r) => (r.scenario.noise.policy = 'poisson')), TABLE)).toThrow(
      /^candidate\.json: its scenario differs from baseline\.json's in noise\.policy \("off" vs "poisson"\); compare refuses different experiments \(if intended: --allow-scenario-diff noise\)$/,
    );
    const allowed = compareInputs(BASE, report((r) => (r.scenario.noise.policy = 'poisson')), TABLE, { allowScenarioDiff: ['noise'] });
    expect(allowed.scenarioDifferences).toEqual([{ path: 'noise.policy', baseline: '"off"', candidate: '"poisson"', allowed: true }]);
    expect(() => compareInputs(BASE, report((r) => (r.seed = 2)), TABLE)).toThrow(/differs .* in seed \(1 vs 2\)/);
    expect(compareInputs(BASE, report((r) => (r.scenario.description = 'reworded')), TABLE).scenarioDifferences).toEqual([]);
  });

  it('a scenario field added to the format after the baseline was written (absent there, default here) is no difference', () => {
    const older = report((r) => delete r.scenario.noise.rekeyAfterS, 'old-baseline.json');
    expect(compareInputs(older, report(), TABLE).scenarioDifferences).toEqual([]);
    // but a non-default value of that field is
    expect(() => compareInputs(older, report((r) => (r.scenario.noise.rekeyAfterS = 7)), TABLE)).toThrow(/noise\.rekeyAfterS \(120 vs 7\)/);
  });

  it('bad inputs: one line naming the file and the field', () => {
    expect(() => parseCompareInput({ paratox: 1, scenario: { name: 'x' }, seed: 1, traffic: {}, attacks: 5 }, 'r.json')).toThrow(/^r\.json: attacks: expected an object, got 5$/);
    expect(() => parseCompareInput({ hello: 1 }, 'r.json')).toThrow(/^r\.json: neither a run report .* nor a seeds result/);
    expect(() => parseCompareInput({ scenario: 'x', seeds: [1], metrics: { 'a.b': { n: 2, mean: 1, sd: -1 } } }, 's.json')).toThrow(
      /^s\.json: metrics\["a\.b"\]\.sd: expected a number >= 0, got -1$/,
    );
    const seeds = parseCompareInput({ scenario: 'messenger-small', seeds: [1], overrides: {}, metrics: {} }, 's.json');
    expect(() => compareInputs(BASE, seeds, TABLE)).toThrow(/^s\.json: is a seeds result but the baseline baseline\.json is a run report; compare like with like$/);
  });
});

/** A seeds result (paratox seeds --out shape) with one metric of the given mean, sd and n. */
function seeds(file: string, metric: string, n: number, mean: number, sd: number, overrides: Json = {}, resolvedScenario?: Json): CompareInput {
  const half = (2.262 * sd) / Math.sqrt(n);
  return parseCompareInput(
    { scenario: 'eclipse-table', file: 'scenarios/eclipse-table.json', overrides, resolvedScenario, seeds: Array.from({ length: n }, (_, i) => i + 1), metrics: { [metric]: { n, mean, sd, ci95: [mean - half, mean + half], min: mean, max: mean } }, runs: [] },
    file,
  );
}

describe('compareInputs on multi-seed results', () => {
  const M = 'attacks.eclipse.victimHarm.majorityMaliciousShare';
  const table = parseTolerances({ metrics: { [M]: { direction: 'lower-is-better', abs: 0.05 } } }, 't');

  it('a difference beyond tolerance but within seed noise is not flagged (Welch)', () => {
    const c = compareInputs(seeds('b.json', M, 10, 0.2, 0.15), seeds('c.json', M, 10, 0.28, 0.15), table);
    const row = rowOf(c.rows, M);
    expect(row.verdict).toBe('within-noise');
    expect(row.welch!.significant).toBe(false);
    expect(c.regressions).toEqual([]);
  });

  it('the same difference with tight seeds is a regression; mirrored it is an improvement', () => {
    const c = compareInputs(seeds('b.json', M, 10, 0.2, 0.02), seeds('c.json', M, 10, 0.28, 0.02), table);
    expect(rowOf(c.rows, M)).toMatchObject({ verdict: 'regressed', welch: { significant: true } });
    expect(c.regressions).toEqual([M]);
    const better = compareInputs(seeds('b.json', M, 10, 0.28, 0.02), seeds('c.json', M, 10, 0.2, 0.02), table);
    expect(rowOf(better.rows, M).verdict).toBe('improved');
  });

  it('significant but within tolerance is not flagged either', () => {
    const c = compareInputs(seeds('b.json', M, 30, 0.2, 0.001), seeds('c.json', M, 30, 0.24, 0.001), table);
    expect(rowOf(c.rows, M)).toMatchObject({ verdict: 'within-tolerance', welch: { significant: true } });
  });

  it('compares the scenario name and --set overrides of seeds results, not their seed lists', () => {
    expect(() => compareInputs(seeds('b.json', M, 5, 0.2, 0.1), seeds('c.json', M, 5, 0.2, 0.1, { 'eclipse.defence': 'none' }), table)).toThrow(
      /c\.json: its scenario differs .* in eclipse\.defence \(\(absent\) vs "none"\)/,
    );
    const ok = compareInputs(seeds('b.json', M, 5, 0.2, 0.1), seeds('c.json', M, 7, 0.2, 0.1, { 'eclipse.defence': 'none' }), table, { allowScenarioDiff: ['eclipse.defence'] });
    expect(ok.regressions).toEqual([]);
  });

  // Guards: two seeds files with the same name and no --set but an edited scenario file were compared as one experiment.
  it('with resolved scenarios on both sides, compares them field by field (not the seed)', () => {
    const scn = (nodes: number, seed: number) => ({ name: 'eclipse-table', seed, nodes, durationS: 60, protocol: 'dht' });
    expect(() => compareInputs(seeds('b.json', M, 5, 0.2, 0.1, {}, scn(50, 1)), seeds('c.json', M, 5, 0.2, 0.1, {}, scn(60, 1)), table)).toThrow(
      /c\.json: its scenario differs .* in nodes \(50 vs 60\)/,
    );
    expect(compareInputs(seeds('b.json', M, 5, 0.2, 0.1, {}, scn(50, 1)), seeds('c.json', M, 5, 0.2, 0.1, {}, scn(50, 9)), table).scenarioDifferences).toEqual([]);
    // An older file without it: name and overrides only, as before.
    expect(compareInputs(seeds('b.json', M, 5, 0.2, 0.1), seeds('c.json', M, 5, 0.2, 0.1, {}, scn(60, 1)), table).scenarioDifferences).toEqual([]);
  });
});
