/**
 * A small network for account tests: n nodes, each with a FakeOnionService, a view of one FakeDhtTable and an
 * AccountService, on one FakeClock and one seed. pickRelays draws from the other nodes with the node's rng.
 */
import { nobleSuite } from '../../crypto/noble-suite.ts';
import type { KeyPair } from '../../crypto/suite.ts';
import { bytesEqual } from '../../dht/keys.ts';
import { FakeClock } from '../../dht/testing/fake-clock.ts';
import type { MessengerPeer } from '../../messenger/messenger.ts';
import type { Rng } from '../../runtime/rng.ts';
import { SeededRng } from '../../runtime/seeded-rng.ts';
import { AccountService, accountDescriptorValidator } from '../account-service.ts';
import type { AccountConfig } from '../config.ts';
import { FakeDhtTable } from './fake-dht.ts';
import { FakeOnionNetwork, type FakeOnionService } from './fake-onion.ts';

export interface HarnessNode {
  readonly index: number;
  readonly peer: MessengerPeer;
  readonly keyPair: KeyPair;
  readonly onion: FakeOnionService;
  readonly accounts: AccountService;
  readonly rng: Rng;
  /** Keys this node publishes (and has not unpublished), as `keyHex/recordType`. */
  readonly published: Set<string>;
}

/** Draws `count` distinct peers from `all` minus `self` and `exclude`, with `rng`. */
export function pickFrom(rng: Rng, all: readonly MessengerPeer[], self: MessengerPeer, count: number, exclude: readonly Uint8Array[] = []): MessengerPeer[] {
  const pool = all.filter((p) => p !== self && !exclude.some((e) => bytesEqual(e, p.nodePub)));
  const out: MessengerPeer[] = [];
  while (out.length < count && pool.length > 0) out.push(pool.splice(rng.int(pool.length), 1)[0]);
  return out;
}

export class Harness {
  readonly clock: FakeClock;
  readonly rng: Rng;
  readonly suite = nobleSuite;
  readonly onion: FakeOnionNetwork;
  readonly dht: FakeDhtTable;
  readonly nodes: HarnessNode[] = [];

  constructor(
    n: number,
    opts: {
      seed?: string;
      startMs?: number;
      config?: Partial<AccountConfig>;
      /** Which nodes node `picker` may draw as relays (default: all others). */
      allow?: (picker: number, candidate: number) => boolean;
    } = {},
  ) {
    this.clock = new FakeClock(opts.startMs ?? 0);
    this.rng = new SeededRng(opts.seed ?? 'account-harness');
    this.onion = new FakeOnionNetwork(this.clock);
    this.dht = new FakeDhtTable(this.clock, accountDescriptorValidator(this.suite, opts.config));
    const peers: MessengerPeer[] = [];
    for (let i = 0; i < n; i++) {
      const rng = this.rng.fork(`node-${i}`);
      const keyPair = this.suite.generateKeyPair(rng.fork('id'));
      const peer = { address: `n${i}`, nodePub: keyPair.publicKey };
      peers.push(peer);
      const onion = this.onion.add(peer);
      const dht = this.dht.client();
      const accounts = new AccountService(
        {
          onion,
          dht,
          clock: this.clock,
          rng: rng.fork('account'),
          suite: this.suite,
          pickRelays: (count, exclude) =>
            pickFrom(rng, opts.allow ? peers.filter((_, j) => opts.allow!(i, j)) : peers, peer, count, exclude),
        },
        opts.config,
      );
      this.nodes.push({ index: i, peer, keyPair, onion, accounts, rng, published: dht.published });
    }
  }

  account(name: string): KeyPair {
    return this.suite.generateKeyPair(this.rng.fork(`account-${name}`));
  }
}
