import { describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import { keyOfNodePub } from '../dht/keys.ts';
import { RoutingTable } from '../dht/routing-table.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { ManualClock } from '../session/testing/loopback.ts';
import { RelayPicker } from './relay-picker.ts';

function world(n: number) {
  const rng = new SeededRng('relay-picker');
  const self = nodeSuite.generateKeyPair(rng);
  const table = new RoutingTable(
    { clock: new ManualClock(), ping: (_c, cb) => cb(true) },
    { selfKey: keyOfNodePub(nodeSuite, self.publicKey), k: 20 },
  );
  const peers = Array.from({ length: n }, (_, i) => nodeSuite.generateKeyPair(rng.fork(`p${i}`)).publicKey);
  peers.forEach((pub, i) => table.update({ key: keyOfNodePub(nodeSuite, pub), nodePub: pub, address: `n${i}` }));
  return { self, table, peers };
}

describe('RelayPicker', () => {
  it('picks distinct relays from the table, never itself or an excluded one, fewer when the view is small', () => {
    const { self, table, peers } = world(10);
    const picker = new RelayPicker(() => table, () => self.publicKey, new SeededRng('a'));
    const got = picker.pick(3, [peers[0]]);
    expect(got).toHaveLength(3);
    expect(new Set(got.map((p) => p.address)).size).toBe(3);
    expect(got.some((p) => p.address === 'n0')).toBe(false);
    expect(picker.pick(50)).toHaveLength(table.contacts().length);
  });

  it("'guard' keeps one first hop for circuit prefixes; 'uniform' varies it", () => {
    const { self, table } = world(30);
    const guard = new RelayPicker(() => table, () => self.publicKey, new SeededRng('b'), 'guard', 3);
    const firsts = new Set(Array.from({ length: 20 }, () => guard.pick(2)[0].address));
    expect(firsts.size).toBe(1);
    // Single picks (intro and rendezvous points) are not pinned to the guard.
    const singles = new Set(Array.from({ length: 20 }, () => guard.pick(1)[0].address));
    expect(singles.size).toBeGreaterThan(1);
    const uniform = new RelayPicker(() => table, () => self.publicKey, new SeededRng('c'), 'uniform', 3);
    expect(new Set(Array.from({ length: 20 }, () => uniform.pick(2)[0].address)).size).toBeGreaterThan(1);
  });
});
