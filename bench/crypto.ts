/**
 * Crypto back-end benchmark: operations per second for each CryptoSuite (noble, node), ~0.5 s per figure.
 * Run alone with `npx tsx bench/crypto.ts`; bench/main.ts calls run().
 */
import { pathToFileURL } from 'node:url';
import { opsPerSecond as measure } from './ops-per-second.ts';
import { SeededRng } from '../protocol/runtime/seeded-rng.ts';
import { eciesOpen, eciesSeal } from '../protocol/crypto/ecies.ts';
import { bytesToBigInt } from '../protocol/crypto/bytes.ts';
import {
  elligatorSquaredDecode,
  elligatorSquaredEncode,
  elligatorSquaredEncodeReference,
  sumOfMapsReference,
} from '../protocol/crypto/elligator-squared.ts';
import { agreeSessionKeys, confirmationTag, transcriptFor, verifyConfirmationTag } from '../protocol/crypto/ecmqv.ts';
import { nobleSuite } from '../protocol/crypto/noble-suite.ts';
import { nodeSuite } from '../protocol/crypto/node-suite.ts';
import type { CryptoSuite, KeyPair } from '../protocol/crypto/suite.ts';

const TARGET_MS = 500;
const opsPerSecond = (fn: (i: number) => void) => measure(fn, TARGET_MS);
const PACKET_BYTES = 1232; // one paratox datagram
const ECIES_BYTES = 1024;


function handshake(suite: CryptoSuite, rng: SeededRng, u: KeyPair, v: KeyPair): void {
  // Both sides: fresh ephemeral, Z, HKDF, then each side makes its tag and checks the other's.
  const ue = suite.generateKeyPair(rng);
  const ve = suite.generateKeyPair(rng);
  const uIn = { ownStatic: u, ownEphemeral: ue, peerStaticPub: v.publicKey, peerEphemeralPub: ve.publicKey };
  const vIn = { ownStatic: v, ownEphemeral: ve, peerStaticPub: u.publicKey, peerEphemeralPub: ue.publicKey };
  const ku = agreeSessionKeys(suite, 'initiator', uIn);
  const kv = agreeSessionKeys(suite, 'responder', vIn);
  const tu = transcriptFor('initiator', uIn);
  const tv = transcriptFor('responder', vIn);
  const tagU = confirmationTag(suite, 'initiator', ku, tu);
  const tagV = confirmationTag(suite, 'responder', kv, tv);
  if (!verifyConfirmationTag(suite, 'initiator', kv, tv, tagU) || !verifyConfirmationTag(suite, 'responder', ku, tu, tagV)) {
    throw new Error('bench: handshake key confirmation failed');
  }
}

interface Signed {
  pub: Uint8Array;
  sig: Uint8Array;
}

/** 600 distinct signers: more than node-suite's 512-entry key-import cache, so every verify imports its key. */
function makeSigners(message: Uint8Array): Signed[] {
  const rng = new SeededRng('bench/signers');
  return Array.from({ length: 600 }, () => {
    const kp = nodeSuite.generateKeyPair(rng);
    return { pub: kp.publicKey, sig: nodeSuite.sign(kp.privateKey, message) };
  });
}

function benchSuite(suite: CryptoSuite, message: Uint8Array, signers: readonly Signed[]): Record<string, number> {
  const rng = new SeededRng(`bench/${suite.name}`);
  const u = suite.generateKeyPair(rng);
  const v = suite.generateKeyPair(rng);
  const ue = suite.generateKeyPair(rng);
  const ve = suite.generateKeyPair(rng);
  const mqvInput = { ownStatic: u, ownEphemeral: ue, peerStaticPub: v.publicKey, peerEphemeralPub: ve.publicKey };
  const eciesPlain = rng.bytes(ECIES_BYTES);
  const sealedEcies = eciesSeal(suite, rng, v.publicKey, eciesPlain);
  const key = rng.bytes(32);
  const nonce = rng.bytes(12);
  const packet = rng.bytes(PACKET_BYTES);
  const sealedPacket = suite.aeadSeal(key, nonce, packet);
  const signature = suite.sign(u.privateKey, message);

  return {
    ecdhPerS: opsPerSecond(() => suite.ecdh(u.privateKey, v.publicKey)),
    ecmqvZPerS: opsPerSecond(() => suite.ecmqv(mqvInput)),
    handshakePerS: opsPerSecond(() => handshake(suite, rng, u, v)),
    generateKeyPairPerS: opsPerSecond(() => suite.generateKeyPair(rng)),
    eciesSeal1KbPerS: opsPerSecond(() => eciesSeal(suite, rng, v.publicKey, eciesPlain)),
    eciesOpen1KbPerS: opsPerSecond(() => eciesOpen(suite, v.privateKey, sealedEcies)),
    aeadSealPacketPerS: opsPerSecond(() => suite.aeadSeal(key, nonce, packet)),
    aeadOpenPacketPerS: opsPerSecond(() => suite.aeadOpen(key, nonce, sealedPacket)),
    signPerS: opsPerSecond(() => suite.sign(u.privateKey, message)),
    verifySameKeyPerS: opsPerSecond(() => suite.verify(u.publicKey, message, signature)),
    verifyDistinctKeysPerS: opsPerSecond((i) => {
      const s = signers[i % signers.length];
      suite.verify(s.pub, message, s.sig);
    }),
  };
}

/**
 * Elligator Squared (protocol/crypto/elligator-squared.ts): pure BigInt arithmetic, the same under both suites.
 * The reference figures are the straightforward paths kept as test oracles (@noble map, points and square
 * roots), so the speed-up of the fast paths stays visible.
 */
function benchElligator(): Record<string, number> {
  const rng = new SeededRng('bench/elligator');
  const keys = Array.from({ length: 64 }, () => nodeSuite.generateKeyPair(rng).publicKey);
  const encodings = keys.map((k) => elligatorSquaredEncode(k, rng));
  const halves = encodings.map((e) => [bytesToBigInt(e.subarray(0, 32)), bytesToBigInt(e.subarray(32))]);
  return {
    encodePerS: opsPerSecond((i) => elligatorSquaredEncode(keys[i % keys.length], rng)),
    decodePerS: opsPerSecond((i) => elligatorSquaredDecode(encodings[i % encodings.length])),
    referenceEncodePerS: opsPerSecond((i) => elligatorSquaredEncodeReference(keys[i % keys.length], rng)),
    referenceDecodePerS: opsPerSecond((i) => sumOfMapsReference(halves[i % halves.length][0], halves[i % halves.length][1])),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const message = new SeededRng('bench/message').bytes(100);
  const signers = makeSigners(message);
  const noble = benchSuite(nobleSuite, message, signers);
  const node = benchSuite(nodeSuite, message, signers);
  const speedup = Object.fromEntries(Object.keys(noble).map((k) => [k, Math.round((node[k] / noble[k]) * 10) / 10]));
  const elligatorSquared = benchElligator();
  return { targetMsPerFigure: TARGET_MS, packetBytes: PACKET_BYTES, eciesBytes: ECIES_BYTES, noble, node, nodeOverNobleSpeedup: speedup, elligatorSquared };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await run(), null, 2));
}
