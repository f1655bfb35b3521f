/**
 * One-shot queries over real UDP on 127.0.0.1 (UdpTransport, WallClock, CryptoRng): the SessionManager code the
 * simulator runs answers DHT requests without a session, two datagrams per request, and the asker is told who
 * answered. The 10 s bound is a failure timeout, never a timing assertion.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PayloadType } from '../packet/payload-type.ts';
import { until } from '../runtime/testing/udp-wait.ts';
import { UdpSessionNodes } from './testing/udp-nodes.ts';

const nodes = new UdpSessionNodes();
afterAll(() => nodes.closeAll());

describe('one-shot queries over UDP (127.0.0.1)', () => {
  it('twenty requests to twenty fresh responders: every one answered, no handshake, no session', async () => {
    const config = { oneShotTypes: [PayloadType.DHT] };
    const alice = await nodes.start(config);
    const responders = await Promise.all(Array.from({ length: 20 }, () => nodes.start(config)));
    for (const r of responders) r.manager.onMessage(PayloadType.DHT, (m) => r.manager.send(m.from, PayloadType.DHT, m.body));
    const answered = new Set<string>();
    alice.manager.onMessage(PayloadType.DHT, (m) => answered.add(`${m.from.address} ${new TextDecoder().decode(m.body)}`));
    responders.forEach((r, i) => alice.manager.send({ address: r.transport.localAddress, nodePub: r.publicKey }, PayloadType.DHT, new TextEncoder().encode(`q${i}`)));
    await until(() => answered.size === responders.length);
    expect([...answered].sort()).toEqual(responders.map((r, i) => `${r.transport.localAddress} q${i}`).sort());
    expect(alice.manager.stats()).toMatchObject({ oneShotsSent: 20, oneShotRepliesReceived: 20, handshakesStarted: 0, sessionsOpen: 0, dropped: {} });
    for (const r of responders) expect(r.manager.stats()).toMatchObject({ oneShotsAccepted: 1, oneShotRepliesSent: 1, handshakesAccepted: 0, dropped: {} });
  });
});
