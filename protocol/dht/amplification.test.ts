/**
 * Issue 11 item 4 (amplification), NODES side: a node we query may answer with real NodeIDs at an address of
 * its choosing; every listed contact we query makes the session layer handshake towards that address (up to 5
 * inits each). Guards: at most 2 contacts per host are taken from one reply, and first contacts to one host are
 * rate-limited across lookups, while contacts in our table are never held back.
 */
import { describe, expect, it } from 'vitest';
import { fastestSuite } from '../crypto/select-suite.ts';
import { hostOf } from './address-host.ts';
import type { FindNodeResult } from './dht-node.ts';
import { randomKeyInBucket } from './keys.ts';
import type { DhtMessage } from './messages.ts';
import { createRogue } from './testing/rogue-node.ts';
import { Testbed } from './testing/testbed.ts';
import type { PeerRef } from './types.ts';

const suite = fastestSuite();

/** A querier whose only contact is a liar at 'evil'; `lie` builds each NODES reply. */
function setup(seed: string, lie: (tb: Testbed) => PeerRef[]) {
  const tb = new Testbed({ seed, suite, config: { autoRefresh: false } });
  const querier = tb.addNode();
  const rogue = createRogue(tb.network, suite.generateKeyPair(tb.rng.fork('rogue')), 'evil', (msg: DhtMessage) =>
    msg.kind === 'find-node' ? { kind: 'nodes', requestId: msg.requestId, contacts: lie(tb) } : msg.kind === 'ping' ? { kind: 'pong', requestId: msg.requestId, observedAddress: '' } : undefined,
  );
  // What reaches the victim's host: the distinct addresses (each one a handshake target) and when.
  const victimTargets = new Map<string, number>();
  tb.network.tap = (d) => {
    if (hostOf(d.target) === 'victim' && !victimTargets.has(d.target)) victimTargets.set(d.target, tb.clock.now());
  };
  expect(tb.await<{ ok: boolean }>((cb) => querier.dht.bootstrap([rogue.peer], cb)).ok).toBe(true);
  return { tb, querier, rogue, victimTargets };
}

let port = 0;
/** `n` real NodeIDs listed at the victim's host, each at a port of its own (a distinct handshake target). */
function freshContacts(tb: Testbed, n: number, label: string): PeerRef[] {
  const rng = tb.rng.fork(label);
  return Array.from({ length: n }, () => ({ address: `victim:${++port}`, nodePub: suite.generateKeyPair(rng).publicKey }));
}

describe('NODES amplification caps', () => {
  it('a reply listing 20 contacts at one IP makes us contact at most 2 of them', () => {
    let list: PeerRef[] = [];
    const { tb, querier, victimTargets } = setup('one-ip', () => list);
    list = freshContacts(tb, 20, 'twenty');
    const before = querier.dht.stats().drops['reply-host-cap'];
    tb.await<FindNodeResult>((cb) => querier.dht.findNode(randomKeyInBucket(querier.key, 0, tb.rng), cb));
    expect(victimTargets.size).toBe(2);
    expect(querier.dht.stats().drops['reply-host-cap'] - before).toBe(18);
  });

  it('lying replies across many lookups reach one host at most burst + one per second of first contacts', () => {
    let n = 0;
    // Every reply (the bootstrap's too, from t = 0) lists 2 fresh NodeIDs at the victim's host.
    const { tb, querier, rogue, victimTargets } = setup('many-lookups', (t) => freshContacts(t, 2, `lie-${n++}`));
    const findNodes = () => rogue.received.filter((m) => m.kind === 'find-node').length;
    const asked = findNodes();
    let done = 0;
    for (let i = 0; i < 30; i++) querier.dht.findNode(randomKeyInBucket(querier.key, i % 8, tb.rng), () => done++);
    tb.settle();
    expect(done).toBe(30);
    // 30 lookups x 2 fresh victim contacts = 60 without the gate.
    const times = [...victimTargets.values()];
    const spanS = Math.max(...times) / 1000;
    expect(victimTargets.size).toBeLessThanOrEqual(8 + Math.floor(spanS));
    expect(victimTargets.size).toBeGreaterThanOrEqual(8);
    expect(querier.dht.stats().drops['first-contact-rate']).toBeGreaterThan(0);
    // The rogue itself is in the querier's table: every lookup still asked it, none was held back.
    expect(findNodes() - asked).toBe(30);
  });
});
