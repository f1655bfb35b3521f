import { describe, expect, it } from 'vitest';
import { SeededRng } from '../runtime/seeded-rng.ts';
import { MessageCodec, type DhtMessage } from './messages.ts';
import { Rpc, type RpcOutcome } from './rpc.ts';
import { StatsCounter } from './stats.ts';
import { FakeClock } from './testing/fake-clock.ts';
import type { DhtMessenger, PeerRef } from './types.ts';

const BOB: PeerRef = { address: 'bob', nodePub: Uint8Array.of(2, ...new Uint8Array(32).fill(0xb0)) };
const EVE: PeerRef = { address: 'eve', nodePub: Uint8Array.of(3, ...new Uint8Array(32).fill(0xe0)) };

function setup(maxPendingRequests = 10, requestRetries = 0) {
  const clock = new FakeClock();
  const codec = new MessageCodec();
  const stats = new StatsCounter();
  const sent: { peer: PeerRef; type: number; msg: DhtMessage }[] = [];
  const messenger: DhtMessenger = {
    send: (peer, type, body) => {
      const r = codec.decode(body);
      if (!r.ok) throw new Error(r.detail);
      sent.push({ peer, type, msg: r.message });
    },
    onMessage: () => {},
  };
  const rpc = new Rpc({ messenger, clock, rng: new SeededRng('rpc'), codec, stats }, { requestTimeoutMs: 1000, maxPendingRequests, requestRetries });
  const outcomes: RpcOutcome[] = [];
  const drops = () => stats.snapshot({ routingTableSize: 0, records: 0, pendingRequests: 0 }).drops;
  return { clock, rpc, sent, outcomes, drops, stats };
}

describe('Rpc', () => {
  it('matches a reply from the addressed peer to its request, once', () => {
    const { clock, rpc, sent, outcomes, drops, stats } = setup();
    rpc.request(BOB, { kind: 'ping' }, (o) => outcomes.push(o));
    expect(sent[0]).toMatchObject({ peer: BOB, type: 0x10, msg: { kind: 'ping' } });
    const pong: DhtMessage = { kind: 'pong', requestId: sent[0].msg.requestId, observedAddress: 'me' };
    expect(rpc.handleReply(BOB, pong)).toBe(true);
    expect(rpc.handleReply(BOB, pong)).toBe(false); // duplicate from the same peer: a late reply, not a spoof
    expect(rpc.handleReply(EVE, pong)).toBe(false); // the same id from someone else: a spoof
    clock.advance(5000);
    expect(outcomes).toEqual([{ ok: true, reply: pong }]);
    expect(drops()['unexpected-reply']).toBe(1);
    expect(stats.snapshot({ routingTableSize: 0, records: 0, pendingRequests: 0 }).lateReplies).toBe(1);
  });

  it('refuses replies from another peer or of the wrong kind, then times out', () => {
    const { clock, rpc, sent, outcomes, drops, stats } = setup();
    rpc.request(BOB, { kind: 'find-node', target: new Uint8Array(32) }, (o) => outcomes.push(o));
    const requestId = sent[0].msg.requestId;
    expect(rpc.handleReply(EVE, { kind: 'nodes', requestId, contacts: [] })).toBe(false);
    expect(rpc.handleReply(BOB, { kind: 'store-ack', requestId, status: 'stored' })).toBe(false);
    expect(rpc.handleReply(BOB, { kind: 'nodes', requestId: new Uint8Array(8), contacts: [] })).toBe(false);
    clock.advance(999);
    expect(outcomes).toEqual([]);
    clock.advance(1);
    expect(outcomes).toEqual([{ ok: false, reason: 'timeout' }]);
    expect(rpc.handleReply(BOB, { kind: 'nodes', requestId, contacts: [] })).toBe(false); // too late: not a drop
    expect(drops()['unexpected-reply']).toBe(3);
    expect(stats.snapshot({ routingTableSize: 0, records: 0, pendingRequests: 0 })).toMatchObject({ timeouts: 1, lateReplies: 1 });
  });

  it('resends a timed-out request with the same id, accepts a reply to any attempt, and gives up after the retries', () => {
    const { clock, rpc, sent, outcomes, stats } = setup(10, 2);
    rpc.request(BOB, { kind: 'ping' }, (o) => outcomes.push(o));
    rpc.request(BOB, { kind: 'ping' }, (o) => outcomes.push(o));
    clock.advance(1000);
    expect(sent).toHaveLength(4);
    expect(sent[2].msg.requestId).toEqual(sent[0].msg.requestId);
    rpc.handleReply(BOB, { kind: 'pong', requestId: sent[0].msg.requestId, observedAddress: '' });
    clock.advance(1999);
    expect(outcomes).toHaveLength(1);
    clock.advance(1);
    expect(outcomes[1]).toEqual({ ok: false, reason: 'timeout' });
    const snap = stats.snapshot({ routingTableSize: 0, records: 0, pendingRequests: 0 });
    expect(snap).toMatchObject({ requestsSent: 2, retransmissions: 3, timeouts: 1, messagesSent: 5 });
  });

  it('fails new requests at once beyond maxPendingRequests', () => {
    const { clock, rpc, outcomes, drops } = setup(2);
    for (let i = 0; i < 3; i++) rpc.request(BOB, { kind: 'ping' }, (o) => outcomes.push(o));
    expect(rpc.pendingCount).toBe(2);
    clock.advance(0);
    expect(outcomes).toEqual([{ ok: false, reason: 'overloaded' }]);
    expect(drops().overloaded).toBe(1);
  });

  it('stop() cancels pending requests without calling back', () => {
    const { clock, rpc, outcomes } = setup();
    rpc.request(BOB, { kind: 'ping' }, (o) => outcomes.push(o));
    rpc.stop();
    clock.advance(5000);
    expect(outcomes).toEqual([]);
    expect(rpc.pendingCount).toBe(0);
  });
});
