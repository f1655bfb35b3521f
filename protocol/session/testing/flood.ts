/** Handshake-flood tooling for tests and measurements: a suite that counts public-key work, throw-away inits. */
import type { CryptoSuite, KeyPair } from '../../crypto/suite.ts';
import { DEFAULT_PADDING_MODE, DEFAULT_WIRE_SIZE } from '../../packet/constants.ts';
import { SeededRng } from '../../runtime/seeded-rng.ts';
import { createInit, type HandshakeContext, type InitiatorHandshake } from '../handshake.ts';

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
  const pool: KeyPair[] = Array.from({ length: opts.identities ?? 64 }, () => suite.generateKeyPair(rng));
  return Array.from({ length: count }, (_, i) =>
    createInit(ctx, { localConnId: rng.bytes(8), staticKey: pool[i % pool.length], peerStaticPub: targetPub, nowMs: opts.nowMs, ...(opts.cookie && { cookie: opts.cookie }) }),
  );
}
