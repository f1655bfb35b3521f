/**
 * Packet and session benchmark, per CryptoSuite back end (~1 s per figure):
 * - sealPerS / openPerS: one 1232-byte data packet (inner codec + random padding + AES-256-GCM), as
 *   SessionManager seals and opens them (padding drawn from a SeededRng, as in the simulator).
 * - handshakesPerS: complete session handshakes (msg1, msg2, msg3 + first message, ack) between two fresh
 *   SessionManagers over the in-memory loopback: ECMQV, key confirmation, all packet work on both sides.
 * - sessionMessagesPerS: one message sent and delivered through an established session (both managers).
 * Run alone with `npx tsx bench/packet.ts`; bench/main.ts calls run().
 */
import { pathToFileURL } from 'node:url';
import { opsPerSecond as measure } from './ops-per-second.ts';
import { nobleSuite } from '../protocol/crypto/noble-suite.ts';
import { nodeSuite } from '../protocol/crypto/node-suite.ts';
import type { CryptoSuite, KeyPair } from '../protocol/crypto/suite.ts';
import { DEFAULT_WIRE_SIZE } from '../protocol/packet/constants.ts';
import { DIRECTION_LABEL, openDataFrame, sealDataFrame } from '../protocol/packet/data-packet.ts';
import { maxBodyBytes } from '../protocol/packet/inner-codec.ts';
import { PayloadType } from '../protocol/packet/payload-type.ts';
import { SeededRng } from '../protocol/runtime/seeded-rng.ts';
import { SessionManager } from '../protocol/session/session-manager.ts';
import { Loopback, ManualClock } from '../protocol/session/testing/loopback.ts';

const TARGET_MS = 1_000;
const opsPerSecond = (fn: (i: number) => void) => measure(fn, TARGET_MS);


interface Pair {
  readonly clock: ManualClock;
  readonly alice: SessionManager;
  readonly bob: SessionManager;
  readonly bobPeer: { address: string; nodePub: Uint8Array };
  delivered: number;
}

function makePair(suite: CryptoSuite, aliceKey: KeyPair, bobKey: KeyPair, seed: number): Pair {
  const clock = new ManualClock();
  const net = new Loopback(clock, 1);
  const rng = new SeededRng(`bench/packet/${seed}`);
  const alice = new SessionManager({ transport: net.transport('a'), clock, rng: rng.fork('a'), suite, identity: () => aliceKey });
  const bob = new SessionManager({ transport: net.transport('b'), clock, rng: rng.fork('b'), suite, identity: () => bobKey });
  const pair: Pair = { clock, alice, bob, bobPeer: { address: 'b', nodePub: bobKey.publicKey }, delivered: 0 };
  bob.onMessage(PayloadType.DATA, () => pair.delivered++);
  return pair;
}

function benchSuite(suite: CryptoSuite): Record<string, number> {
  const rng = new SeededRng(`bench/packet/${suite.name}`);
  const key = rng.bytes(32);
  const connId = rng.bytes(8);
  const label = DIRECTION_LABEL.initiatorToResponder;
  const options = { wireSize: DEFAULT_WIRE_SIZE, paddingMode: 'fixed', rng } as const;
  const frame = { type: PayloadType.DATA, body: rng.bytes(200) };
  const packet = sealDataFrame(suite, key, label, { connId, seq: 0 }, frame, options);
  const aliceKey = suite.generateKeyPair(rng);
  const bobKey = suite.generateKeyPair(rng);
  const body = rng.bytes(maxBodyBytes(DEFAULT_WIRE_SIZE));

  const sealPerS = opsPerSecond((i) => sealDataFrame(suite, key, label, { connId, seq: i }, frame, options));
  const openPerS = opsPerSecond(() => {
    if (!openDataFrame(suite, key, label, packet, options).ok) throw new Error('bench: open failed');
  });
  const handshakesPerS = opsPerSecond((i) => {
    const pair = makePair(suite, aliceKey, bobKey, i);
    pair.alice.send(pair.bobPeer, PayloadType.DATA, frame.body);
    pair.clock.advance(10);
    if (pair.delivered !== 1 || pair.alice.stats().handshakesCompleted !== 1) throw new Error('bench: handshake failed');
  });
  const established = makePair(suite, aliceKey, bobKey, -1);
  established.alice.send(established.bobPeer, PayloadType.DATA, body);
  established.clock.advance(10);
  const sessionMessagesPerS = opsPerSecond(() => {
    established.alice.send(established.bobPeer, PayloadType.DATA, body);
    established.clock.advance(1);
  });
  if (established.bob.stats().messagesDelivered !== established.alice.stats().messagesSent) throw new Error('bench: messages lost');
  return { sealPerS, openPerS, handshakesPerS, sessionMessagesPerS };
}

export async function run(): Promise<Record<string, unknown>> {
  const noble = benchSuite(nobleSuite);
  const node = benchSuite(nodeSuite);
  const speedup = Object.fromEntries(Object.keys(noble).map((k) => [k, Math.round((node[k] / noble[k]) * 10) / 10]));
  return { targetMsPerFigure: TARGET_MS, wireSize: DEFAULT_WIRE_SIZE, noble, node, nodeOverNobleSpeedup: speedup };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await run(), null, 2));
}
