/**
 * scenarios/offline-delivery.json, seed 1: four recipients are offline from 50 s to 170 s; their messages wait in
 * mailboxes, a third of the holders die at 110 s, re-replication restores replicas, and the messages reach the
 * recipients when they return, flagged pfs: false (online ones stay pfs: true). Seed 1 gives 12 deliveredOffline,
 * 13 received without PFS, 16 replicas restored; we require > 0 of each.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../scenario/load-scenario.ts';
import { runScenario } from '../scenario/run-scenario.ts';

describe('scenarios/offline-delivery.json', () => {
  it('messages wait in mailboxes, survive holder loss and arrive flagged pfs: false; outcomes add up', () => {
    const r = runScenario(loadScenario('scenarios/offline-delivery.json'));
    const o = r.traffic.outcomes!;
    const failed = Object.values(o.failed).reduce((a, b) => a + b, 0);
    expect(o.delivered + o.deliveredOffline + failed + o.pending).toBe(r.traffic.messagesSent);
    expect(o.deliveredOffline).toBeGreaterThan(0);
    const m = r.protocol.messenger as { receivedWithoutPfs: number; receivedWithPfs: number; storedOffline: number; offlineWindow: { holdersKilled: number } };
    expect(m.receivedWithoutPfs).toBeGreaterThan(0);
    expect(m.receivedWithPfs).toBeGreaterThan(m.receivedWithoutPfs);
    expect(m.storedOffline).toBeGreaterThanOrEqual(o.deliveredOffline);
    expect(m.offlineWindow.holdersKilled).toBeGreaterThan(0);
    const holders = (r.protocol.mailbox as { holders: { replicasRestored: number; itemsDeleted: number } }).holders;
    expect(holders.replicasRestored).toBeGreaterThan(0);
    expect(holders.itemsDeleted).toBeGreaterThan(0);
    expect(r.traffic.deliveryRatio).toBeGreaterThanOrEqual(0.9);
  }, 180_000);
});
