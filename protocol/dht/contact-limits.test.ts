import { describe, expect, it } from 'vitest';
import { hostOf } from './address-host.ts';
import { capPerHost, FirstContactGate } from './contact-limits.ts';
import { FakeClock } from './testing/fake-clock.ts';
import type { Contact, PeerRef } from './types.ts';

const peer = (address: string, b = 1): PeerRef => ({ address, nodePub: new Uint8Array(33).fill(b) });

describe('hostOf', () => {
  it('keeps every loopback port its own host: only this machine answers there, and test networks share it', () => {
    expect(['127.0.0.1:7000', '127.0.0.1:7001', '[::1]:7000', 'localhost:9', '127.1.2.3:1'].map(hostOf)).toEqual([
      '127.0.0.1:7000',
      '127.0.0.1:7001',
      '[::1]:7000',
      'localhost:9',
      '127.1.2.3:1',
    ]);
  });

  it('strips the port of IPv4, bracketed IPv6 and simulator mapping addresses, and keeps bare hosts', () => {
    expect(['1.2.3.4:5000', '[2001:db8::1]:7000', '2001:db8::1', 'n42', 'n42:3', '[::1'].map(hostOf)).toEqual([
      '1.2.3.4',
      '2001:db8::1',
      '2001:db8::1',
      'n42',
      'n42',
      '[::1',
    ]);
  });
});


describe('capPerHost', () => {
  it('keeps the first `cap` contacts of each host in reply order and counts the rest', () => {
    const contacts = [peer('v:1', 1), peer('w:1', 2), peer('v:2', 3), peer('v:3', 4), peer('v', 5), peer('w:2', 6)];
    const { kept, dropped } = capPerHost(contacts, 2);
    expect(kept.map((c) => c.address)).toEqual(['v:1', 'w:1', 'v:2', 'w:2']);
    expect(dropped).toBe(2);
  });
});

describe('FirstContactGate', () => {
  const stranger = (address: string, b: number) => ({ ...peer(address, b), key: new Uint8Array(32).fill(b) });
  const known: Contact = { ...peer('h:1', 9), key: new Uint8Array(32).fill(9), lastSeenMs: 0 };
  const table = { get: (key: Uint8Array) => (key[0] === 9 ? known : undefined) };
  const init = { burst: 1, refillMs: 1_000, maxHosts: 16, inflightMs: 4_000, heardTtlMs: 600_000, maxPeers: 16 };

  it('lets contacts held in the table at that address pass free and rate-limits the rest per host', () => {
    const gate = new FirstContactGate({ clock: new FakeClock(), table }, init);
    expect([gate.allow(known), gate.allow(known), gate.allow(known)]).toEqual([true, true, true]);
    // The table's key at another address is a first contact there: a liar cannot borrow a known NodeID.
    expect(gate.allow({ ...known, address: 'h:2' })).toBe(true);
    expect(gate.allow(stranger('h:3', 3))).toBe(false);
    expect(gate.allow(stranger('other', 4))).toBe(true);
  });

  it('charges one token per handshake, not per request: a peer just contacted or heard from passes free', () => {
    const clock = new FakeClock();
    const gate = new FirstContactGate({ clock, table }, init);
    const a = stranger('v:1', 1);
    expect([gate.allow(a), gate.allow(a)]).toEqual([true, true]); // the second request rides on the first's handshake
    expect(gate.allow(stranger('v:2', 2))).toBe(false);
    clock.advance(4_000); // a's handshake window is over and it never answered: knocking again costs a token
    expect([gate.allow(a), gate.allow(a)]).toEqual([true, true]);
    clock.advance(4_000);
    gate.heard(a); // it answered: it exists there, and has a session with us
    clock.advance(500_000);
    expect(gate.allow(a)).toBe(true);
    expect(gate.allow(stranger('v:3', 3))).toBe(true);
    expect(gate.allow(stranger('v:4', 4))).toBe(false);
  });
});
