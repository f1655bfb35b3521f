import { beforeAll, describe, expect, it } from 'vitest';
import { createBinding, encodeBinding, type Binding } from './binding.ts';
import { DHT_PAYLOAD_TYPE, RECORD_TYPE_BINDING } from './constants.ts';
import type { BootstrapResult, ResolveResult, StoreResult } from './dht-node.ts';
import { bytesEqual, keyToHex } from './keys.ts';
import { MessageCodec, MessageType, type DhtMessage } from './messages.ts';
import { createRogue } from './testing/rogue-node.ts';
import { Testbed, type TestNode } from './testing/testbed.ts';
import { RECORD_TYPE_VERSIONED, versionedRecord, versionedValidator } from './testing/versioned-record.ts';
import type { DhtPolicy, PeerRef } from './types.ts';

const K = 8;
const MINUTE = 60_000;
const codec = new MessageCodec();
const hex = (cs: readonly { key: Uint8Array }[]) => cs.map((c) => keyToHex(c.key));

describe('DhtNode on a 40-node fake network (k = 8)', () => {
  let tb: Testbed;
  let nodes: TestNode[];

  beforeAll(() => {
    tb = new Testbed({
      seed: 'dht-node',
      config: { k: K, bindingTtlMs: 10 * MINUTE, republishIntervalMs: 20 * MINUTE, autoRefresh: false },
      components: () => ({ validators: [versionedValidator] }),
    });
    expect(tb.grow(40)).toEqual([]);
    nodes = tb.nodes;
  });

  it('bootstrap() fills the routing table from one reachable entry, skipping dead ones', () => {
    const newcomer = tb.addNode();
    const dead: PeerRef = { address: 'nowhere', nodePub: nodes[3].peer.nodePub };
    const r = tb.await<BootstrapResult>((cb) => newcomer.dht.bootstrap([dead, nodes[5].peer], cb));
    expect(r).toMatchObject({ ok: true, reachable: 1 });
    expect(r.tableSize).toBeGreaterThanOrEqual(K);
    expect(r.lookups).toBeGreaterThan(1);
    // The newcomer's neighbours learned about it too (it queried them).
    const closest = tb.trueClosest(newcomer.key, 3, newcomer.key);
    for (const n of closest) expect(n.dht.table.has(newcomer.key)).toBe(true);
  });

  it('bootstrap() reports failure when no entry answers, and consults the policy hook', () => {
    const seen: number[] = [];
    const policy: DhtPolicy = {
      admitContact: () => true,
      selectBootstrap: (entries) => {
        seen.push(entries.length);
        return [];
      },
    };
    const lonely = new Testbed({ seed: 'lonely', components: () => ({ policy }) });
    lonely.grow(1);
    const node = lonely.addNode();
    const r = lonely.await<BootstrapResult>((cb) => node.dht.bootstrap([lonely.nodes[0].peer], cb));
    expect(r).toEqual({ ok: false, reachable: 0, tableSize: 0, lookups: 0 });
    expect(seen).toEqual([1]);
  });

  it('publishBinding() then resolve() from any node gives the signed address', () => {
    const alice = nodes[7];
    const published = tb.await<StoreResult>((cb) => alice.dht.publishBinding(cb));
    expect(published.storedLocally).toBe(true);
    expect(published.replicas).toBe(K + 1);
    for (const n of nodes.filter((x) => x !== alice).slice(0, 16)) {
      const holder = n.dht.records.get(alice.key, RECORD_TYPE_BINDING) !== undefined;
      const r = tb.await<ResolveResult>((cb) => n.dht.resolve(alice.key, cb));
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.binding.address).toBe(alice.address);
      expect(bytesEqual(r.binding.nodePub, alice.keyPair.publicKey)).toBe(true);
      // Holders answer from their own store (0 hops); everyone else needs at least one round trip.
      if (holder) expect(r).toMatchObject({ hops: 0, messages: 0 });
      else expect(r.hops).toBeGreaterThanOrEqual(1);
    }
  });

  it('resolve() of an id nobody has returns not-found with the true k closest live nodes', () => {
    const ghost = tb.rng.bytes(32);
    const searcher = nodes[11];
    const r = tb.await<ResolveResult>((cb) => searcher.dht.resolve(ghost, cb));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(hex(r.closest)).toEqual(hex(tb.trueClosest(ghost, K, searcher.key)));
  });

  it('store() + findValue() carry a record type registered by a validator, and refuse invalid records up front', () => {
    const key = tb.rng.bytes(32);
    const stored = tb.await<StoreResult>((cb) => nodes[2].dht.store(key, versionedRecord(3, 1e12), cb));
    expect(stored.replicas).toBeGreaterThanOrEqual(K);
    const found = tb.await<{ record?: { value: Uint8Array } }>((cb) => nodes[30].dht.findValue(key, RECORD_TYPE_VERSIONED, cb));
    expect(found.record?.value).toEqual(versionedRecord(3, 1e12).value);
    const refused = tb.await<StoreResult>((cb) => nodes[2].dht.store(key, versionedRecord(4, 0), cb));
    expect(refused).toMatchObject({ error: 'expired', replicas: 0, messages: 0 });
  });

  it('publish() republishes as the original publisher every republishIntervalMs until unpublish()', () => {
    const key = tb.rng.bytes(32);
    const publisher = nodes[25];
    const first = tb.await<StoreResult>((cb) => publisher.dht.publish(key, versionedRecord(1, 1e12), cb));
    const holder = nodes.find((n) => n !== publisher && n.dht.records.get(key, RECORD_TYPE_VERSIONED) !== undefined)!;
    expect(first.replicas).toBeGreaterThanOrEqual(K);
    const storedAt = holder.dht.records.get(key, RECORD_TYPE_VERSIONED)!.refreshedAtMs;
    tb.clock.advance(20 * MINUTE + 1000);
    const republishedAt = holder.dht.records.get(key, RECORD_TYPE_VERSIONED)!.refreshedAtMs;
    expect(republishedAt - storedAt).toBeGreaterThanOrEqual(20 * MINUTE);
    expect(publisher.dht.unpublish(key, RECORD_TYPE_VERSIONED)).toBe(true);
    tb.clock.advance(20 * MINUTE + 1000);
    expect(holder.dht.records.get(key, RECORD_TYPE_VERSIONED)!.refreshedAtMs).toBe(republishedAt);
  });

  it('a binding outlives its TTL while its node republishes it, and lapses after the node leaves', () => {
    const bob = nodes[13];
    tb.await<StoreResult>((cb) => bob.dht.publishBinding(cb));
    tb.clock.advance(25 * MINUTE); // 2.5 TTLs: republished every 5 minutes
    const alive = tb.await<ResolveResult>((cb) => nodes[20].dht.resolve(bob.key, cb));
    expect(alive.ok && alive.binding.issuedAtMs).toBeGreaterThan(20 * MINUTE);
    bob.dht.stop();
    tb.network.setOnline(bob.address, false);
    tb.clock.advance(11 * MINUTE);
    const gone = tb.await<ResolveResult>((cb) => nodes[20].dht.resolve(bob.key, cb));
    expect(gone.ok).toBe(false);
  });

  it('NodeID rotation: the new id publishes its own binding, the old one lapses', () => {
    const old = nodes[17];
    tb.await<StoreResult>((cb) => old.dht.publishBinding(cb));
    // The rotated identity is a new DhtNode (new key, new endpoint), seeded with the old table's contacts.
    const rotated = tb.addNode();
    tb.await<BootstrapResult>((cb) => rotated.dht.bootstrap(old.dht.table.contacts(), cb));
    tb.await<StoreResult>((cb) => rotated.dht.publishBinding(cb));
    old.dht.stop();
    tb.network.setOnline(old.address, false);
    const asker = nodes[21];
    expect(tb.await<ResolveResult>((cb) => asker.dht.resolve(old.key, cb)).ok).toBe(true); // still valid
    tb.clock.advance(11 * MINUTE);
    expect(tb.await<ResolveResult>((cb) => asker.dht.resolve(old.key, cb)).ok).toBe(false);
    const fresh = tb.await<ResolveResult>((cb) => asker.dht.resolve(rotated.key, cb));
    expect(fresh.ok && fresh.binding.address).toBe(rotated.address);
  });

  it('a re-published binding with a new address supersedes the old one at every holder', () => {
    const carolTb = new Testbed({ seed: 'carol', config: { k: 4, autoRefresh: false } });
    carolTb.grow(12);
    const carol = carolTb.nodes[4];
    // A node whose self() reports a changing address (e.g. after a NAT rebinding).
    carol.claimedAddress = 'carol-1';
    carolTb.await<StoreResult>((cb) => carol.dht.publishBinding(cb));
    carolTb.clock.advance(1000);
    carol.claimedAddress = 'carol-2';
    const second = carolTb.await<StoreResult & { binding: Binding }>((cb) => carol.dht.publishBinding(cb));
    expect(second.acks.stored).toBe(4);
    for (const n of carolTb.nodes) {
      const held = n.dht.records.get(carol.key, RECORD_TYPE_BINDING);
      if (held === undefined) continue;
      expect(held.version).toBe(second.binding.issuedAtMs);
    }
    const r = carolTb.await<ResolveResult>((cb) => carolTb.nodes[9].dht.resolve(carol.key, cb));
    expect(r.ok && r.binding.address).toBe('carol-2');
  });
});

describe('DhtNode drops and counts malformed and spoofed input', () => {
  let tb: Testbed;
  let victim: TestNode;
  let alice: TestNode;
  const drops = () => victim.dht.stats().drops;

  beforeAll(() => {
    tb = new Testbed({ seed: 'spoof', config: { k: 4, autoRefresh: false } });
    tb.grow(10);
    victim = tb.nodes[1];
    alice = tb.nodes[2];
    tb.await<StoreResult>((cb) => alice.dht.publishBinding(cb));
  });

  function inject(body: Uint8Array, from: PeerRef = tb.nodes[3].peer): void {
    tb.network.inject(from, victim.address, DHT_PAYLOAD_TYPE, body);
    tb.settle();
  }

  const id = new Uint8Array(8).fill(9);

  it('truncated, trailing-garbage and unknown-type bodies', () => {
    const before = victim.dht.stats();
    inject(codec.encode({ kind: 'find-node', requestId: id, target: new Uint8Array(32) }).subarray(0, 20));
    inject(Uint8Array.of(...codec.encode({ kind: 'ping', requestId: id }), 1, 2));
    inject(Uint8Array.of(0x7e, ...id));
    const after = victim.dht.stats();
    expect(after.drops.malformed - before.drops.malformed).toBe(2);
    expect(after.decodeErrors.truncated - before.decodeErrors.truncated).toBe(1);
    expect(after.decodeErrors['bad-length'] - before.decodeErrors['bad-length']).toBe(1);
    expect(after.drops['unknown-type'] - before.drops['unknown-type']).toBe(1);
    expect(after.repliesSent).toBe(before.repliesSent);
  });

  it('known but unserved request types (GET_ONLINE) are counted as unsupported', () => {
    const before = drops().unsupported;
    inject(codec.encode({ kind: 'get-online', requestId: id, max: 5 }));
    expect(drops().unsupported).toBe(before + 1);
  });

  it('a reply nobody asked for is an unexpected-reply', () => {
    const before = drops()['unexpected-reply'];
    inject(codec.encode({ kind: 'nodes', requestId: id, contacts: [] }));
    inject(codec.encode({ kind: 'pong', requestId: id, observedAddress: '' }));
    expect(drops()['unexpected-reply']).toBe(before + 2);
  });

  it("a STORE of someone else's binding is refused ('foreign-binding'), a forged signature too ('bad-signature')", () => {
    const mallory = tb.suite.generateKeyPair(tb.rng.fork('mallory'));
    const acks: DhtMessage[] = [];
    const rogue = createRogue(tb.network, mallory, 'mallory', (msg) => void acks.push(msg));
    const own = createBinding(tb.suite, mallory.privateKey, { nodePub: mallory.publicKey, address: 'mallory', nowMs: tb.clock.now() });
    const forged = createBinding(tb.suite, mallory.privateKey, { nodePub: alice.keyPair.publicKey, address: 'mallory', nowMs: tb.clock.now() });
    const before = { ...drops() };
    for (const b of [own, forged]) {
      rogue.send(victim.peer, { kind: 'store', requestId: id, key: alice.key, record: { recordType: RECORD_TYPE_BINDING, value: encodeBinding(b) } });
    }
    tb.settle();
    expect(drops()['foreign-binding']).toBe(before['foreign-binding'] + 1);
    expect(drops()['bad-signature']).toBe(before['bad-signature'] + 1);
    expect(acks.map((a) => a.kind === 'store-ack' && a.status)).toEqual(['foreign-binding', 'bad-signature']);
    const held = victim.dht.records.get(alice.key, RECORD_TYPE_BINDING);
    if (held !== undefined) expect(held.value).not.toEqual(encodeBinding(forged));
  });

  it('a node serving a forged binding on FIND_VALUE is not believed; resolve() still returns the real one', () => {
    const eve = tb.suite.generateKeyPair(tb.rng.fork('eve'));
    const forged = createBinding(tb.suite, eve.privateKey, { nodePub: alice.keyPair.publicKey, address: 'eve', nowMs: tb.clock.now() });
    const evesOwn = createBinding(tb.suite, eve.privateKey, { nodePub: eve.publicKey, address: 'eve', nowMs: tb.clock.now() });
    let served = 0;
    const rogue = createRogue(tb.network, eve, 'eve', (msg) => {
      if (msg.kind === 'ping') return { kind: 'pong', requestId: msg.requestId, observedAddress: '' };
      if (msg.kind !== 'find-value') return undefined;
      const b = served++ % 2 === 0 ? forged : evesOwn;
      return { kind: 'value', requestId: msg.requestId, record: { recordType: RECORD_TYPE_BINDING, value: encodeBinding(b) } };
    });
    // A fresh searcher that knows only Eve and one honest node: both are queried in the first round.
    const searcher = tb.addNode();
    searcher.dht.table.update(searcher.dht.contactOf(rogue.peer));
    searcher.dht.table.update(searcher.dht.contactOf(tb.nodes[5].peer));
    const before = searcher.dht.stats().drops;
    const r1 = tb.await<ResolveResult>((cb) => searcher.dht.resolve(alice.key, cb));
    const r2 = tb.await<ResolveResult>((cb) => searcher.dht.resolve(alice.key, cb));
    for (const r of [r1, r2]) expect(r.ok && r.binding.address).toBe(alice.address);
    const after = searcher.dht.stats().drops;
    expect(after['bad-signature'] - before['bad-signature']).toBe(1);
    expect(after['foreign-binding'] - before['foreign-binding']).toBe(1);
    expect(served).toBe(2);
  });

  it('after stop(), inbound messages are ignored and timers are gone', () => {
    const node = tb.nodes[8];
    node.dht.stop();
    const before = node.dht.stats();
    tb.network.inject(tb.nodes[3].peer, node.address, DHT_PAYLOAD_TYPE, codec.encode({ kind: 'ping', requestId: id }));
    tb.settle();
    expect(node.dht.stats()).toEqual(before);
    expect(MessageType.PING).toBe(1);
  });
});
