/**
 * Mailboxes over the real stack (OnionService circuits, DhtNode lookups): store while Bob is away, lose a third
 * of the holders, re-replicate, fetch with an ownership proof, delete by ack; and the flood bound.
 */
import { describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import { toHex } from '../packet/bytes.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { MailboxCmd, MailboxStatus } from './constants.ts';
import { mailboxKey, ownMailbox, proofMessage, senderTag } from './mailbox-key.ts';
import { encodeProof } from './wire.ts';
import type { FetchResult, StoreResult } from './mailbox-client.ts';
import { closestHolders } from './holders.ts';
import { offlineOpen, offlineSeal } from './offline-seal.ts';
import { mailboxNetwork, stopAll, type MailboxNode } from './testing/mailbox-net.ts';

const suite = nodeSuite;

function holdersOf(nodes: readonly MailboxNode[], key: Uint8Array): MailboxNode[] {
  return nodes.filter((n) => n.service.store.list(key).length > 0);
}

describe('mailboxes over real onion circuits and a real DHT', () => {
  it('Bob away -> stored at k holders -> a third go down -> re-replication restores -> Bob fetches, holders delete', () => {
    const { net, nodes } = mailboxNetwork(12, { fetchPeriods: 2 });
    const rng = new SeededRng('mailbox-flow');
    const alice = suite.generateKeyPair(rng.fork('alice'));
    const bob = suite.generateKeyPair(rng.fork('bob'));
    const id = rng.bytes(16);
    const sealed = offlineSeal(suite, rng, alice, bob.publicKey, id, new TextEncoder().encode('while you were out'));
    let stored: StoreResult | undefined;
    nodes[11].client.store(bob.publicKey, sealed, (key) => senderTag(suite, alice, bob.publicKey, key), (r) => (stored = r));
    net.clock.advance(30_000);
    expect(stored).toEqual({ ok: true, replicas: 3 });
    const key = mailboxKey(suite, bob.publicKey, 0);
    const first = holdersOf(nodes, key);
    expect(first).toHaveLength(3);
    // Holders see the mailbox key and ciphertext: no node's traffic carries Alice's or Bob's account key.
    for (const a of [alice.publicKey, bob.publicKey]) expect(net.log.filter((m) => toHex(m.body).includes(toHex(a)))).toHaveLength(0);

    // A third of the holders leave; the others' next round pushes to the new k-th closest.
    const gone = first[0];
    net.setOnline(gone.net.peer.address, false);
    gone.service.stop();
    for (const n of nodes) if (n !== gone) n.dht.refresh();
    net.clock.advance(20_000);
    for (const h of first.slice(1)) h.service.replicateNow();
    net.clock.advance(30_000);
    const live = holdersOf(nodes, key).filter((n) => n !== gone);
    expect(live).toHaveLength(3);
    const restored = nodes.reduce((s, n) => s + n.service.stats().replicasRestored, 0);
    const received = nodes.reduce((s, n) => s + n.service.stats().replicasReceived, 0);
    expect(restored).toBeGreaterThanOrEqual(1);
    expect(received).toBe(1);

    // Bob comes back (on node 3): fetch through circuits with his blinded-key proof, open, delete by ack.
    const bobNode = nodes[3];
    let fetched: FetchResult | undefined;
    bobNode.client.fetch(bob, (r) => (fetched = r));
    net.clock.advance(30_000);
    expect(fetched?.items).toHaveLength(1);
    const opened = offlineOpen(suite, bob, fetched!.items[0].item);
    expect(toHex(opened.senderPub)).toBe(toHex(alice.publicKey));
    expect(new TextDecoder().decode(opened.plaintext)).toBe('while you were out');
    let deleted = -1;
    bobNode.client.ack(fetched!.items, bob, (n) => (deleted = n));
    net.clock.advance(30_000);
    expect(deleted).toBe(3);
    expect(holdersOf(nodes, key).filter((n) => n !== gone)).toHaveLength(0);
    // Tombstones: a holder that missed the delete could not push it back.
    const again = live[0].service.store.append(key, new Uint8Array(16), fetched!.items[0].item, net.clock.now());
    expect(again).toBe(5); // GONE

    stopAll(nodes);
    for (const n of nodes) expect(n.net.clock.pending, n.net.name).toBe(0);
    for (const n of nodes) expect(n.service.stats().dropped.internal ?? 0).toBe(0);
  });

  it('a LIST or DELETE without the blinded private key, or with a stale timestamp, gets nothing (bad proof, counted)', () => {
    const { net, nodes } = mailboxNetwork(8, { fetchPeriods: 1 });
    const rng = new SeededRng('mailbox-proof');
    const alice = suite.generateKeyPair(rng);
    const bob = suite.generateKeyPair(rng);
    nodes[1].client.store(bob.publicKey, offlineSeal(suite, rng, alice, bob.publicKey, rng.bytes(16), Uint8Array.of(1)), () => new Uint8Array(16), () => {});
    net.clock.advance(30_000);
    const key = mailboxKey(suite, bob.publicKey, 0);
    const holder = holdersOf(nodes, key)[0];
    const { blinded } = ownMailbox(suite, bob, 0);
    const now = net.clock.now();
    const mallory = suite.generateKeyPair(rng);
    const replies: number[][] = [];
    const ask = (cmd: number, body: Uint8Array) => holder.service.local(cmd, body, (c, b) => replies.push([c, b[4]]));
    // Mallory knows A (so A' and the key) but not a'.
    ask(MailboxCmd.LIST, encodeProof({ reqId: 1, key, blindedPub: blinded.publicKey, timestampMs: now, itemIds: [], signature: suite.sign(mallory.privateKey, proofMessage('list', key, now)) }, false));
    const old = now + 10 * 60_000; // a genuine proof, but far from the holder clock (a replay from another time)
    ask(MailboxCmd.LIST, encodeProof({ reqId: 2, key, blindedPub: blinded.publicKey, timestampMs: old, itemIds: [], signature: suite.sign(blinded.privateKey, proofMessage('list', key, old)) }, false));
    const id = holder.service.store.list(key)[0].id;
    ask(MailboxCmd.DELETE, encodeProof({ reqId: 3, key, blindedPub: blinded.publicKey, timestampMs: now, itemIds: [id], signature: suite.sign(mallory.privateKey, proofMessage('delete', key, now, [id])) }, true));
    expect(replies).toEqual([
      [MailboxCmd.LIST_END, MailboxStatus.BAD_PROOF],
      [MailboxCmd.LIST_END, MailboxStatus.BAD_PROOF],
      [MailboxCmd.DELETE_REPLY, MailboxStatus.BAD_PROOF],
    ]);
    expect(holder.service.stats().dropped['bad-proof']).toBe(3);
    expect(holder.service.store.list(key)).toHaveLength(1);
    stopAll(nodes);
  });

  it('a flood from one sender hits its quota and is refused with "quota"; another sender still stores', () => {
    const { net, nodes } = mailboxNetwork(10, { maxItemsPerSender: 4, maxItemsPerMailbox: 16 });
    const rng = new SeededRng('mailbox-flood');
    const flooder = suite.generateKeyPair(rng.fork('flooder'));
    const carol = suite.generateKeyPair(rng.fork('carol'));
    const bob = suite.generateKeyPair(rng.fork('bob'));
    const results: StoreResult[] = [];
    for (let i = 0; i < 8; i++) {
      const sealed = offlineSeal(suite, rng, flooder, bob.publicKey, rng.bytes(16), Uint8Array.of(i));
      nodes[1].client.store(bob.publicKey, sealed, (key) => senderTag(suite, flooder, bob.publicKey, key), (r) => results.push(r));
      net.clock.advance(10_000);
    }
    expect(results.slice(0, 4).every((r) => r.ok)).toBe(true);
    expect(results.slice(4)).toEqual(Array(4).fill({ ok: false, reason: 'quota' }));
    let carolResult: StoreResult | undefined;
    const sealed = offlineSeal(suite, rng, carol, bob.publicKey, rng.bytes(16), Uint8Array.of(99));
    nodes[2].client.store(bob.publicKey, sealed, (key) => senderTag(suite, carol, bob.publicKey, key), (r) => (carolResult = r));
    net.clock.advance(10_000);
    expect(carolResult).toEqual({ ok: true, replicas: 3 });
    const key = mailboxKey(suite, bob.publicKey, 0);
    for (const h of holdersOf(nodes, key)) expect(h.service.store.list(key)).toHaveLength(5);
    expect(nodes[1].client.stats().storesFailed.quota).toBe(4);
    stopAll(nodes);
  });
});

describe('mailbox periods', () => {
  it('an item stored periods ago is fetched by the first fetch (fetchPeriods), later fetches ask fewer periods', () => {
    const periodMs = 60_000;
    const { net, nodes } = mailboxNetwork(8, { periodMs, fetchPeriods: 4, expiryMs: 10 * periodMs }, 'mailbox-periods');
    const rng = new SeededRng('mailbox-periods');
    const alice = suite.generateKeyPair(rng);
    const bob = suite.generateKeyPair(rng);
    net.clock.advance(periodMs - (net.clock.now() % periodMs)); // start of a period
    const p0 = Math.floor(net.clock.now() / periodMs);
    let stored: StoreResult | undefined;
    nodes[1].client.store(bob.publicKey, offlineSeal(suite, rng, alice, bob.publicKey, rng.bytes(16), Uint8Array.of(5)), () => new Uint8Array(16), (r) => (stored = r));
    net.clock.advance(20_000);
    expect(stored?.ok).toBe(true);
    net.clock.advance(2 * periodMs); // two periods later
    let r: FetchResult | undefined;
    nodes[2].client.fetch(bob, (x) => (r = x));
    net.clock.advance(20_000);
    expect(r?.items.map((i) => i.period)).toEqual([p0]);
    expect(r?.holdersAsked).toBe(4 * 3);
    expect(r?.complete).toBe(true);
    nodes[2].client.fetch(bob, (x) => (r = x), p0 + 2 - 1);
    net.clock.advance(20_000);
    expect(r?.holdersAsked).toBe(2 * 3);
    expect(r?.items).toHaveLength(0);
    stopAll(nodes);
  });
});

describe('store with a dead holder', () => {
  it('reports stored with 2 replicas storeGraceMs after the second ack, not after the dead one times out', () => {
    const { net, nodes } = mailboxNetwork(10, { storeGraceMs: 2_000, requestTimeoutMs: 20_000 }, 'mailbox-dead-holder');
    const rng = new SeededRng('mailbox-dead-holder');
    const alice = suite.generateKeyPair(rng);
    const bob = suite.generateKeyPair(rng);
    const key = mailboxKey(suite, bob.publicKey, 0);
    const closest = closestHolders(suite, key, nodes.map((n) => n.net.peer), undefined, 3);
    const dead = nodes.find((n) => n.net.peer.address === closest[0].address)!;
    const sender = nodes.find((n) => !closest.some((c) => c.address === n.net.peer.address))!;
    net.setOnline(dead.net.peer.address, false); // gone, but still in everyone's routing table for a while
    let stored: StoreResult | undefined;
    const t0 = net.clock.now();
    let t1 = 0;
    sender.client.store(bob.publicKey, offlineSeal(suite, rng, alice, bob.publicKey, rng.bytes(16), Uint8Array.of(1)), () => new Uint8Array(16), (r) => {
      stored = r;
      t1 = net.clock.now();
    });
    net.clock.advance(30_000);
    expect(stored).toEqual({ ok: true, replicas: 2 });
    // The lookup waits out the dead node (about 4 s); its circuit alone would take hopTimeoutMs (10 s) more to fail.
    expect(t1 - t0).toBeLessThan(9_000);
    stopAll(nodes);
    for (const n of nodes) expect(n.net.clock.pending, n.net.name).toBe(0);
  });
});
