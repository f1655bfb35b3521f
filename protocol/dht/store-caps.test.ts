/**
 * Issue 11 item 3 (record store fill), end to end through the STORE handler: an attacker with a session sends
 * self-signed bindings (each under SHA-256 of a fresh key pair, so every one is valid) to fill an honest node.
 * Guards: the per-NodeID quota caps 10,000 of them, keys outside the store radius are refused 'too-far', and
 * honest publications still land everywhere they used to.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fastestSuite } from '../crypto/select-suite.ts';
import type { StoreResult } from './dht-node.ts';
import { compareDistance, keyOfNodePub, keysEqual, type DhtKey } from './keys.ts';
import type { DhtMessage, StoreStatus } from './messages.ts';
import { mintBindings } from './testing/minted-bindings.ts';
import { createRogue, type Rogue } from './testing/rogue-node.ts';
import { Testbed, type TestNode } from './testing/testbed.ts';
import type { DhtRecord } from './types.ts';

const suite = fastestSuite();

/** `n` self-signed bindings of fresh key pairs: what an attacker mints for free. */
function selfSignedBindings(tb: Testbed, n: number, label: string): { key: DhtKey; record: DhtRecord }[] {
  return mintBindings(suite, tb.rng.fork(label), n, tb.clock.now());
}

/** Sends every record to `victim` as STOREs from `rogue`; returns the ack statuses in order. */
function storeAll(tb: Testbed, rogue: Rogue, victim: TestNode, records: { key: DhtKey; record: DhtRecord }[]): StoreStatus[] {
  rogue.received.length = 0;
  records.forEach((r, i) => {
    const requestId = new Uint8Array(8);
    new DataView(requestId.buffer).setUint32(4, i);
    rogue.send(victim.peer, { kind: 'store', requestId, key: r.key, record: r.record });
  });
  tb.settle();
  const acks = rogue.received.filter((m): m is Extract<DhtMessage, { kind: 'store-ack' }> => m.kind === 'store-ack');
  expect(acks).toHaveLength(records.length);
  return acks.map((a) => a.status);
}

function tally(statuses: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}

describe('STORE caps', () => {
  it('10,000 self-signed records from one attacker are capped at its NodeID quota', () => {
    const tb = new Testbed({ seed: 'store-flood', suite, config: { autoRefresh: false } });
    const victim = tb.addNode();
    const rogue = createRogue(tb.network, suite.generateKeyPair(tb.rng.fork('rogue')), 'evil', () => undefined);
    const records = selfSignedBindings(tb, 10_000, 'flood');
    // The victim knows nobody but the attacker (a fresh node): every key is within its radius, only the quota binds.
    const statuses = storeAll(tb, rogue, victim, records);
    expect(tally(statuses)).toEqual({ stored: 500, 'peer-quota': 9_500 });
    expect(victim.dht.stats()).toMatchObject({ records: 500, storesAccepted: 500 });
    expect(victim.dht.stats().drops['peer-quota']).toBe(9_500);
    // Fresh NodeIDs on the same host (other ports) share the host's quota of 1,000: the second fills it, the
    // third gets nothing.
    const second = createRogue(tb.network, suite.generateKeyPair(tb.rng.fork('second')), 'evil:2', () => undefined);
    expect(tally(storeAll(tb, second, victim, selfSignedBindings(tb, 500, 'second')))).toEqual({ stored: 500 });
    const third = createRogue(tb.network, suite.generateKeyPair(tb.rng.fork('third')), 'evil:3', () => undefined);
    expect(tally(storeAll(tb, third, victim, selfSignedBindings(tb, 100, 'third')))).toEqual({ 'host-quota': 100 });
    expect(victim.dht.stats().records).toBe(1_000);
  });

  describe('on a 40-node network (k = 4, store radius 8)', () => {
    let tb: Testbed;
    beforeAll(() => {
      tb = new Testbed({ seed: 'store-radius', suite, config: { k: 4, autoRefresh: false } });
      expect(tb.grow(40)).toEqual([]);
    });

    it('refuses keys that 8 or more known nodes are closer to, before checking their signature', () => {
      const victim = tb.nodes[7];
      const rogue = createRogue(tb.network, suite.generateKeyPair(tb.rng.fork('radius-rogue')), 'evil', () => undefined);
      const records = selfSignedBindings(tb, 200, 'radius');
      const statuses = storeAll(tb, rogue, victim, records);
      // The oracle: the victim's own table (the rogue aside), counted by brute force.
      const known = victim.dht.table.contacts().filter((c) => !keysEqual(c.key, keyOfNodePub(suite, rogue.peer.nodePub)));
      const expected = records.map((r) => (known.filter((c) => compareDistance(r.key, c.key, victim.key) < 0).length >= 8 ? 'too-far' : 'stored'));
      expect(statuses).toEqual(expected);
      // Most random keys are far: the table knows half of the network here, so about 16 of 40 nodes' worth of
      // keyspace is within the radius.
      expect(tally(statuses)['too-far']).toBeGreaterThan(100);
      expect(victim.dht.stats().drops['too-far']).toBe(tally(statuses)['too-far']);
    });

    it('honest publications still land at every one of the k closest: no honest STORE is refused', () => {
      const results: StoreResult[] = [];
      for (const n of tb.nodes.slice(0, 20)) results.push(tb.await<StoreResult>((cb) => n.dht.publishBinding(cb)));
      for (const r of results) {
        expect(r.acks).toEqual({ stored: r.closest.length });
        expect(r.closest).toHaveLength(4);
      }
      // No other node refused anything as too far (the victim above counted only the rogue's).
      const tooFar = tb.nodes.filter((n) => n !== tb.nodes[7]).reduce((sum, n) => sum + n.dht.stats().drops['too-far'], 0);
      expect(tooFar).toBe(0);
    });
  });
});
