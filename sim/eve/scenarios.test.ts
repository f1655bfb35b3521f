/**
 * Issue 9's "must show" scenarios, each run at seed 1 and asserted against the outcome scenarios/README.md states
 * ("Eve's scenarios"). Margins come from seeds 1-3 (per-seed figures in that README); each bound sits below
 * (or above, for "near chance") the worst seed measured:
 * - size-correlation-without-padding: packet.paddingMode 'variable' drops padding everywhere (cells included,
 *   OnionConfig.cellPadding), so message sizes reach the wire; size correlation alone finds partners well above
 *   chance: top1 >= 2 / candidates and degree <= 0.6 at seed 1 (measured top1 0.750 / 0.375 / 0.500 of 7 / 7 / 5
 *   candidates, degree 0.370 / 0.828 / 0.662: most partners on seed 1 only, 2.5-5x chance on all three).
 * - eve-no-noise: timing correlation top1 >= 0.6 (measured 0.875 / 0.750 / 1.000), packet counting top1 >= 0.6
 *   (1.000 / 0.875 / 1.000), the strongest attack's degree of anonymity <= 0.5 (0.000 / 0.170 / 0.000).
 * - eve-poisson-noise (0.2 dummies/s per link): overhead in (5, 20) (measured 10.6 / 8.3 / 12.1), packet counting
 *   top1 <= 0.75 (0.375 / 0.625 / 0.167), timing correlation still >= 0.6 (0.875 / 0.750 / 1.000): in between.
 * - eve-constant-noise (4 slots/s per link): with noise off the same run's strongest attack has top1 >= 0.6 (measured
 *   0.700 / 1.000 / 0.750); with it every attack has top1 <= 0.55 and degree >= 0.7 (worst seed: timing correlation
 *   0.500 of 7 candidates, degree 0.814; disclosure degree 0.759), size correlation, packet counting and IPD matching
 *   top1 <= 2.75 / candidates (worst 0.375 of 7), timing correlation and disclosure <= 4 / candidates.
 * The last test checks that `paratox eve` on the run's --tap export reproduces the run's own attacks.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/program.ts';
import type { Report } from '../report/report.ts';
import { loadScenario } from '../scenario/load-scenario.ts';
import { runScenario } from '../scenario/run-scenario.ts';
import type { EveFigures } from './run-eve.ts';

const ATTACK_NAMES = ['size-correlation', 'timing-correlation', 'packet-counting', 'ipd-matching', 'disclosure'];
const dir = mkdtempSync(path.join(os.tmpdir(), 'paratox-eve-scenarios-'));

function run(name: string, tapFile?: string): Report {
  return runScenario(loadScenario(`scenarios/${name}.json`), { seed: 1, tapFile });
}

function figures(r: Report, attack: string): EveFigures {
  const f = r.attacks.eveByMethod?.[attack];
  if (!f) throw new Error(`no figures for ${attack}`);
  return f;
}

function top1(r: Report, attack: string): number {
  const t = figures(r, attack).top1;
  if (t === null) throw new Error(`${attack}: top1 is null (no targets?)`);
  return t;
}

afterEach(() => vi.restoreAllMocks());

describe("Eve's scenarios (issue 9)", () => {
  it('size-correlation-without-padding: message sizes on the wire; size correlation alone finds partners far above chance', () => {
    const r = run('size-correlation-without-padding');
    expect(r.traffic.packetSizes!.length).toBeGreaterThan(1);
    expect(r.traffic.deliveryRatio).toBeGreaterThanOrEqual(0.99);
    const size = figures(r, 'size-correlation');
    expect(size.candidates).toBeGreaterThanOrEqual(4);
    expect(top1(r, 'size-correlation')).toBeGreaterThanOrEqual(2 / size.candidates);
    expect(size.degreeOfAnonymity).toBeLessThanOrEqual(0.6);
  }, 150_000);

  it('eve-no-noise: timing correlation and packet counting find most partners; paratox eve on the tap reproduces the run', async () => {
    const tap = path.join(dir, 'no-noise.csv');
    const r = run('eve-no-noise', tap);
    expect(r.traffic.packetSizes).toEqual([1232]);
    expect(r.traffic.noisePackets ?? 0).toBe(0);
    expect(r.traffic.deliveryRatio).toBeGreaterThanOrEqual(0.99);
    expect(figures(r, 'timing-correlation').candidates).toBeGreaterThanOrEqual(4);
    expect(top1(r, 'timing-correlation')).toBeGreaterThanOrEqual(0.6);
    expect(top1(r, 'packet-counting')).toBeGreaterThanOrEqual(0.6);
    expect(r.attacks.eve!.degreeOfAnonymity).toBeLessThanOrEqual(0.5);

    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = path.join(dir, 'no-noise.eve.json');
    expect(await main(['eve', tap, '--truth', `${tap}.truth.json`, '--out', out])).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    const expected = JSON.parse(JSON.stringify({ eve: r.attacks.eve, eveByMethod: r.attacks.eveByMethod }));
    expect({ eve: doc.eve, eveByMethod: doc.eveByMethod }).toEqual(expected);
  }, 150_000);

  it('eve-poisson-noise: in between, at a stated overhead', () => {
    const r = run('eve-poisson-noise');
    expect(r.traffic.noisePackets).toBeGreaterThan(0);
    expect(r.traffic.deliveryRatio).toBeGreaterThanOrEqual(0.99);
    // Dummies at 0.2/s per link cost ~10x the real bytes (measured 10.6 / 8.3 / 12.1).
    expect(r.traffic.bandwidthOverhead).toBeGreaterThan(5);
    expect(r.traffic.bandwidthOverhead).toBeLessThan(20);
    // Packet counting loses most partners (measured 0.375 / 0.625 / 0.167, against 1.000 / 0.875 / 1.000 without noise) ...
    expect(top1(r, 'packet-counting')).toBeLessThanOrEqual(0.75);
    // ... but independent per-link dummies average out in 10 s bins: timing correlation still finds most partners
    // (measured 0.875 / 0.750 / 1.000).
    expect(top1(r, 'timing-correlation')).toBeGreaterThanOrEqual(0.6);
  }, 240_000);

  it('eve-constant-noise: every attack falls to about chance, where the same run with noise off finds most partners', () => {
    const scenario = loadScenario('scenarios/eve-constant-noise.json');
    const control = runScenario({ ...scenario, noise: { ...scenario.noise, policy: 'off' } }, { seed: 1 });
    expect(control.attacks.eve!.top1).toBeGreaterThanOrEqual(0.6);
    const r = runScenario(scenario, { seed: 1 });
    expect(r.traffic.noisePackets).toBeGreaterThan(0);
    expect(r.traffic.deliveryRatio).toBeGreaterThanOrEqual(0.99);
    const shaper = (r.protocol.noise as { shaper: { queueOverflow: number } }).shaper;
    expect(shaper.queueOverflow).toBe(0);
    for (const name of ATTACK_NAMES) {
      const f = figures(r, name);
      expect(f.candidates, name).toBeGreaterThanOrEqual(6);
      // Links opening when a conversation starts add a slot stream at both ends at once: timing correlation and
      // disclosure keep a little (worst seed 3.5 / candidates), the others stay within 2.75 / candidates.
      const bound = name === 'timing-correlation' || name === 'disclosure' ? 4 : 2.75;
      expect(top1(r, name), name).toBeLessThanOrEqual(bound / f.candidates);
      expect(top1(r, name), name).toBeLessThanOrEqual(0.55);
      expect(f.degreeOfAnonymity, name).toBeGreaterThanOrEqual(0.7);
    }
  }, 240_000);
});

