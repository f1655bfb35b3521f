/**
 * The messenger over real UDP: 20 ParatoxNodes on 127.0.0.1 (UdpTransport, WallClock, CryptoRng, nodeSuite) join
 * the DHT; Bob hosts his account like a hidden service (introduction points, descriptor in the DHT), Alice writes
 * to his AccountID through 3-hop circuits and a rendezvous point, Bob receives the message flagged pfs: true,
 * and Alice learns it was delivered (the end-to-end ack came back). The 60 s bounds are failure timeouts, never a
 * timing assertion.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import type { BootstrapResult } from '../dht/dht-node.ts';
import { CryptoRng } from '../runtime/crypto-rng.ts';
import { UdpTransport } from '../runtime/udp-transport.ts';
import { WallClock } from '../runtime/wall-clock.ts';
import { ParatoxNode } from './paratox-node.ts';

const NODES = 20;
const FAILURE_BOUND_MS = 60_000;

interface Running {
  node: ParatoxNode;
  transport: UdpTransport;
  clock: WallClock;
}
const running: Running[] = [];

async function startNode(): Promise<Running> {
  const transport = await UdpTransport.open({ host: '127.0.0.1' });
  const clock = new WallClock();
  const node = new ParatoxNode(
    { transport, clock, rng: new CryptoRng(), suite: nodeSuite },
    {
      dht: { k: 8, requestTimeoutMs: 1_000, requestRetries: 2, autoRefresh: false },
      session: { handshakeTimeoutMs: 500 },
      // This test is about the online path: a transient descriptor miss under load retries online (the default
      // diverts such a message to the recipient's mailbox at once, which Bob only polls every 2 minutes).
      messenger: { conversation: { offlineReasons: [] } },
    },
  );
  const r = { node, transport, clock };
  running.push(r);
  return r;
}

function within<T>(what: string, start: (resolve: (v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const bound = setTimeout(() => reject(new Error(`${what}: nothing within ${FAILURE_BOUND_MS} ms`)), FAILURE_BOUND_MS);
    start((v) => {
      clearTimeout(bound);
      resolve(v);
    });
  });
}

afterAll(async () => {
  const closing = running.splice(0);
  for (const r of closing) {
    r.node.stop();
    r.clock.cancelAll();
  }
  await Promise.all(closing.map((r) => r.transport.close()));
});

describe('messenger over real UDP (20 nodes on 127.0.0.1)', () => {
  it("Alice's message reaches Bob's account through circuits and a rendezvous point, and the ack comes back", async () => {
    const nodes: Running[] = [];
    for (let i = 0; i < NODES; i++) nodes.push(await startNode());
    const [entry, ...rest] = nodes;
    for (let i = 0; i < rest.length; i += 5) {
      const batch = rest.slice(i, i + 5);
      const results = await Promise.all(
        batch.map((r) => within<BootstrapResult>('join', (done) => r.node.join([entry.node.peerRef], done))),
      );
      for (const res of results) expect(res.ok).toBe(true);
    }
    const alice = nodes[3].node;
    const bob = nodes[17].node;
    const aliceAccount = nodeSuite.generateKeyPair(new CryptoRng());
    const bobAccount = nodeSuite.generateKeyPair(new CryptoRng());
    const bobChat = bob.useAccount(bobAccount);
    const aliceChat = alice.useAccount(aliceAccount);

    const received = within<{ text: string; pfs: boolean; from: Uint8Array }>('message at Bob', (done) =>
      bobChat.events.on('message', (e) => done({ text: new TextDecoder().decode(e.body), pfs: e.protection.pfs, from: e.fromAccountPub })),
    );
    const outcome = within<string>('outcome at Alice', (done) =>
      aliceChat.events.on('outcome', (e) => done(e.outcome.kind === 'delivered' ? 'delivered' : `failed:${e.outcome.reason}`)),
    );
    // Alice writes once Bob's descriptor is in the DHT (before that, the conversation layer would retry and, after
    // its attempts, leave the message in Bob's mailbox: a different path from the one this test is about).
    await within<void>("Bob's descriptor published", (done) => {
      const poll = setInterval(() => {
        if ((bob.accounts?.stats().service.descriptorsPublished ?? 0) > 0) {
          clearInterval(poll);
          done();
        }
      }, 100);
    });
    aliceChat.send(bobAccount.publicKey, new TextEncoder().encode('hello bob, over real UDP'));
    const got = await received.catch((e: Error) => {
      // Say which step failed (connect, circuits, sessions) rather than only that nothing arrived.
      const stats = { alice: { accounts: alice.accounts?.stats(), conversation: aliceChat.stats(), onion: alice.onion?.stats() }, bob: { accounts: bob.accounts?.stats(), onion: bob.onion?.stats() } };
      throw new Error(`${e.message}; ${JSON.stringify(stats)}`);
    });
    expect(got.text).toBe('hello bob, over real UDP');
    expect(got.pfs).toBe(true);
    expect(got.from).toEqual(aliceAccount.publicKey);
    expect(await outcome).toBe('delivered');
    // Circuits were built through relays (3 hops each) and the rendezvous spliced two of them.
    const built = nodes.reduce((s, r) => s + (r.node.onion?.stats().circuitsBuilt ?? 0), 0);
    expect(built).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
