/**
 * A small DHT world for entry cross-check tests: DhtNodes over the FakeNetwork, every honest node serving the
 * entry handlers and validating flawed-entry reports; liars are DhtNodes with another handler table, as the
 * design asks of malicious nodes. One seed drives everything.
 */
import { fastestSuite } from '../../../crypto/select-suite.ts';
import type { CryptoSuite, KeyPair } from '../../../crypto/suite.ts';
import { SeededRng } from '../../../runtime/seeded-rng.ts';
import type { DhtConfig } from '../../config.ts';
import { DhtNode, type BootstrapResult } from '../../dht-node.ts';
import type { HandlerComponents, HandlerTable } from '../../handlers/types.ts';
import type { DhtPolicy, PeerRef } from '../../types.ts';
import { FakeClock } from '../../testing/fake-clock.ts';
import { FakeNetwork } from '../../testing/fake-network.ts';
import { entryHandlers, type EntryHandlerInit } from '../entry-handlers.ts';
import { flawedReportValidator } from '../flawed-record.ts';
import type { JoiningNode } from '../cross-checked-join.ts';

export interface WorldNode extends JoiningNode {
  readonly index: number;
  readonly keyPair: KeyPair;
  readonly dht: DhtNode;
}

export type HandlerFactory = (defaults: HandlerTable, hc: HandlerComponents) => HandlerTable;

export interface AddNodeOptions {
  policy?: DhtPolicy;
  /** Replaces the honest entry handlers (a liar's table). */
  handlers?: (self: () => DhtNode) => HandlerFactory;
  entry?: EntryHandlerInit;
}

export class EntryWorld {
  readonly clock = new FakeClock();
  readonly rng: SeededRng;
  readonly network: FakeNetwork;
  readonly suite: CryptoSuite = fastestSuite();
  readonly nodes: WorldNode[] = [];

  constructor(
    seed: number,
    private readonly config: Partial<DhtConfig> = { autoRefresh: false },
  ) {
    this.rng = new SeededRng(seed);
    this.network = new FakeNetwork(this.clock, { rng: this.rng.fork('network') });
  }

  add(opts: AddNodeOptions = {}): WorldNode {
    const index = this.nodes.length;
    const rng = this.rng.fork(`node-${index}`);
    const keyPair = this.suite.generateKeyPair(rng.fork('identity'));
    const peerRef: PeerRef = { address: `n${index}`, nodePub: keyPair.publicKey };
    let dht: DhtNode | undefined;
    const self = (): DhtNode => dht!;
    const handlers = opts.handlers?.(self) ?? entryHandlers({ clock: this.clock, rng: rng.fork('entry'), dht: self }, opts.entry);
    dht = new DhtNode(
      {
        messenger: this.network.messenger(peerRef),
        clock: this.clock,
        rng: rng.fork('dht'),
        suite: this.suite,
        self: () => ({ address: peerRef.address, nodePub: keyPair.publicKey }),
        sign: (m) => this.suite.sign(keyPair.privateKey, m),
        policy: opts.policy,
        handlers,
        validators: [flawedReportValidator(this.suite)],
      },
      this.config,
    );
    const node: WorldNode = {
      index,
      keyPair,
      dht,
      peerRef,
      // What ParatoxNode.join does: bootstrap, then publish the binding.
      join: (entries: readonly PeerRef[], cb: (r: BootstrapResult) => void) =>
        dht.bootstrap(entries, (r) => {
          if (r.ok) dht.publishBinding();
          cb(r);
        }),
    };
    this.nodes.push(node);
    return node;
  }

  /** `n` honest nodes, each joining through node 0 and a random earlier node, with bindings published. */
  grow(n: number): WorldNode[] {
    const out: WorldNode[] = [];
    while (out.length < n) {
      const node = this.add();
      const earlier = this.nodes.slice(0, -1);
      if (earlier.length > 0) node.join([earlier[0].peerRef, earlier[this.rng.int(earlier.length)].peerRef], () => {});
      else node.dht.publishBinding();
      this.settle();
      out.push(node);
    }
    return out;
  }

  settle(): void {
    this.clock.runIdle(60_000);
  }

  await<T>(start: (cb: (value: T) => void) => void): T {
    let out: { value: T } | undefined;
    start((value) => (out = { value }));
    this.settle();
    if (out === undefined) throw new Error('EntryWorld.await: callback never ran');
    return out.value;
  }
}
