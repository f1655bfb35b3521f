/**
 * Issue 11 item 4 through the whole stack (ParatoxNode = SessionManager + DhtNode on a deterministic loopback):
 * a liar answers FIND_NODE with 20 real NodeIDs at ports of one victim host. Every listed contact the querier
 * queries costs a session handshake towards the victim (init datagrams, retransmitted up to the session layer's
 * limit). Guards: only 2 of the 20 are ever contacted, so the victim sees handshake inits for 2 peers, not 20.
 */
import { describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import { ParatoxNode } from '../node/paratox-node.ts';
import { PayloadType } from '../packet/payload-type.ts';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { SessionManager } from '../session/session-manager.ts';
import { Loopback, ManualClock } from '../session/testing/loopback.ts';
import { hostOf } from './address-host.ts';
import type { BootstrapResult } from './dht-node.ts';
import { MessageCodec, type DhtMessage } from './messages.ts';
import type { PeerRef } from './types.ts';

const suite = nodeSuite;
const codec = new MessageCodec();

describe('NODES amplification through real sessions', () => {
  it('a reply listing 20 contacts at one IP starts handshakes towards at most 2 of them', () => {
    const seed = new SeededRng('amplification-integrated');
    const clock = new ManualClock();
    const net = new Loopback(clock, 5);
    const liar = suite.generateKeyPair(seed.fork('liar'));
    const sessions = new SessionManager({ transport: net.transport('liar'), clock, rng: seed.fork('liar/session'), suite, identity: () => liar });
    const ghosts = seed.fork('ghosts');
    const listed: PeerRef[] = Array.from({ length: 20 }, (_, i) => ({ address: `victim:${i + 1}`, nodePub: suite.generateKeyPair(ghosts).publicKey }));
    sessions.onMessage(PayloadType.DHT, ({ from, body }) => {
      const d = codec.decode(body);
      if (!d.ok) return;
      const reply: DhtMessage | undefined =
        d.message.kind === 'ping'
          ? { kind: 'pong', requestId: d.message.requestId, observedAddress: from.address }
          : d.message.kind === 'find-node'
            ? { kind: 'nodes', requestId: d.message.requestId, contacts: listed }
            : undefined;
      if (reply !== undefined) sessions.send(from, PayloadType.DHT, codec.encode(reply));
    });
    const querier = new ParatoxNode({ transport: net.transport('q'), clock, rng: seed.fork('q'), suite }, { dht: { autoRefresh: false, maxBootstrapRefreshes: 0 } });
    let joined: BootstrapResult | undefined;
    // Bootstrap = ping the liar, then one self lookup: one lying NODES reply (the liar is our only contact).
    querier.dht.bootstrap([{ address: 'liar', nodePub: liar.publicKey }], (r) => (joined = r));
    for (let ms = 0; joined === undefined && ms < 120_000; ms += 10) clock.advance(10);
    clock.advance(60_000); // every handshake towards the victim has given up by now
    expect(joined?.ok).toBe(true);
    const toVictim = net.sent.filter((d) => d.from === 'q' && hostOf(d.to) === 'victim');
    const targets = new Set(toVictim.map((d) => d.to));
    expect(targets.size).toBe(2);
    // Each target gets one handshake's inits (first try plus retransmissions), not one per listed contact.
    expect(toVictim.length).toBeLessThanOrEqual(2 * 5);
    expect(querier.dht.stats().drops['reply-host-cap']).toBeGreaterThanOrEqual(18);
  });
});
