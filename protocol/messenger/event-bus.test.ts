import { describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import { PayloadType } from '../packet/payload-type.ts';
import { Loopback, ManualClock } from '../session/testing/loopback.ts';
import { makeNode, text, utf8 } from '../session/testing/nodes.ts';
import { EventBus, HandlerTable } from './event-bus.ts';

type Ev = { kind: 'a'; n: number } | { kind: 'b'; s: string };

describe('EventBus', () => {
  it('delivers each event to every listener of its kind, in order, and unsubscribes one without the others', () => {
    const bus = new EventBus<Ev>();
    const seen: string[] = [];
    const off1 = bus.on('a', (e) => seen.push(`1:${e.n}`));
    bus.on('a', (e) => seen.push(`2:${e.n}`));
    bus.on('b', (e) => seen.push(`b:${e.s}`));
    bus.emit({ kind: 'a', n: 1 });
    off1();
    bus.emit({ kind: 'a', n: 2 });
    bus.emit({ kind: 'b', s: 'x' });
    expect(seen).toEqual(['1:1', '2:1', '2:2', 'b:x']);
    expect(bus.count('a')).toBe(1);
  });

  it('lets a listener unsubscribe itself during delivery without skipping the next one', () => {
    const bus = new EventBus<Ev>();
    const seen: number[] = [];
    const off = bus.on('a', () => {
      seen.push(1);
      off();
    });
    bus.on('a', () => seen.push(2));
    bus.emit({ kind: 'a', n: 0 });
    bus.emit({ kind: 'a', n: 0 });
    expect(seen).toEqual([1, 2, 2]);
  });
});

describe('HandlerTable', () => {
  it('keeps handlers per type and unsubscribes exactly the one registered', () => {
    const t = new HandlerTable<() => void>();
    const h1 = () => {};
    const h2 = () => {};
    const off = t.add(1, h1);
    t.add(1, h2);
    expect(t.get(1)).toEqual([h1, h2]);
    off();
    off();
    expect(t.get(1)).toEqual([h2]);
    expect(t.has(2)).toBe(false);
  });
});

describe('SessionManager as a Messenger', () => {
  it('a second handler for a payload type does not replace the first (both see every message)', () => {
    const clock = new ManualClock();
    const net = new Loopback(clock);
    const alice = makeNode(net, 'alice', nodeSuite, {});
    const bob = makeNode(net, 'bob', nodeSuite, {});
    const extra: string[] = [];
    const off = bob.manager.onMessage(PayloadType.DATA, (m) => extra.push(text(m.body)));
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('one'));
    clock.advance(100);
    off();
    alice.manager.send(bob.peer(), PayloadType.DATA, utf8('two'));
    clock.advance(100);
    expect(bob.inbox.map((m) => text(m.body))).toEqual(['one', 'two']);
    expect(extra).toEqual(['one']);
  });

  it('tells every subscriber of a handshake timeout', () => {
    const clock = new ManualClock();
    const net = new Loopback(clock);
    const alice = makeNode(net, 'alice', nodeSuite, { handshakeTimeoutMs: 100, handshakeRetries: 1 });
    const seen: string[] = [];
    alice.manager.events.on('handshake-timeout', (e) => seen.push(`x${e.timeouts}${e.givingUp ? '!' : ''}`));
    alice.manager.onHandshakeTimeout((_, n) => seen.push(`y${n}`));
    alice.manager.send({ address: 'nobody', nodePub: alice.key.publicKey }, PayloadType.DATA, utf8('hi'));
    clock.advance(1000);
    expect(seen).toEqual(['x1', 'y1', 'x2!', 'y2']);
  });
});
