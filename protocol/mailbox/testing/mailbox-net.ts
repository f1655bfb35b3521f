/**
 * An in-test network for mailbox tests over the real stack: protocol/onion's OnionService (ntor circuits, layered
 * cells) on OnionNet, a real DhtNode per node (bootstrapped like protocol/account/account-onion.test.ts), and a
 * MailboxService + MailboxClient per node. Relays and holders are drawn from each node's DHT view.
 */
import { nodeSuite } from '../../crypto/node-suite.ts';
import { bytesEqual } from '../../dht/keys.ts';
import { DhtNode } from '../../dht/dht-node.ts';
import type { MessengerPeer } from '../../messenger/messenger.ts';
import { OnionNet, type TestNode } from '../../onion/testing/onion-net.ts';
import type { MailboxConfig } from '../constants.ts';
import { MailboxClient } from '../mailbox-client.ts';
import { MailboxService } from '../mailbox-service.ts';

export interface MailboxNode {
  readonly net: TestNode;
  readonly dht: DhtNode;
  readonly service: MailboxService;
  readonly client: MailboxClient;
  readonly pickRelays: (count: number, exclude?: readonly Uint8Array[]) => MessengerPeer[];
}

export function mailboxNetwork(n: number, config: Partial<MailboxConfig> = {}, seed = 'mailbox-net'): { net: OnionNet; nodes: MailboxNode[] } {
  const net = new OnionNet(seed, 5);
  const nodes: MailboxNode[] = [];
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
      },
      { autoRefresh: false },
    );
    const pickRng = t.rng.fork('pick');
    const pickRelays = (count: number, exclude: readonly Uint8Array[] = []): MessengerPeer[] => {
      const pool = dht.table.contacts().filter((c) => !exclude.some((e) => bytesEqual(e, c.nodePub)));
      const out: MessengerPeer[] = [];
      while (out.length < count && pool.length > 0) {
        const c = pool.splice(pickRng.int(pool.length), 1)[0];
        out.push({ address: c.address, nodePub: c.nodePub });
      }
      return out;
    };
    const base = { onion: t.onion, dht, clock: t.clock, suite: nodeSuite, pickRelays, self: () => t.peer };
    const service = new MailboxService({ ...base, rng: t.rng.fork('mailbox-service') }, config);
    const client = new MailboxClient({ ...base, rng: t.rng.fork('mailbox-client'), local: service.local }, config);
    nodes.push({ net: t, dht, service, client, pickRelays });
  }
  for (let i = 1; i < n; i++) {
    nodes[i].dht.bootstrap([nodes[0].net.peer]);
    net.clock.advance(5_000);
  }
  for (const node of nodes) node.dht.refresh();
  net.clock.advance(5_000);
  return { net, nodes };
}

export function stopAll(nodes: readonly MailboxNode[]): void {
  for (const n of nodes) {
    n.client.stop();
    n.service.stop();
    n.dht.stop();
    n.net.onion.stop();
  }
}
