/**
 * The same DHT code over real UDP: 24 ParatoxNodes on 127.0.0.1 (UdpTransport, WallClock, CryptoRng, nodeSuite)
 * join through 3 entries, publish their signed bindings, and every node resolves and finds a few others.
 *
 * Protocol code stays callback-based; only this test wraps callbacks in Promises. The 20 s bounds are failure
 * timeouts (a hung lookup fails the test instead of hanging it), never timing assertions.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import type { BootstrapResult, FindNodeResult, ResolveResult, StoreResult } from '../dht/dht-node.ts';
import { bytesEqual, keyOfNodePub } from '../dht/keys.ts';
import { CryptoRng } from '../runtime/crypto-rng.ts';
import { UdpTransport } from '../runtime/udp-transport.ts';
import { WallClock } from '../runtime/wall-clock.ts';
import { ParatoxNode } from './paratox-node.ts';

const NODES = 24;
const ENTRIES = 3;
/** Newcomers join this many at a time: 21 simultaneous joins through 3 entries would burst past the
 * loopback socket buffers for no benefit to the test. */
const JOIN_BATCH = 7;
/** Each node resolves and finds the nodes this far ahead of it in the list. */
const LOOKUP_OFFSETS = [1, 7, 13];
const FAILURE_BOUND_MS = 20_000;

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
      // Short timers so a lost datagram costs a second, not the production defaults; no hourly refresh.
      dht: { k: 8, requestTimeoutMs: 1_000, requestRetries: 2, autoRefresh: false },
      session: { handshakeTimeoutMs: 500 },
    },
  );
  const r = { node, transport, clock };
  running.push(r);
  return r;
}

/** Wraps a protocol callback in a Promise with a failure bound (tests only). */
function settle<T>(what: string, start: (cb: (result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const bound = setTimeout(() => reject(new Error(`${what}: no callback within ${FAILURE_BOUND_MS} ms`)), FAILURE_BOUND_MS);
    start((result) => {
      clearTimeout(bound);
      resolve(result);
    });
  });
}

function join(r: Running, entries: readonly Running[]): Promise<BootstrapResult> {
  return settle(`join ${r.transport.localAddress}`, (cb) => r.node.join(entries.map((e) => e.node.peerRef), cb));
}

/** Stops every node, cancels its timers and closes its socket (each once). */
async function closeAll(): Promise<void> {
  const closing = running.splice(0);
  for (const r of closing) {
    r.node.stop();
    r.clock.cancelAll();
  }
  await Promise.all(closing.map((r) => r.transport.close()));
}

/** libuv releases a closed socket's handle a loop turn after 'close': wait for that (bounded) before counting. */
async function activeHandles(kind: string, baseline: number): Promise<number> {
  const count = () => process.getActiveResourcesInfo().filter((x) => x === kind).length;
  for (let turn = 0; turn < 100 && count() > baseline; turn++) await new Promise((r) => setImmediate(r));
  return count();
}

afterAll(closeAll);

describe('ParatoxNode over real UDP on 127.0.0.1', () => {
  it(`${NODES} nodes join through ${ENTRIES} entries and resolve each other's signed bindings`, async () => {
    const baseline = process.getActiveResourcesInfo();
    const startedMs = Date.now();
    const nodes = await Promise.all(Array.from({ length: NODES }, () => startNode()));
    const entries = nodes.slice(0, ENTRIES);

    // The entries form the seed network: the first publishes alone, the others join through it.
    const first = await settle<StoreResult>('first binding', (cb) => entries[0].node.dht.publishBinding(cb));
    expect(first.storedLocally).toBe(true);
    for (const e of entries.slice(1)) expect((await join(e, entries.slice(0, 1))).ok).toBe(true);

    const newcomers = nodes.slice(ENTRIES);
    for (let i = 0; i < newcomers.length; i += JOIN_BATCH) {
      const joined = await Promise.all(newcomers.slice(i, i + JOIN_BATCH).map((n) => join(n, entries)));
      for (const j of joined) expect(j).toMatchObject({ ok: true, reachable: ENTRIES });
    }
    // join() publishes the binding after bootstrap; publish once more and wait, so every binding is stored.
    await Promise.all(
      nodes.map((n) => settle<StoreResult>('publish', (cb) => n.node.dht.publishBinding(cb)).then((p) => expect(p.replicas).toBeGreaterThan(0))),
    );
    const joinedMs = Date.now();

    const checks = nodes.flatMap((searcher, i) =>
      LOOKUP_OFFSETS.map(async (offset) => {
        const target = nodes[(i + offset) % NODES];
        const targetKey = keyOfNodePub(nodeSuite, target.node.identity.publicKey);
        const resolved = await settle<ResolveResult>('resolve', (cb) => searcher.node.dht.resolve(targetKey, cb));
        expect(resolved.ok, `${searcher.transport.localAddress} resolving ${target.transport.localAddress}`).toBe(true);
        if (!resolved.ok) return;
        expect(resolved.binding.address).toBe(target.transport.localAddress);
        expect(bytesEqual(resolved.binding.nodePub, target.node.identity.publicKey)).toBe(true);
        const found = await settle<FindNodeResult>('findNode', (cb) => searcher.node.dht.findNode(targetKey, cb));
        expect(found.found?.address).toBe(target.transport.localAddress);
      }),
    );
    await Promise.all(checks);
    const doneMs = Date.now();

    const sessionStats = nodes.map((n) => n.node.sessions.stats());
    const dhtStats = nodes.map((n) => n.node.dht.stats());
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    // Honest traffic on a clean loopback: nothing undecodable, nothing crashing the session layer.
    for (const s of sessionStats) expect(s.dropped.internal ?? 0).toBe(0);
    for (const d of dhtStats) expect(d.drops.malformed + d.drops['unknown-type']).toBe(0);
    for (const n of nodes) expect(n.transport.stats.handlerErrors).toBe(0);

    // Nothing dangles: every socket closed, every protocol timer cancelled (the failure bounds were cleared).
    await closeAll();
    expect(await activeHandles('UDPWrap', 0)).toBe(0);
    expect(await activeHandles('Timeout', baseline.filter((x) => x === 'Timeout').length)).toBeLessThanOrEqual(
      baseline.filter((x) => x === 'Timeout').length,
    );
    console.info(
      JSON.stringify({
        udpTest: {
          nodes: NODES,
          joinMs: joinedMs - startedMs,
          lookupsMs: doneMs - joinedMs,
          resolves: NODES * LOOKUP_OFFSETS.length,
          handshakesCompleted: sum(sessionStats.map((s) => s.handshakesCompleted)),
          datagrams: sum(nodes.map((n) => n.transport.stats.sent)),
          dhtTimeouts: sum(dhtStats.map((d) => d.timeouts)),
        },
      }),
    );
  });
});
