import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './program.ts';
import { UsageError } from './errors.ts';
import { applySet, type SeedsResult } from './seeds-command.ts';
import { captureOutput } from './testing/capture-output.ts';

const dir = mkdtempSync(join(tmpdir(), 'paratox-seeds-'));
const file = join(dir, 'tiny.json');
writeFileSync(file, JSON.stringify({ name: 'tiny', nodes: 12, durationS: 3, ping: { intervalMs: 200, peersPerNode: 3 } }));

const io = captureOutput();

describe('paratox seeds', () => {
  it('runs N seeds one after another, a progress line each, and writes mean and 95 % interval per metric', async () => {
    const out = join(dir, 'seeds.json');
    expect(await main(['seeds', file, '--seeds', '3', '--first', '5', '--out', out, '--set', 'network.lossRate=0.2'])).toBe(0);
    expect(io.stderr.match(/^seed \d+ \(\d\/3\)/gm)).toHaveLength(3);
    const result = JSON.parse(readFileSync(out, 'utf8')) as SeedsResult;
    expect(result.seeds).toEqual([5, 6, 7]);
    expect(result.overrides).toEqual({ 'network.lossRate': 0.2 });
    expect(result.resolvedScenario.network.lossRate).toBe(0.2); // the scenario the runs used, defaults filled in
    expect(result.resolvedScenario.packet.wireSize).toBe(1232);
    expect(new Set(result.runs.map((r) => r.traceHash)).size).toBe(3);
    const delivery = result.metrics['traffic.deliveryRatio'];
    expect(delivery.n).toBe(3);
    expect(delivery.mean).toBeLessThan(0.95); // the override took effect
    expect(delivery.ci95![0]).toBeLessThanOrEqual(delivery.mean);
    expect(io.stdout).toMatch(/traffic\.deliveryRatio\s+0\.\d{3}\s+\[0\.\d{3}, 0\.\d{3}\]\s+n=3/);
  });

  it('refuses an override that makes the scenario invalid, naming the field (exit 2)', async () => {
    expect(await main(['seeds', file, '--seeds', '1', '--set', 'nodes=-1'])).toBe(2);
    expect(io.stderr).toMatch(/nodes: must be >= 2/);
  });

  // Issue 11: "--set __proto__.x=1" polluted Object.prototype, so every later object had a field "x".
  it('applySet refuses __proto__ / constructor / empty path segments and non-finite numbers', () => {
    const raw: Record<string, unknown> = {};
    expect(() => applySet(raw, '__proto__.x=1')).toThrow(/--set "__proto__\.x=1": "__proto__" is not a scenario field/);
    expect(() => applySet(raw, 'a.constructor.prototype.y=1')).toThrow(UsageError);
    expect(() => applySet(raw, 'a..b=1')).toThrow(/empty field name/);
    expect(() => applySet(raw, 'nodes=1e999')).toThrow(/number out of range/);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('applySet(raw, "a.b=JSON") creates the path; a bare word is a string', () => {
    const raw: Record<string, unknown> = { eclipse: null };
    expect(applySet(raw, 'eclipse.defence=multi-entry')).toEqual(['eclipse.defence', 'multi-entry']);
    expect(applySet(raw, 'eclipse.attacker={"honestMix":0.5}')).toEqual(['eclipse.attacker', { honestMix: 0.5 }]);
    expect(raw).toEqual({ eclipse: { defence: 'multi-entry', attacker: { honestMix: 0.5 } } });
  });
});
