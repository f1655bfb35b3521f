/**
 * The cookie round trip over real UDP on 127.0.0.1 (UdpTransport, WallClock, CryptoRng): Bob is "under load"
 * (a half-open handshake from a throw-away identity and handshakeLoadHalfOpen 1), so Alice's first msg1 gets a
 * cookie reply of the wire size and her msg1 with mac2 gets through. The 10 s bound is a failure timeout,
 * never a timing assertion.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nodeSuite } from '../crypto/node-suite.ts';
import { DEFAULT_WIRE_SIZE } from '../packet/constants.ts';
import { PayloadType } from '../packet/payload-type.ts';
import type { SessionMessage } from './session-manager.ts';
import { throwawayInits } from './testing/flood.ts';
import { UdpSessionNodes } from './testing/udp-nodes.ts';
import { bounded, until } from '../runtime/testing/udp-wait.ts';

const nodes = new UdpSessionNodes();
const start = () => nodes.start({ handshakeLoadHalfOpen: 1, handshakeTimeoutMs: 500 });
afterAll(() => nodes.closeAll());

describe('cookie reply over UDP (127.0.0.1)', () => {
  it("a loaded responder answers with a same-size cookie reply, and the initiator's mac2 init gets through", async () => {
    const [alice, bob, flooder] = await Promise.all([start(), start(), start()]);
    const bobPub = bob.publicKey;
    // One throw-away init leaves Bob with a half-open handshake: at handshakeLoadHalfOpen 1 he is loaded.
    const [junk] = throwawayInits(nodeSuite, bobPub, 1, { nowMs: bob.clock.now() });
    flooder.transport.send(bob.transport.localAddress, junk.packet);
    await until(() => bob.manager.stats().handshakesAccepted === 1);

    const got = new Promise<SessionMessage>((resolve) => bob.manager.onMessage(PayloadType.DATA, resolve));
    alice.manager.send({ address: bob.transport.localAddress, nodePub: bobPub }, PayloadType.DATA, new TextEncoder().encode('over udp'));
    const msg = await bounded(got);
    expect(new TextDecoder().decode(msg.body)).toBe('over udp');
    await until(() => alice.manager.stats().handshakesCompleted === 1); // Bob's ACK is on its way
    expect(bob.manager.stats()).toMatchObject({ cookieRepliesSent: 1, handshakesAccepted: 2 });
    expect(alice.manager.stats()).toMatchObject({ cookieRepliesReceived: 1, handshakesCompleted: 1 });
    // Every datagram Bob sent, the cookie reply included, had the wire size.
    expect(bob.manager.stats().bytesSent).toBe(bob.manager.stats().packetsSent * DEFAULT_WIRE_SIZE);
  });
});
