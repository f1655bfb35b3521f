/**
 * Accounts over the real stack: protocol/onion's OnionService (ntor circuits, layered cells) and protocol/dht's
 * DhtNode (descriptors stored at the k closest, validated by every holder), eight nodes on the onion tests'
 * in-memory network. Relays are drawn from each node's DHT routing table.
 */
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../crypto/bytes.ts';
import { nodeSuite } from '../crypto/node-suite.ts';
import { bytesEqual } from '../dht/keys.ts';
import { DhtNode } from '../dht/dht-node.ts';
import type { Channel } from '../messenger/channel.ts';
import { OnionNet, type TestNode } from '../onion/testing/onion-net.ts';
import { AccountService, accountDescriptorValidator } from './account-service.ts';
import { blindPublicKey } from './blinding.ts';

interface Node {
  readonly net: TestNode;
  readonly dht: DhtNode;
  readonly accounts: AccountService;
}

function network(n: number): { net: OnionNet; nodes: Node[] } {
  const net = new OnionNet('account-onion', 5);
  const nodes: Node[] = [];
  for (let i = 0; i < n; i++) {
    const t = net.add(`n${i}`);
    const dht = new DhtNode(
      {
        messenger: t.messenger,
        clock: t.clock,
        rng: t.rng.fork('dht'),
        suite: nodeSuite,
        self: () => ({ nodePub: t.peer.nodePub, address: t.peer.address }),
        sign: (m) => nodeSuite.sign(t.identity.privateKey, m),
        validators: [accountDescriptorValidator(nodeSuite)],
      },
      { autoRefresh: false },
    );
    const rng = t.rng.fork('account');
    const pickRng = t.rng.fork('pick');
    const accounts = new AccountService({
      onion: t.onion,
      dht,
      clock: t.clock,
      rng,
      suite: nodeSuite,
      pickRelays: (count, exclude = []) => {
        const pool = dht.table.contacts().filter((c) => !exclude.some((e) => bytesEqual(e, c.nodePub)));
        const out = [];
        while (out.length < count && pool.length > 0) {
          const c = pool.splice(pickRng.int(pool.length), 1)[0];
          out.push({ address: c.address, nodePub: c.nodePub });
        }
        return out;
      },
    });
    nodes.push({ net: t, dht, accounts });
  }
  for (let i = 1; i < n; i++) {
    nodes[i].dht.bootstrap([nodes[0].net.peer]);
    net.clock.advance(5_000);
  }
  for (const node of nodes) node.dht.refresh();
  net.clock.advance(5_000);
  return { net, nodes };
}

describe('accounts over real onion circuits and a real DHT', () => {
  it('Alice connects to Bob’s account and a payload goes both ways', () => {
    const { net, nodes } = network(8);
    for (const n of nodes) expect(n.dht.table.size).toBeGreaterThanOrEqual(5);
    const bob = nodeSuite.generateKeyPair(nodes[0].net.rng.fork('bob-account'));
    const incoming: Channel[] = [];
    nodes[0].accounts.host(bob, (c) => incoming.push(c));
    net.clock.advance(20_000);
    expect(nodes[0].accounts.stats().service.introPointsReady).toBe(3);
    // The descriptor sits at DHT holders under H(A'), and holders never see A.
    const blinded = blindPublicKey(nodeSuite, bob.publicKey, 0);
    const holders = nodes.filter((n) => n.dht.records.size > 0);
    expect(holders.length).toBeGreaterThan(0);

    let result: { ok: true; channel: Channel } | { ok: false; reason: string } | undefined;
    nodes[7].accounts.connect(bob.publicKey, (r) => (result = r));
    net.clock.advance(30_000);
    expect(result?.ok, JSON.stringify(result && !result.ok ? result : nodes[7].accounts.stats())).toBe(true);
    if (!result?.ok) return;
    expect(incoming).toHaveLength(1);

    const toBob: string[] = [];
    const toAlice: string[] = [];
    incoming[0].onReceive((p) => {
      toBob.push(new TextDecoder().decode(p));
      incoming[0].send(utf8('hi alice, from bob'));
    });
    result.channel.onReceive((p) => toAlice.push(new TextDecoder().decode(p)));
    expect(result.channel.send(utf8('hi bob, from alice'))).toBe(true);
    expect(result.channel.send(new Uint8Array(result.channel.maxPayloadBytes).fill(7))).toBe(true);
    net.clock.advance(2_000);
    expect(toBob[0]).toBe('hi bob, from alice');
    expect(toBob).toHaveLength(2);
    expect(toAlice).toEqual(['hi alice, from bob', 'hi alice, from bob']);

    // No node's traffic carries Bob's account key in clear (descriptors carry A' only, bodies are encrypted).
    const a = bob.publicKey;
    const leaks = net.log.filter((m) => toHex(m.body).includes(toHex(a)));
    expect(leaks).toHaveLength(0);
    expect(net.log.some((m) => toHex(m.body).includes(toHex(blinded)))).toBe(true);

    const rendezvous = nodes.filter((n) => n.accounts.stats().relay.cellsSpliced > 0);
    expect(rendezvous).toHaveLength(1);
    for (const n of nodes) n.accounts.stop();
    for (const n of nodes) n.dht.stop();
    for (const n of nodes) n.net.onion.stop();
    expect(result.channel.isOpen).toBe(false);
  });
});
