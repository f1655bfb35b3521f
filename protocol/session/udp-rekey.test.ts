/**
 * In-session rekeys over real UDP on 127.0.0.1 (UdpTransport, WallClock, CryptoRng): the same SessionManager code
 * the simulator runs renews its keys inside the session, with no second handshake, and every message arrives.
 * Rekeys come by packet count here (rekeyAfterPackets) so the test needs no minutes of wall time; the 10 s bound is
 * a failure timeout, never a timing assertion.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PayloadType } from '../packet/payload-type.ts';
import { UdpSessionNodes } from './testing/udp-nodes.ts';
import { until } from '../runtime/testing/udp-wait.ts';

// A rekey every 20 packets, allowed on sessions 20 ms old: several rekeys within a second of traffic.
const nodes = new UdpSessionNodes();
const start = () => nodes.start({ rekeyAfterPackets: 20, minRekeyIntervalMs: 20, handshakeTimeoutMs: 500 });
afterAll(() => nodes.closeAll());

describe('in-session rekey over UDP (127.0.0.1)', () => {
  it('renews the keys inside the session several times: one handshake in all, every message delivered once', async () => {
    const [alice, bob] = await Promise.all([start(), start()]);
    const got: string[] = [];
    bob.manager.onMessage(PayloadType.DATA, (m) => got.push(new TextDecoder().decode(m.body)));
    const bobPeer = { address: bob.transport.localAddress, nodePub: bob.publicKey };
    const sent: string[] = [];
    for (let i = 0; i < 100; i++) {
      sent.push(`m${i}`);
      alice.manager.send(bobPeer, PayloadType.DATA, new TextEncoder().encode(`m${i}`));
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    const settled = () => {
      const [a, b] = [alice.manager.stats(), bob.manager.stats()];
      return a.rekeysCompleted >= 2 && a.rekeysOffered === a.rekeysCompleted && b.rekeysCompleted === a.rekeysCompleted;
    };
    await until(() => got.length === sent.length && settled());
    expect(got).toEqual(sent);
    const a = alice.manager.stats();
    expect(a).toMatchObject({ handshakesStarted: 1, rekeysFailed: 0, dropped: {} });
    expect(a.rekeysOffered).toBe(a.rekeysCompleted);
    expect(bob.manager.stats()).toMatchObject({ handshakesAccepted: 1, rekeysAnswered: a.rekeysOffered, dropped: {} });
  });
});
