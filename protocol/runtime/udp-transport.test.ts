import { afterEach, describe, expect, it } from 'vitest';
import { parseUdpAddress, UdpTransport } from './udp-transport.ts';

const open: UdpTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function openMany(n: number): Promise<UdpTransport[]> {
  const ts = await Promise.all(Array.from({ length: n }, () => UdpTransport.open({ host: '127.0.0.1' })));
  open.push(...ts);
  return ts;
}

/** Resolves once `count` datagrams have arrived, or rejects after a generous bound (never a timing assertion). */
function collect(t: UdpTransport, count: number): Promise<Array<{ from: string; text: string }>> {
  const got: Array<{ from: string; text: string }> = [];
  return new Promise((resolve, reject) => {
    const bound = setTimeout(() => reject(new Error(`only ${got.length}/${count} datagrams arrived`)), 10_000);
    t.onReceive((from, bytes) => {
      got.push({ from, text: new TextDecoder().decode(bytes) });
      if (got.length === count) {
        clearTimeout(bound);
        resolve(got);
      }
    });
  });
}

describe('UdpTransport', () => {
  it('delivers datagrams between several sockets on 127.0.0.1 with the sender address', async () => {
    const [a, b, c] = await openMany(3);
    const atC = collect(c, 2);
    a.send(c.localAddress, new TextEncoder().encode('from a'));
    b.send(c.localAddress, new TextEncoder().encode('from b'));
    const got = (await atC).sort((x, y) => x.text.localeCompare(y.text));
    expect(got).toEqual([
      { from: a.localAddress, text: 'from a' },
      { from: b.localAddress, text: 'from b' },
    ]);
  });

  it('lets the receiver answer to the observed address (echo)', async () => {
    const [a, b] = await openMany(2);
    b.onReceive((from, bytes) => b.send(from, bytes));
    const echoed = collect(a, 1);
    a.send(b.localAddress, new Uint8Array([1, 2, 3]));
    expect((await echoed)[0].from).toBe(b.localAddress);
  });

  it('counts a send to an unparseable address instead of throwing', async () => {
    const [a] = await openMany(1);
    a.send('not-an-address', new Uint8Array(1));
    expect(a.stats.badAddress).toBe(1);
    expect(a.stats.sent).toBe(0);
  });

  it('close() is idempotent, and a send after close is counted instead of throwing', async () => {
    const [a] = await openMany(1);
    await Promise.all([a.close(), a.close()]);
    a.send('127.0.0.1:9', new Uint8Array(1));
    expect(a.stats.sendErrors).toBe(1);
    expect(a.stats.sent).toBe(0);
    await a.close();
  });

  it('survives a receive handler that throws', async () => {
    const [a, b] = await openMany(2);
    let calls = 0;
    const second = new Promise<void>((resolve) =>
      b.onReceive(() => {
        calls++;
        if (calls === 2) resolve();
        throw new Error('protocol bug');
      }),
    );
    a.send(b.localAddress, new Uint8Array(1));
    a.send(b.localAddress, new Uint8Array(1));
    await second;
    expect(b.stats.handlerErrors).toBeGreaterThanOrEqual(1);
  });

  // Issue 11: a datagram longer than the wire size never reaches the protocol and is counted with its reason
  // (before, it was handed on and vanished from the counters).
  it('drops and counts datagrams longer than maxDatagramBytes, passes the rest', async () => {
    const [a] = await openMany(1);
    const b = await UdpTransport.open({ host: '127.0.0.1', maxDatagramBytes: 100 });
    open.push(b);
    const atB = collect(b, 2);
    a.send(b.localAddress, new Uint8Array(100).fill(0x61));
    a.send(b.localAddress, new Uint8Array(101));
    a.send(b.localAddress, new Uint8Array(2000));
    a.send(b.localAddress, new TextEncoder().encode('ok'));
    const got = await atB;
    expect(got.map((g) => g.text.length)).toEqual([100, 2]);
    expect(b.stats.dropped).toEqual({ oversized: 2 });
    expect(b.stats.received).toBe(4);
  });
});

describe('parseUdpAddress', () => {
  it('parses IPv4 and bracketed IPv6 and rejects junk', () => {
    expect(parseUdpAddress('127.0.0.1:4000')).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(parseUdpAddress('[::1]:9')).toEqual({ host: '::1', port: 9 });
    for (const bad of ['', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', 'a b:1', '::1:5']) {
      expect(parseUdpAddress(bad)).toBeNull();
    }
  });
});
