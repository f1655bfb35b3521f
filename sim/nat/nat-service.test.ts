/** NatService failure paths, bounds and the session layer's handshake-timeout hook, in simulated time. */
import { describe, expect, it } from 'vitest';
import type { ConnectResult } from '../../protocol/nat/nat-service.ts';
import { PayloadType } from '../../protocol/packet/payload-type.ts';
import { NatTestbed } from './nat-testbed.ts';

const outcome = (r: ConnectResult) => (r.ok ? r.path : r.reason);

describe('NatService', () => {
  it('SessionManager.onHandshakeTimeout reports every msg1 timeout, givingUp on the last', () => {
    const tb = new NatTestbed({ seed: 'hook', session: { handshakeRetries: 2 } });
    const a = tb.addRaw('a');
    const b = tb.addRaw('b', 'restricted');
    const seen: [string, number, boolean][] = [];
    a.sessions.onHandshakeTimeout((peer, timeouts, givingUp) => seen.push([peer.address, timeouts, givingUp]));
    a.sessions.send(b.peer, PayloadType.DATA, new Uint8Array(1));
    tb.runFor(10_000);
    expect(seen).toEqual([
      ['b', 1, false],
      ['b', 2, false],
      ['b', 3, true],
    ]);
    expect(a.sessions.stats().sendDropped).toEqual({ 'handshake-failed': 1 });
  });

  it('reports typed failures: bad key, unreachable without rendezvous, refused and silent rendezvous', () => {
    const tb = new NatTestbed({ seed: 'failures' });
    const r = tb.add('r');
    const a = tb.add('a', 'restricted');
    const b = tb.add('b', 'restricted');
    const bad = new Uint8Array(33).fill(0xff);
    bad[0] = 2;
    const results: string[] = [];
    let sync = true;
    a.nat.connect({ address: 'b', nodePub: bad }, { via: r.peer }, (x) => results.push(`${outcome(x)}${sync ? ' (sync!)' : ''}`));
    sync = false;
    tb.runFor(10);
    expect(results).toEqual(['bad-peer-key']);
    expect(outcome(tb.await<ConnectResult>((cb) => a.nat.connect(b.peer, {}, cb)))).toBe('unreachable');
    // B never registered with R and R has no other way to find it.
    const refused = tb.await<ConnectResult>((cb) => a.nat.connect(b.peer, { via: r.peer, direct: false }, cb));
    expect(refused).toMatchObject({ ok: false, reason: 'rendezvous-refused', detail: 'unknown-target' });
    tb.net.setUp('r', false);
    expect(outcome(tb.await<ConnectResult>((cb) => a.nat.connect(b.peer, { via: r.peer, direct: false }, cb)))).toBe('rendezvous-timeout');
    const s = a.nat.stats();
    expect(s.failures).toEqual({ 'bad-peer-key': 1, unreachable: 1, 'rendezvous-refused': 1, 'rendezvous-timeout': 1 });
    expect(s.connects).toBe(4);
    expect(r.nat.stats().refusalsSent).toBe(1);
  });

  // Guards introducerCopy (issue 14: contacts of one NODES reply share one copy of their introducer): each entry
  // must still answer its own introducer, a copy never the caller's arrays, and the same key at another address
  // (or another key) must not be taken for the previous introducer.
  it('noteIntroducer keeps a copy of each contact\'s own introducer', () => {
    const tb = new NatTestbed({ seed: 'introducers' });
    const a = tb.add('a');
    const [x, y, c1, c2, c3, c4] = ['x', 'y', 'c1', 'c2', 'c3', 'c4'].map((n) => tb.addRaw(n).peer);
    const fromX = { address: x.address, nodePub: x.nodePub.slice() };
    a.nat.noteIntroducer(c1.nodePub, fromX);
    a.nat.noteIntroducer(c2.nodePub, { address: x.address, nodePub: x.nodePub.slice() });
    a.nat.noteIntroducer(c3.nodePub, { address: 'x2', nodePub: x.nodePub.slice() });
    a.nat.noteIntroducer(c4.nodePub, y);
    fromX.nodePub.fill(0);
    // An entry is a KeyedPeer (its nodePub read out of its key): compared by what it reads back.
    const introducer = (contactPub: Uint8Array) => {
      const p = a.nat.introducerOf(contactPub);
      return p && { address: p.address, nodePub: p.nodePub };
    };
    expect(introducer(c1.nodePub)).toEqual(x);
    expect(introducer(c2.nodePub)).toEqual(x);
    expect(a.nat.introducerOf(c2.nodePub)).toBe(a.nat.introducerOf(c1.nodePub)); // one copy for one introducer
    expect(introducer(c3.nodePub)).toEqual({ address: 'x2', nodePub: x.nodePub });
    expect(introducer(c4.nodePub)).toEqual(y);
    expect(a.nat.introducerOf(c4.nodePub)?.nodePub).not.toBe(y.nodePub);
    a.nat.introducerOf(c4.nodePub)!.nodePub.fill(0); // a reader's copy: the entry keeps its own bytes
    expect(introducer(c4.nodePub)).toEqual(y);
  });

  it('bounds concurrent connects; stop() ends them without callbacks and leaves no timer behind', () => {
    const tb = new NatTestbed({ seed: 'bounds', nat: { maxConnects: 2 } });
    const a = tb.add('a');
    const b = tb.add('b', 'restricted');
    const results: string[] = [];
    for (let i = 0; i < 3; i++) a.nat.connect(b.peer, {}, (x) => results.push(outcome(x)));
    tb.runFor(10);
    expect(results).toEqual(['overloaded']);
    a.nat.stop();
    a.sessions.close();
    b.nat.stop();
    b.sessions.close();
    tb.sim.runUntilIdle();
    expect(results).toEqual(['overloaded']);
    const s = a.nat.stats();
    expect(s.failures).toEqual({ overloaded: 1, stopped: 2 });
    expect(s.connectsActive).toBe(0);
  });

  it('still punches on a lossy network (10% loss), for several seeds', () => {
    for (const seed of [1, 2, 3, 4]) {
      const tb = new NatTestbed({ seed: `lossy/${seed}`, network: { lossRate: 0.1 } });
      const r = tb.add('r');
      const a = tb.add('a', 'restricted');
      const b = tb.add('b', 'symmetric');
      const aReg = tb.await<{ ok: boolean }>((cb) => a.nat.register(r.peer, cb));
      const bReg = tb.await<{ ok: boolean; observedAddress?: string }>((cb) => b.nat.register(r.peer, cb));
      expect([aReg.ok, bReg.ok]).toEqual([true, true]);
      const res = tb.await<ConnectResult>((cb) => b.nat.connect(a.peer, { via: r.peer }, cb));
      // B symmetric -> A restricted cannot be punched; the other way round neither: relayed either way.
      expect(outcome(res)).toBe('relayed');
      const c = tb.add('c', 'fullCone');
      expect(tb.await<{ ok: boolean }>((cb) => c.nat.register(r.peer, cb)).ok).toBe(true);
      const punched = tb.await<ConnectResult>((cb) => c.nat.connect({ address: bReg.observedAddress!, nodePub: b.identity.publicKey }, { via: r.peer }, cb));
      expect({ seed, outcome: outcome(punched) }).toEqual({ seed, outcome: 'punched' });
    }
  });
});
