/**
 * `paratox tune` end to end on a tiny DHT scenario with cover traffic (about a second per run): the cheapest
 * Poisson rate whose noise meets a floor. Successive halving must pick what the full grid picks with fewer runs; a
 * rerun reuses every finished run; an unreachable target exits 1 and says so.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './program.ts';
import type { TuneResult } from '../sim/tune/run-tune.ts';
import { captureOutput } from './testing/capture-output.ts';
import { TINY_DHT_NOISE } from './testing/tiny-dht-noise.ts';

const dir = mkdtempSync(join(tmpdir(), 'paratox-tune-'));
writeFileSync(join(dir, 'tiny.json'), JSON.stringify(TINY_DHT_NOISE));
const tuneText = (search: string, floor = 60) =>
  `name: tiny-tune\nscenario: tiny.json\nseeds: { from: 1, count: 2 }\nspace: { noise.ratePerS: [0.5, 1, 2, 5] }\n` +
  `targets: [{ metric: traffic.noisePackets, min: ${floor} }]\nbenefit: traffic.noisePackets\nsearch: ${search}\n`;
const file = (name: string, text: string): string => (writeFileSync(join(dir, name), text), join(dir, name));
const out = join(dir, 'out');
const result = (): TuneResult => JSON.parse(readFileSync(join(out, 'tune.json'), 'utf8')) as TuneResult;
const io = captureOutput();

describe('paratox tune', () => {
  it('successive halving finds the full grid\'s cheapest setting with fewer runs, and prints the frontier', async () => {
    expect(await main(['tune', file('halving.yaml', tuneText('{ minSeeds: 1, eta: 2 }')), '--workers', '2', '--out-dir', out])).toBe(0);
    const halving = result();
    expect(halving.runs).toBe(6); // 4 settings x 1 seed, then 2 x 2
    expect(halving.gridRuns).toBe(8);
    expect(io.stdout).toContain('used 6 runs (the full grid: 8)');
    expect(io.stdout).toMatch(/Pareto frontier/);
    const costs = halving.frontier.map((i) => halving.candidates[i].metrics['traffic.bandwidthOverhead'].mean);
    expect(costs).toEqual([...costs].sort((a, b) => a - b));

    expect(await main(['tune', file('grid.yaml', tuneText('{ method: grid }')), '--workers', '2', '--out-dir', out, '--quiet'])).toBe(0);
    const grid = result();
    expect(grid.runs).toBe(8);
    expect(grid.best).not.toBeNull();
    expect(halving.best).toBe(grid.best);
    // The grid's choice really is the cheapest that meets the floor on every seed's mean.
    const meeting = grid.candidates.filter((c) => c.metrics['traffic.noisePackets'].mean >= 60);
    const cheapest = meeting.sort((a, b) => a.metrics['traffic.bandwidthOverhead'].mean - b.metrics['traffic.bandwidthOverhead'].mean)[0];
    expect(grid.best).toBe(cheapest.index);
  }, 120_000);

  it('a rerun reuses finished runs; an unreachable target exits 1 and says so', async () => {
    expect(await main(['tune', file('far.yaml', tuneText('{ minSeeds: 1, eta: 2 }', 1e9)), '--workers', '2', '--out-dir', out])).toBe(1);
    expect(io.stderr).not.toMatch(/[1-9]\d* to run/); // every run was already in the directory
    expect(io.stdout).toMatch(/no setting meets every target with all 2 seeds/);
    expect(result().best).toBeNull();
  }, 60_000);

  it('a bad tune file is one line naming the field, exit 2', async () => {
    expect(await main(['tune', file('bad.yaml', tuneText('{ eta: 0 }'))])).toBe(2);
    expect(io.stderr.trim()).toMatch(/bad\.yaml: search\.eta: /);
    expect(io.stderr.trim().split('\n')).toHaveLength(1);
  });
});
