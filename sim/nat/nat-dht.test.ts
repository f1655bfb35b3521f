/**
 * NAT traversal wired into the DHT (ParatoxNode with nat.autoPunch): when a lookup's handshake to a contact
 * behind a NAT stalls, the node asks the contact's introducer (the node whose NODES reply named it) to
 * coordinate a punch, and the DHT's own retransmission then travels over the punched path. Without
 * autoPunch the same contact stays unreachable, which is what makes the difference visible.
 */
import { describe, expect, it } from 'vitest';
import { fastestSuite } from '../../protocol/crypto/select-suite.ts';
import type { FindNodeResult } from '../../protocol/dht/dht-node.ts';
import { keyToHex } from '../../protocol/dht/keys.ts';
import { ParatoxNode } from '../../protocol/node/paratox-node.ts';
import { Simulator } from '../engine/simulator.ts';
import { SimNetwork } from '../network/sim-network.ts';
import type { NatType } from '../network/types.ts';

const PUBLIC = 4;

function network(natA: NatType, natB: NatType, autoPunch: boolean, seed = 'nat-dht') {
  const sim = new Simulator({ seed: `${seed}/${natA}/${natB}` });
  const net = new SimNetwork(sim, { latency: { meanMs: 20, jitterMs: 5, distribution: 'uniform' } });
  const suite = fastestSuite();
  const make = (name: string, nat: NatType) =>
    new ParatoxNode(
      { transport: net.addNode(name, { nat }), clock: sim.clock(name), rng: sim.rng(`node/${name}`), suite },
      { dht: { k: 8, autoRefresh: false }, nat: { autoPunch, relay: false } },
    );
  const publics = Array.from({ length: PUBLIC }, (_, i) => make(`p${i}`, 'none'));
  const b = make('b', natB);
  const a = make('a', natA);
  const join = (n: ParatoxNode, entries: ParatoxNode[]) => {
    let done = false;
    n.join(entries.map((e) => e.peerRef), () => (done = true));
    sim.runWhile(() => !done, sim.now() + 60_000);
  };
  join(publics[0], []);
  for (const p of publics.slice(1)) join(p, [publics[0]]);
  join(b, [publics[0]]);
  join(a, [publics[1]]);
  const find = (): FindNodeResult => {
    let r: FindNodeResult | undefined;
    a.dht.findNode(b.dht.key, (x) => (r = x));
    sim.runWhile(() => r === undefined, sim.now() + 60_000);
    return r!;
  };
  return { sim, net, a, b, publics, find };
}

describe('ParatoxNode: the DHT punches through a contact introducer when a handshake stalls', () => {
  for (const [natA, natB] of [
    ['restricted', 'restricted'],
    ['fullCone', 'symmetric'],
  ] as const) {
    it(`${natA} node reaches a ${natB} contact with autoPunch, and not without`, () => {
      const on = network(natA, natB, true);
      const found = on.find();
      expect(found.found && keyToHex(found.found.key)).toBe(keyToHex(on.b.dht.key));
      const s = on.a.nat.stats();
      expect(s.autoPunches).toBeGreaterThanOrEqual(1);
      expect(s.outcomes.punched).toBeGreaterThanOrEqual(1);
      const failures = Object.values(s.failures).reduce((x, y) => x + (y ?? 0), 0);
      expect(s.connects).toBe(s.outcomes.direct + s.outcomes.punched + s.outcomes.relayed + failures + s.connectsActive);
      expect(on.a.nat.routeOf(on.b.identity.publicKey)?.kind).toBe('address');
      for (const n of [on.a, on.b, ...on.publics]) expect(n.nat.stats().dropped).toEqual({});
      // The external address as the bootstrap entry's PONG reported it (one report: mapping still unknown).
      expect(on.b.nat.stats().observedAddress).toMatch(natB === 'symmetric' ? /^b:\d+$/ : /^b$/);

      const off = network(natA, natB, false);
      expect(off.find().found).toBeUndefined();
      expect(off.a.nat.stats().connects).toBe(0);
    });
  }

  it('an unpunchable contact (symmetric behind symmetric) is reported, and the lookup carries on without it', () => {
    const run = network('symmetric', 'symmetric', true);
    const r = run.find();
    expect(r.found).toBeUndefined();
    expect(r.closest.length).toBeGreaterThan(0);
    const s = run.a.nat.stats();
    expect(s.failures.unpunchable ?? 0).toBeGreaterThanOrEqual(1);
    expect(s.outcomes.punched).toBe(0);
  });
});
