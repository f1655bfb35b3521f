import { describe, expect, it } from 'vitest';
import { DHT_PAYLOAD_TYPE } from '../constants.ts';
import { keysEqual } from '../keys.ts';
import { MessageCodec, MessageType, type DhtMessage } from '../messages.ts';
import type { RpcOutcome } from '../rpc.ts';
import type { PeerRef } from '../types.ts';
import { confirmHandler } from './confirm-handler.ts';
import { checkAll, tableOracle, type ExistenceOracle } from './existence-oracle.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { EntryWorld } from './testing/entry-world.ts';

function ask(world: EntryWorld, from: EntryWorld['nodes'][number], to: PeerRef, request: Parameters<typeof from.dht.request>[1]): RpcOutcome {
  return world.await<RpcOutcome>((cb) => from.dht.request(to, request, cb));
}

function reply<K extends DhtMessage['kind']>(outcome: RpcOutcome, kind: K): Extract<DhtMessage, { kind: K }> {
  if (!outcome.ok || outcome.reply.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(outcome)}`);
  return outcome.reply as Extract<DhtMessage, { kind: K }>;
}

describe('entry handlers', () => {
  const world = new EntryWorld(7);
  world.grow(40);
  const entry = world.nodes[5];
  const asker = world.add();

  it('GET_ONLINE answers at most `max` distinct contacts from the entry table, never the asker itself', () => {
    const online = reply(ask(world, asker, entry.peerRef, { kind: 'get-online', max: 8 }), 'online');
    expect(online.contacts).toHaveLength(8);
    const keys = online.contacts.map((c) => entry.dht.contactOf(c).key);
    for (const k of keys) expect(entry.dht.table.has(k)).toBe(true);
    expect(keys.some((k) => keysEqual(k, asker.dht.key))).toBe(false);
    expect(new Set(online.contacts.map((c) => c.address)).size).toBe(8);
  });

  it('GET_ONLINE caps a greedy request at MAX_ONLINE_ANSWER', () => {
    const online = reply(ask(world, asker, entry.peerRef, { kind: 'get-online', max: 255 }), 'online');
    expect(online.contacts.length).toBeLessThanOrEqual(32);
  });

  it('CONFIRM by resolve says exists for honest nodes in or out of the table, unknown for a key that never joined', () => {
    const outsider = world.nodes.find((n) => n !== entry && !entry.dht.table.has(n.dht.key))!;
    const inTable = world.nodes.find((n) => n !== entry && entry.dht.table.has(n.dht.key))!;
    const ghostKey = world.suite.generateKeyPair(world.rng.fork('ghost'));
    const ghost: PeerRef = { address: 'ghost', nodePub: ghostKey.publicKey };
    const confirmed = reply(ask(world, asker, entry.peerRef, { kind: 'confirm', contacts: [inTable.peerRef, outsider.peerRef, ghost] }), 'confirmed');
    expect(confirmed.statuses).toEqual(['exists', 'exists', 'unknown']);
  });

  it('CONFIRM by table alone knows only its routing table (the cheap oracle)', () => {
    const statuses: string[][] = [];
    checkAll(
      tableOracle({ dht: () => entry.dht }),
      world.nodes.filter((n) => n !== entry).map((n) => n.peerRef),
      (s) => statuses.push(s),
    );
    const known = statuses[0].filter((s) => s === 'exists').length;
    expect(known).toBe(entry.dht.table.size);
    expect(known).toBeLessThan(world.nodes.length - 2);
  });

  it('counts malformed GET_ONLINE / CONFIRM as drops and answers nothing', () => {
    const before = entry.dht.stats();
    const codec = new MessageCodec();
    const rid = new Uint8Array(8).fill(9);
    // Undecodable: a GET_ONLINE without its max byte, a CONFIRM whose count promises a contact that is not there.
    world.network.inject(asker.peerRef, entry.peerRef.address, DHT_PAYLOAD_TYPE, new Uint8Array([MessageType.GET_ONLINE, ...rid]));
    world.network.inject(asker.peerRef, entry.peerRef.address, DHT_PAYLOAD_TYPE, new Uint8Array([MessageType.CONFIRM, ...rid, 1, 2]));
    // Decodable but meaningless: asking for 0 contacts, confirming an empty list.
    world.network.inject(asker.peerRef, entry.peerRef.address, DHT_PAYLOAD_TYPE, codec.encode({ kind: 'get-online', requestId: rid, max: 0 }));
    world.network.inject(asker.peerRef, entry.peerRef.address, DHT_PAYLOAD_TYPE, codec.encode({ kind: 'confirm', requestId: rid, contacts: [] }));
    world.settle();
    const after = entry.dht.stats();
    expect(after.drops.malformed - before.drops.malformed).toBe(4);
    expect(after.decodeErrors.truncated - before.decodeErrors.truncated).toBe(2);
    expect(after.repliesSent).toBe(before.repliesSent);
  });

  it('a node without the entry handlers counts GET_ONLINE as unsupported', () => {
    const plain = world.add({ handlers: () => (defaults) => defaults });
    const outcome = ask(world, asker, plain.peerRef, { kind: 'get-online', max: 4 });
    expect(outcome.ok).toBe(false);
    expect(plain.dht.stats().drops.unsupported).toBeGreaterThan(0);
  });
});

describe('confirmHandler', () => {
  const from = { key: new Uint8Array(32).fill(1), nodePub: new Uint8Array(33).fill(2), address: 'a', lastSeenMs: 0 };
  const contacts: PeerRef[] = [
    { address: 'x', nodePub: new Uint8Array(33).fill(3) },
    { address: 'y', nodePub: new Uint8Array(33).fill(4) },
  ];
  const stats = { drop: () => {} } as never;
  const confirm = (id: number) => ({ kind: 'confirm' as const, requestId: new Uint8Array(8).fill(id), contacts });

  /** An oracle that answers only when the test says so. */
  function slowOracle() {
    const waiting: ((yes: boolean) => void)[] = [];
    const oracle: ExistenceOracle = { name: 'resolve', exists: (_p, cb) => void waiting.push(cb) };
    return { oracle, waiting };
  }

  it('answers a retransmitted CONFIRM once the work is done, and ignores it while pending', () => {
    const clock = new FakeClock();
    const { oracle, waiting } = slowOracle();
    const sent: unknown[] = [];
    const handler = confirmHandler({ stats, oracle, clock, respond: (_p, _id, r) => sent.push(r) });
    expect(handler(from, confirm(4))).toBeUndefined();
    expect(handler(from, confirm(4))).toBeUndefined();
    expect(waiting).toHaveLength(2);
    waiting[0](true);
    waiting[1](false);
    expect(sent).toEqual([{ kind: 'confirmed', statuses: ['exists', 'unknown'] }]);
    expect(handler(from, confirm(4))).toEqual({ kind: 'confirmed', statuses: ['exists', 'unknown'] });
    expect(waiting).toHaveLength(2);
  });

  it('answers by the deadline with what it knows; contacts still being resolved are unknown', () => {
    const clock = new FakeClock();
    const { oracle, waiting } = slowOracle();
    const sent: unknown[] = [];
    const handler = confirmHandler({ stats, oracle, clock, respond: (_p, _id, r) => sent.push(r) }, { confirmDeadlineMs: 1500 });
    handler(from, confirm(5));
    waiting[0](true);
    clock.advance(1499);
    expect(sent).toEqual([]);
    clock.advance(1);
    expect(sent).toEqual([{ kind: 'confirmed', statuses: ['exists', 'unknown'] }]);
    waiting[1](true); // too late: no second answer
    expect(sent).toHaveLength(1);
  });

  // Guards issue 11 item 4: one CONFIRM of 64 contacts unknown to the entry used to start 64 DHT lookups.
  it('resolves at most maxResolvesPerConfirm contacts of one CONFIRM and answers the rest from the cheap oracle', () => {
    const clock = new FakeClock();
    const { oracle, waiting } = slowOracle();
    let cheapAsked = 0;
    const fast: ExistenceOracle = { name: 'table', exists: (_p, cb) => (cheapAsked++, cb(false)) };
    const many: PeerRef[] = Array.from({ length: 64 }, (_, i) => ({ address: `c${i}`, nodePub: new Uint8Array(33).fill(i) }));
    const handler = confirmHandler({ stats, oracle, clock, fallback: fast, respond: () => {} });
    handler(from, { kind: 'confirm', requestId: new Uint8Array(8).fill(20), contacts: many });
    expect(waiting).toHaveLength(16);
    expect(cheapAsked).toBe(48);
  });

  // Guards issue 11 item 4: CONFIRMs were answered without limit per requester.
  it('rate-limits new CONFIRMs per requester NodeID and per host; retransmissions are not charged', () => {
    const clock = new FakeClock();
    const drops: string[] = [];
    const counting = { drop: (r: string) => void drops.push(r) } as never;
    const sent: unknown[] = [];
    const instant: ExistenceOracle = { name: 'table', exists: (_p, cb) => cb(true) };
    const handler = confirmHandler({ stats: counting, oracle: instant, clock, respond: (_p, _id, r) => sent.push(r) }, { confirmBurst: 3, confirmRefillMs: 10_000 });
    const answered = (f: typeof from, id: number) => {
      const before = sent.length;
      const direct = handler(f, confirm(id));
      return direct !== undefined || sent.length > before;
    };
    expect([1, 2, 3, 4].map((id) => answered(from, id))).toEqual([true, true, true, false]);
    expect(drops).toEqual(['confirm-rate']);
    expect(answered(from, 2)).toBe(true); // a retransmission of an answered request: same answer, no token
    // Another NodeID on the same host shares the host's bucket; another host and NodeID has its own.
    const sameHost = { ...from, key: new Uint8Array(32).fill(7) };
    const elsewhere = { ...from, key: new Uint8Array(32).fill(8), address: 'b' };
    expect(answered(sameHost, 30)).toBe(false);
    expect(answered(elsewhere, 31)).toBe(true);
    clock.advance(10_000);
    expect([5, 6].map((id) => answered(from, id))).toEqual([true, false]);
  });

  it('falls back to the cheap oracle when too many CONFIRMs are pending', () => {
    const clock = new FakeClock();
    const { oracle, waiting } = slowOracle();
    const fast: ExistenceOracle = { name: 'table', exists: (_p, cb) => cb(false) };
    const sent: unknown[] = [];
    const handler = confirmHandler({ stats, oracle, clock, fallback: fast, respond: (_p, _id, r) => sent.push(r) }, { maxPendingConfirms: 2 });
    for (let i = 0; i < 3; i++) handler(from, confirm(10 + i));
    expect(waiting).toHaveLength(4);
    expect(sent).toHaveLength(1);
  });
});
