/** Handshake-flood tooling for tests and measurements: a suite that counts public-key work, throw-away inits. */
import { nodeSuite } from '../../crypto/node-suite.ts';
import type { CryptoSuite } from '../../crypto/suite.ts';
import { DEFAULT_PADDING_MODE, DEFAULT_WIRE_SIZE } from '../../packet/constants.ts';
import { PayloadType } from '../../packet/payload-type.ts';
import { SeededRng } from '../../runtime/seeded-rng.ts';
import type { SessionConfig } from '../constants.ts';
import { createInit, type HandshakeContext, type InitiatorHandshake } from '../handshake.ts';
import { Loopback, ManualClock } from './loopback.ts';
import { makeNode } from './nodes.ts';

export interface PublicKeyWork {
  ecdh: number;
  ecmqv: number;
}

/** `suite` with its ECDH and ECMQV calls counted in `work` (the responder's cost of an init). */
export function countingSuite(suite: CryptoSuite): { suite: CryptoSuite; work: PublicKeyWork } {
  const work: PublicKeyWork = { ecdh: 0, ecmqv: 0 };
  const counted: CryptoSuite = {
    ...suite,
    ecdh: (privateKey, peerPublicKey) => (work.ecdh++, suite.ecdh(privateKey, peerPublicKey)),
    ecmqv: (input) => (work.ecmqv++, suite.ecmqv(input)),
  };
  return { suite: counted, work };
}

/**
 * `count` valid inits to `targetPub`, each with a fresh ephemeral key and connId, from a small pool of
 * throw-away identities (the responder cannot tell them from real ones: every init opens, and each is a new
 * ephemeral key). What an attacker pays per init: one key generation and one ECDH.
 */
export function throwawayInits(
  suite: CryptoSuite,
  targetPub: Uint8Array,
  count: number,
  opts: { nowMs: number; seed?: string; identities?: number; cookie?: Uint8Array },
): InitiatorHandshake[] {
  const rng = new SeededRng(opts.seed ?? 'flood');
  const ctx: HandshakeContext = { suite, rng, wireSize: DEFAULT_WIRE_SIZE, paddingMode: DEFAULT_PADDING_MODE };
  const pool = Array.from({ length: opts.identities ?? 64 }, () => ({ key: suite.generateKeyPair(rng), headerKey: rng.bytes(32) }));
  return Array.from({ length: count }, (_, i) => {
    const { key, headerKey } = pool[i % pool.length];
    return createInit(ctx, { localConnId: rng.bytes(8), staticKey: key, peerStaticPub: targetPub, nowMs: opts.nowMs, headerKey, ...(opts.cookie && { cookie: opts.cookie }) });
  });
}

export interface FloodFigures {
  readonly inits: number;
  /** Responder's public-key operations during the run (all inits, the legitimate peer's included). */
  readonly responderEcmqv: number;
  readonly responderEcdh: number;
  readonly handshakesAccepted: number;
  readonly cookieRepliesSent: number;
  readonly refusedOverload: number;
  /** Virtual ms from the legitimate peer's send() to delivery at the responder; null: never delivered. */
  readonly legitDeliveredAfterMs: number | null;
  readonly legitRetransmits: number;
  /** Datagrams the responder sent to the flood's (spoofed) sources, and the largest of them in bytes. */
  readonly repliesToFlood: number;
  readonly largestReplyBytes: number;
}

/**
 * The scenario of handshake-flood.test.ts as a function, for figures: `inits` valid inits from throw-away
 * identities, each from its own spoofed address, spread evenly over `floodMs`; a legitimate peer (Alice)
 * sends one message to the responder at `legitAtMs`; the run lasts until `legitAtMs` + 5 s. Deterministic.
 * Figures: npx tsx -e "import('./protocol/session/testing/flood.ts').then((m) => console.log(m.measureFlood()))" (4,200 inits: about 5 s)
 */
export function measureFlood(opts: { inits?: number; floodMs?: number; legitAtMs?: number; config?: Partial<SessionConfig> } = {}): FloodFigures {
  const n = opts.inits ?? 4_200;
  const legitAtMs = opts.legitAtMs ?? 1_500;
  const clock = new ManualClock();
  const net = new Loopback(clock);
  const counted = countingSuite(nodeSuite);
  const bob = makeNode(net, 'bob', counted.suite, opts.config);
  const alice = makeNode(net, 'alice', nodeSuite, opts.config);
  const inits = throwawayInits(nodeSuite, bob.key.publicKey, n, { nowMs: 0 });
  const floodMs = opts.floodMs ?? 1_000;
  inits.forEach((hs, i) => clock.setTimer((i * floodMs) / n, () => net.inject({ from: `spoof-${i}`, to: 'bob', bytes: hs.packet })));
  let deliveredAtMs: number | null = null;
  bob.manager.onMessage(PayloadType.DATA, () => (deliveredAtMs ??= clock.now()));
  clock.setTimer(legitAtMs, () => alice.manager.send(bob.peer(), PayloadType.DATA, new Uint8Array([1])));
  clock.advance(legitAtMs + 5_000);
  const s = bob.manager.stats();
  const replies = net.sent.filter((d) => d.from === 'bob' && d.to.startsWith('spoof-'));
  return {
    inits: n,
    responderEcmqv: counted.work.ecmqv,
    responderEcdh: counted.work.ecdh,
    handshakesAccepted: s.handshakesAccepted,
    cookieRepliesSent: s.cookieRepliesSent,
    refusedOverload: s.dropped['handshake-overload'] ?? 0,
    legitDeliveredAfterMs: deliveredAtMs === null ? null : deliveredAtMs - legitAtMs,
    legitRetransmits: alice.manager.stats().handshakeRetransmits,
    repliesToFlood: replies.length,
    largestReplyBytes: Math.max(0, ...replies.map((d) => d.bytes.length)),
  };
}
