/**
 * Issue 8's noise scenarios, shortened to 90 s: with constant-node noise every node that stays up sends the same
 * number of datagrams each second whether it is in a conversation or not (checked on the tap, as Eve sees it);
 * with Poisson noise (at a quarter of the file's rate, to save CPU) dummies ride on top. Both still deliver, and the
 * report carries noisePackets and overhead.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario } from '../scenario/load-scenario.ts';
import { runScenario } from '../scenario/run-scenario.ts';

function shortened(file: string) {
  const s = loadScenario(file);
  return parseScenario({ ...s, durationS: 90, conversations: { ...s.conversations, drainS: 30 } });
}

/** Datagrams each address sent in each whole second of [fromMs, toMs). */
function sentPerSecond(tapFile: string, fromMs: number, toMs: number): Map<string, number[]> {
  const seconds = Math.floor((toMs - fromMs) / 1000);
  const out = new Map<string, number[]>();
  for (const line of readFileSync(tapFile, 'utf8').trim().split('\n').slice(1)) {
    const [t, source] = line.split(',');
    const ms = Number(t);
    if (ms < fromMs || ms >= fromMs + seconds * 1000) continue;
    let row = out.get(source);
    if (!row) out.set(source, (row = new Array<number>(seconds).fill(0)));
    row[Math.floor((ms - fromMs) / 1000)]++;
  }
  return out;
}

describe('noise scenarios', () => {
  it("noise-constant: every node up throughout sends 40 datagrams each second, users and relays alike", () => {
    const tap = path.join(mkdtempSync(path.join(os.tmpdir(), 'paratox-noise-')), 'tap.csv');
    const r = runScenario(shortened('scenarios/noise-constant.json'), { tapFile: tap });
    const truth = JSON.parse(readFileSync(`${tap}.truth.json`, 'utf8')) as { conversations: { source: string; target: string }[] };
    const users = new Set(truth.conversations.flatMap((c) => [c.source, c.target]));
    const rows = sentPerSecond(tap, 25_000, 85_000);
    // Nodes churn took down in the window send nothing for a while: compare only nodes that sent every second.
    const upThroughout = [...rows].filter(([, row]) => row.every((n) => n > 0));
    const usersUp = upThroughout.filter(([a]) => users.has(a));
    expect(usersUp.length).toBe(users.size); // users do not churn
    expect(upThroughout.length).toBeGreaterThan(40);
    for (const [address, row] of upThroughout) for (const n of row) expect(Math.abs(n - 40), address).toBeLessThanOrEqual(1);
    expect(r.traffic.deliveryRatio).toBeGreaterThanOrEqual(0.95);
    expect(r.traffic.noisePackets).toBeGreaterThan(r.traffic.wirePackets / 2);
    expect(r.traffic.bandwidthOverhead).toBeGreaterThan(5);
    expect(r.traffic.packetSizes).toEqual([1232]);
    const noise = r.protocol.noise as { queueDelayMs: { p95Ms: number } };
    expect(noise.queueDelayMs.p95Ms).toBeLessThanOrEqual(500);
  }, 240_000);

  it('noise-poisson (0.5 dummies/s per link): dummies on top of real traffic, deliveries unchanged, overhead reported', () => {
    // The file's 2/s made dummies half the run's CPU; at 0.5/s they still ride on top of every link (seeds 1 / 2 / 3:
    // overhead 11.1 / 10.7 / 11.0, delivery 0.952 / 1 / 1; seed 1 at 2/s: overhead 40, delivery 0.952 as well).
    const s = shortened('scenarios/noise-poisson.json');
    const r = runScenario(parseScenario({ ...s, noise: { ...s.noise, ratePerS: 0.5 } }));
    expect(r.traffic.deliveryRatio).toBeGreaterThanOrEqual(0.95);
    expect(r.traffic.noisePackets).toBeGreaterThan(0);
    expect(r.traffic.bandwidthOverhead).toBeGreaterThan(1);
    const sessions = r.protocol.sessions as { noiseReceived: number; dropped: Record<string, number> };
    expect(sessions.noiseReceived).toBeGreaterThan(0);
    expect(r.traffic.bandwidthOverheadDefinition).toMatch(/real payload/);
  }, 240_000);
});
