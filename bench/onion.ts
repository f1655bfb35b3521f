/**
 * Onion benchmark: per-hop handshake cost (ntor on P-256, the design, next to the rejected alternative
 * "ECMQV with a throw-away initiator static key"), CPU cost of building a 3-hop circuit in-process, and the
 * per-hop cost of one onion layer on a 1197-byte cell next to the AES-GCM seal+open of a 1232-byte datagram
 * measured in the same run. Run alone with `npx tsx bench/onion.ts` (JSON on stdout); bench/main.ts calls run().
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { opsPerSecond as measure } from './ops-per-second.ts';
import { agreeSessionKeys, confirmationTag, transcriptFor, verifyConfirmationTag } from '../protocol/crypto/ecmqv.ts';
import { nobleSuite } from '../protocol/crypto/noble-suite.ts';
import { nodeSuite } from '../protocol/crypto/node-suite.ts';
import type { CryptoSuite, KeyPair } from '../protocol/crypto/suite.ts';
import { SeededRng } from '../protocol/runtime/seeded-rng.ts';
import { CELL_BYTES, CellCmd, LAYERED_BYTES } from '../protocol/onion/constants.ts';
import { addBackward, originateBackward, peelForward, unwrapBackward, wrapForward } from '../protocol/onion/layers.ts';
import { ntorFinish, ntorRespond, type HopKeys } from '../protocol/onion/ntor.ts';
import { OnionNet } from '../protocol/onion/testing/onion-net.ts';

const TARGET_MS = 500;
const opsPerSecond = (fn: (i: number) => void) => measure(fn, TARGET_MS);
const PACKET_BYTES = 1232;
const ROUNDS = 5;
const usPer = (opsPerS: number) => Math.round((1e6 / opsPerS) * 10) / 10;

/** ntor, both sides: client X; relay y, Y, two ECDH, HKDF, auth; client two ECDH, HKDF, auth check. */
function ntorHandshake(suite: CryptoSuite, rng: SeededRng, relay: KeyPair): { client: () => void; relay: () => void; both: () => void } {
  const x = suite.generateKeyPair(rng);
  const answer = ntorRespond(suite, relay, suite.generateKeyPair(rng), x.publicKey);
  return {
    relay: () => ntorRespond(suite, relay, suite.generateKeyPair(rng), x.publicKey),
    client: () => {
      const fresh = suite.generateKeyPair(rng);
      if (!ntorFinish(suite, x, relay.publicKey, answer.Y, answer.auth)) throw new Error('bench: ntor auth failed');
      void fresh;
    },
    both: () => {
      const xx = suite.generateKeyPair(rng);
      const r = ntorRespond(suite, relay, suite.generateKeyPair(rng), xx.publicKey);
      if (!ntorFinish(suite, xx, relay.publicKey, r.Y, r.auth)) throw new Error('bench: ntor auth failed');
    },
  };
}

/**
 * The alternative: the session layer's ECMQV with the client's static key a throw-away pair (it must not be
 * the client's NodeID, or every relay would learn who builds the circuit). Client: two fresh pairs, MQV, HKDF,
 * checks the relay's confirmation tag; relay: one fresh pair, MQV, HKDF, tag. One round trip too.
 */
function ecmqvThrowaway(suite: CryptoSuite, rng: SeededRng, relay: KeyPair): void {
  const u = suite.generateKeyPair(rng);
  const ue = suite.generateKeyPair(rng);
  const ve = suite.generateKeyPair(rng);
  const vIn = { ownStatic: relay, ownEphemeral: ve, peerStaticPub: u.publicKey, peerEphemeralPub: ue.publicKey };
  const kv = agreeSessionKeys(suite, 'responder', vIn);
  const tv = transcriptFor('responder', vIn);
  const tag = confirmationTag(suite, 'responder', kv, tv);
  const uIn = { ownStatic: u, ownEphemeral: ue, peerStaticPub: relay.publicKey, peerEphemeralPub: ve.publicKey };
  const ku = agreeSessionKeys(suite, 'initiator', uIn);
  if (!verifyConfirmationTag(suite, 'responder', ku, transcriptFor('initiator', uIn), tag)) throw new Error('bench: ECMQV tag failed');
}

function handshakes(suite: CryptoSuite): Record<string, number> {
  const rng = new SeededRng(`bench/onion/${suite.name}`);
  const relay = suite.generateKeyPair(rng);
  const ntor = ntorHandshake(suite, rng, relay);
  // Interleaved rounds, best of each: on a shared, loaded machine a slow patch then hits both alike.
  let ntorBoth = 0;
  let mqv = 0;
  for (let round = 0; round < ROUNDS; round++) {
    ntorBoth = Math.max(ntorBoth, measure(ntor.both, TARGET_MS / 2));
    mqv = Math.max(mqv, measure(() => ecmqvThrowaway(suite, rng, relay), TARGET_MS / 2));
  }
  return {
    ntorHandshakeUs: usPer(ntorBoth),
    ntorRelaySideUs: usPer(opsPerSecond(ntor.relay)),
    ntorClientSideUs: usPer(opsPerSecond(ntor.client)),
    ecmqvThrowawayHandshakeUs: usPer(mqv),
    ecmqvOverNtor: Math.round((ntorBoth / mqv) * 100) / 100,
  };
}

function layers(suite: CryptoSuite): Record<string, number> {
  const rng = new SeededRng(`bench/onion/layers/${suite.name}`);
  const hops: HopKeys[] = Array.from({ length: 3 }, () => ({ kf: rng.bytes(32), kb: rng.bytes(32), nf: rng.bytes(32), nb: rng.bytes(32), mf: rng.bytes(32), mb: rng.bytes(32) }));
  const body = rng.bytes(512);
  const forward = wrapForward(suite, rng, hops, 2, 0x20, body);
  const backward = addBackward(suite, hops[1], addBackward(suite, hops[0], originateBackward(suite, rng, hops[2], 0x20, body)));
  const key = rng.bytes(32);
  const nonce = rng.bytes(12);
  const packet = rng.bytes(PACKET_BYTES);
  const sealed = suite.aeadSeal(key, nonce, packet);
  // Batched: 100 layers per call, so the per-call timer overhead is negligible.
  const BATCH = 100;
  const batch = (fn: () => void) => () => {
    for (let i = 0; i < BATCH; i++) fn();
  };
  const per = (opsPerS: number) => Math.round((1e6 / (opsPerS * BATCH)) * 100) / 100;
  return {
    relayPeelForwardLayerUs: per(opsPerSecond(batch(() => peelForward(suite, hops[0], forward)))),
    relayAddBackwardLayerUs: per(opsPerSecond(batch(() => addBackward(suite, hops[0], backward)))),
    lastHopOriginateBackwardUs: per(opsPerSecond(batch(() => originateBackward(suite, rng, hops[2], 0x20, body)))),
    originWrap3HopsUs: per(opsPerSecond(batch(() => wrapForward(suite, rng, hops, 2, 0x20, body)))),
    originUnwrap3HopsUs: per(opsPerSecond(batch(() => unwrapBackward(suite, hops, backward)))),
    aesCtrLayerOnlyUs: per(opsPerSecond(batch(() => suite.aesCtr(hops[0].kf, forward.nonce, forward.layered)))),
    aeadSealPlusOpen1232Us: per(opsPerSecond(batch(() => suite.aeadOpen(key, nonce, suite.aeadSeal(key, nonce, packet))))),
    aeadOpen1232Us: per(opsPerSecond(batch(() => suite.aeadOpen(key, nonce, sealed)))),
  };
}

/** Whole 3-hop builds through OnionServices on the in-test network (all four nodes in this process). */
function circuitBuilds(suite: CryptoSuite): Record<string, number> {
  const net = new OnionNet(`bench/${suite.name}`, 1);
  const [o, a, b, c] = ['origin', 'r1', 'r2', 'r3'].map((n) => net.add(n, { createRatePerS: 1e9, createBurst: 1e9 }, suite));
  const path = [a, b, c].map((n) => n.peer);
  let built = 0;
  const once = () => {
    o.onion.buildCircuit(path, (r) => {
      if (!r.ok) throw new Error(`bench: build failed ${r.reason}`);
      built++;
      r.circuit.close();
    });
    net.clock.runUntilIdle(60_000);
  };
  const perS = opsPerSecond(once);
  // Link messages per build, DESTROYs (the close) left out: CREATE/CREATED per hop plus the relayed EXTEND/EXTENDED.
  const cells = net.log.filter((m) => m.body[4] !== CellCmd.DESTROY).length;
  return { build3HopsMs: Math.round((1000 / perS) * 100) / 100, builds: built, linkCellsPerBuild: cells / built };
}

export async function run(): Promise<Record<string, unknown>> {
  const loadBefore = os.loadavg();
  const result = {
    targetMsPerFigure: TARGET_MS,
    cellBytes: CELL_BYTES,
    layeredBytes: LAYERED_BYTES,
    packetBytes: PACKET_BYTES,
    handshake: { node: handshakes(nodeSuite), noble: handshakes(nobleSuite) },
    layer: { node: layers(nodeSuite), noble: layers(nobleSuite) },
    circuitBuild: { node: circuitBuilds(nodeSuite), noble: circuitBuilds(nobleSuite) },
    machine: { cores: os.cpus().length, loadavgBefore: loadBefore.map((l) => Math.round(l * 100) / 100), loadavgAfter: os.loadavg().map((l) => Math.round(l * 100) / 100) },
  };
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await run(), null, 2));
}
