/**
 * The messenger end to end in the simulator: seeded runs of a small population (real crypto, circuits,
 * introduction and rendezvous points, end-to-end sessions) with relays churning. Margins: on messenger-small
 * (6 conversations, ~55 messages) we require >= 95 % delivered, where seeds 1-3 deliver 100 %.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario } from '../scenario/load-scenario.ts';
import { runScenario } from '../scenario/run-scenario.ts';
import type { Report } from '../report/report.ts';
import { cachedRun } from '../testing/cached-run.ts';

const small = loadScenario('scenarios/messenger-small.json');
/** 90 s of messenger-small with 20 % malicious relays, seed 3: the malicious-relay test's run, rerun by the reproducibility test. */
const maliciousRelays = parseScenario({ ...small, durationS: 90, conversations: { ...small.conversations, drainS: 30 }, eve: { maliciousRelayFraction: 0.2 } });

function failedSum(r: Report): number {
  return Object.values(r.traffic.outcomes!.failed).reduce((a, b) => a + b, 0);
}

function messenger(r: Report): Record<string, number> {
  return r.protocol.messenger as Record<string, number>;
}

describe('messenger driver (scenarios/messenger-small.json)', () => {
  it('delivers >= 95 % end to end, every message accounted for, one packet size, all flagged pfs', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'paratox-msg-'));
    const tap = path.join(dir, 'tap.csv');
    const r = runScenario(small, { tapFile: tap });
    const o = r.traffic.outcomes!;
    expect(r.traffic.messagesSent).toBeGreaterThan(30);
    expect(o.delivered + o.deliveredOffline + failedSum(r) + o.pending).toBe(r.traffic.messagesSent);
    expect(r.traffic.deliveryRatio).toBeGreaterThanOrEqual(0.95);
    expect(r.traffic.packetSizes).toEqual([1232]);
    const m = messenger(r);
    expect(m.receivedByRecipient).toBeGreaterThanOrEqual(o.delivered);
    expect(m.receivedWithPfs).toBe(m.receivedByRecipient);
    expect(m.duplicatesAtRecipient).toBe(0);
    expect(r.traffic.latencyMs.p50).toBeGreaterThan(0);
    expect(r.protocol.churnTransitions).toBeGreaterThan(0);
    expect(r.protocol.stopCheck).toEqual({ leakedTimers: 0, nodesWithLeaks: 0 });
    expect(r.traffic.drops.handlerErrors).toBe(0);
    // The tap's ground truth names each conversation by the two users' network addresses.
    const truth = JSON.parse(readFileSync(`${tap}.truth.json`, 'utf8'));
    expect(truth.conversations.length).toBe(6);
    for (const c of truth.conversations) {
      expect(c.source).toMatch(/^n\d+$/);
      expect(c.target).toMatch(/^n\d+$/);
      expect(c.endMs).toBeGreaterThanOrEqual(c.startMs);
    }
    const tapRows = readFileSync(tap, 'utf8').trim().split('\n');
    expect(tapRows.length - 1).toBe(r.traffic.wirePackets);
  }, 120_000);

  it('malicious relays (20 %) see part of about half the user circuits and both ends of a few; honest behaviour unchanged', () => {
    const r = cachedRun(maliciousRelays, { seed: 3 });
    const f = r.attacks.relays!;
    expect(f.maliciousRelays).toBe(Math.round(0.2 * (60 - 4 - 12)));
    expect(f.userCircuits).toBeGreaterThan(20);
    // 3-hop circuits, 20 % malicious: P(any) = 1 - 0.8^3 = 0.49, P(first and last) = 0.04.
    expect(f.adversarialCircuitFraction!).toBeGreaterThan(0.25);
    expect(f.adversarialCircuitFraction!).toBeLessThan(0.75);
    expect(f.deanonymisedCircuitShare!).toBeLessThan(0.2);
    expect(r.attacks.eclipse?.adversarialCircuitFraction).toBe(f.adversarialCircuitFraction);
    expect(r.traffic.deliveryRatio).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  it('is reproducible: equal seeds give equal traces and outcomes', () => {
    // One fresh run compared with the malicious-relay test's (shared through cachedRun), instead of running a
    // third variant twice: the same check at half the cost, on a run that also exercises malicious relays.
    const a = cachedRun(maliciousRelays, { seed: 3 });
    const b = runScenario(maliciousRelays, { seed: 3 });
    expect(a.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.traffic.outcomes).toEqual(a.traffic.outcomes);
    expect(b.attacks.relays).toEqual(a.attacks.relays);
    expect(a.traffic.messagesSent).toBeGreaterThan(0);
  }, 120_000);

  it('users that churn come back with a new NodeID and the same account; nothing goes unaccounted', () => {
    // 100 s (it was 150 s; two thirds of the CPU): seeds 1 / 2 / 3 give notWritten 5 / 14 / 5, delivered
    // 18 / 22 / 14 of 26 / 35 / 31, 25 rejoins each.
    const s = parseScenario({
      ...small,
      durationS: 100,
      churn: { meanUptimeS: 90, meanDowntimeS: 15, fraction: 0.6 },
      conversations: { ...small.conversations, usersChurn: true, arrival: 'onoff', meanOnS: 20, meanOffS: 10, messagesPerMin: 12, drainS: 30 },
    });
    const r = runScenario(s, { seed: 2 });
    const o = r.traffic.outcomes!;
    expect(o.delivered + o.deliveredOffline + failedSum(r) + o.pending).toBe(r.traffic.messagesSent);
    const m = messenger(r);
    // Users were offline at some arrivals (not written), and some written messages still arrived.
    expect(m.notWritten).toBeGreaterThan(0);
    expect(o.delivered).toBeGreaterThan(0);
    const pop = m.population as unknown as { rejoins: number };
    expect(pop.rejoins).toBeGreaterThan(0);
    expect(r.protocol.stopCheck).toEqual({ leakedTimers: 0, nodesWithLeaks: 0 });
  }, 120_000);
});
