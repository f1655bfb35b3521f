/**
 * A network of DhtNodes over the FakeNetwork, with real P-256 identities from protocol/crypto's nobleSuite.
 * Everything derives from one seed, so a failing test reproduces exactly.
 */
import { nobleSuite } from '../../crypto/noble-suite.ts';
import type { CryptoSuite, KeyPair } from '../../crypto/suite.ts';
import type { Rng } from '../../runtime/rng.ts';
import { SeededRng } from '../../runtime/seeded-rng.ts';
import type { DhtConfig } from '../config.ts';
import { DhtNode, type DhtComponents } from '../dht-node.ts';
import { bytesEqual, compareDistance, keyOfNodePub, type DhtKey } from '../keys.ts';
import type { PeerRef } from '../types.ts';
import { FakeClock } from './fake-clock.ts';
import { FakeNetwork, type FakeNetworkInit } from './fake-network.ts';

export interface TestNode {
  readonly index: number;
  readonly address: string;
  readonly keyPair: KeyPair;
  readonly key: DhtKey;
  readonly peer: PeerRef;
  readonly dht: DhtNode;
  /** The address `self()` reports (what bindings claim); starts as the network address. */
  claimedAddress: string;
}

export interface TestbedInit {
  seed?: string | number;
  config?: Partial<DhtConfig>;
  network?: Omit<FakeNetworkInit, 'rng'>;
  suite?: CryptoSuite;
  /** Extra components (policy, validators) per node. */
  components?: (index: number) => Partial<Pick<DhtComponents, 'policy' | 'validators'>>;
}

export class Testbed {
  readonly clock = new FakeClock();
  readonly rng: Rng;
  readonly network: FakeNetwork;
  readonly suite: CryptoSuite;
  readonly nodes: TestNode[] = [];

  constructor(private readonly init: TestbedInit = {}) {
    this.rng = new SeededRng(init.seed ?? 1);
    this.suite = init.suite ?? nobleSuite;
    this.network = new FakeNetwork(this.clock, { ...init.network, rng: this.rng.fork('network') });
  }

  /** Creates a node (not yet bootstrapped). */
  addNode(config: Partial<DhtConfig> = {}): TestNode {
    const index = this.nodes.length;
    const rng = this.rng.fork(`node-${index}`);
    const keyPair = this.suite.generateKeyPair(rng.fork('identity'));
    const address = `n${index}`;
    const peer: PeerRef = { address, nodePub: keyPair.publicKey };
    let node: TestNode | undefined;
    const dht = new DhtNode(
      {
        messenger: this.network.messenger(peer),
        clock: this.clock,
        rng: rng.fork('dht'),
        suite: this.suite,
        self: () => ({ address: node?.claimedAddress ?? address, nodePub: keyPair.publicKey }),
        sign: (m) => this.suite.sign(keyPair.privateKey, m),
        ...this.init.components?.(index),
      },
      { ...this.init.config, ...config },
    );
    node = { index, address, keyPair, key: keyOfNodePub(this.suite, keyPair.publicKey), peer, dht, claimedAddress: address };
    this.nodes.push(node);
    return node;
  }

  /**
   * Grows the network to `n` nodes, each joining via bootstrap from node 0 and one random earlier node, the
   * clock running until the join settles. Returns the nodes whose bootstrap reported failure.
   */
  grow(n: number): TestNode[] {
    const failed: TestNode[] = [];
    if (this.nodes.length === 0) this.addNode();
    while (this.nodes.length < n) {
      const entries = [this.nodes[0].peer, this.nodes[this.rng.int(this.nodes.length)].peer];
      const node = this.addNode();
      let ok: boolean | undefined;
      node.dht.bootstrap(entries, (r) => (ok = r.ok));
      this.settle();
      if (ok !== true) failed.push(node);
    }
    return failed;
  }

  /** Runs the clock until no message or timeout is pending within a minute (periodic timers stay queued). */
  settle(): void {
    this.clock.runIdle(60_000);
  }

  online(): TestNode[] {
    return this.nodes.filter((n) => this.network.isOnline(n.address) && !n.dht.isStopped);
  }

  /** Brute force: the `k` online nodes closest to `key` (optionally excluding one key, e.g. the searcher). */
  trueClosest(key: DhtKey, k: number, exclude?: DhtKey): TestNode[] {
    return this.online()
      .filter((n) => exclude === undefined || !bytesEqual(n.key, exclude))
      .sort((a, b) => compareDistance(key, a.key, b.key))
      .slice(0, k);
  }

  /** Runs `start(cb)` and the clock until the callback fired; returns its value. */
  await<T>(start: (cb: (value: T) => void) => void): T {
    let out: { value: T } | undefined;
    start((value) => (out = { value }));
    this.settle();
    if (out === undefined) throw new Error('Testbed.await: callback never ran');
    return out.value;
  }
}
