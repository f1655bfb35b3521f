/** Helpers shared by this folder's tests (not used by production code). */
import { nobleSuite } from './noble-suite.ts';
import { nodeSuite } from './node-suite.ts';
import type { CryptoSuite } from './suite.ts';
import { CryptoError } from './suite.ts';
import { fromHex } from './bytes.ts';

export const SUITES: readonly CryptoSuite[] = [nobleSuite, nodeSuite];

/** SEC 1 compressed encoding of an affine point given as hex coordinates. */
export function compress(xHex: string, yHex: string): Uint8Array {
  const y = BigInt('0x' + yHex);
  const out = new Uint8Array(1 + xHex.length / 2);
  out[0] = y & 1n ? 0x03 : 0x02;
  out.set(fromHex(xHex), 1);
  return out;
}

/** Runs `fn` and returns the CryptoError code it threw, or 'ok'. Any other exception propagates. */
export function cryptoOutcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof CryptoError) return e.code;
    throw e;
  }
}

/** Encodings that are not valid P-256 public keys, each for a different reason. */
export function invalidPublicKeys(valid: Uint8Array): Record<string, Uint8Array> {
  const offCurve = new Uint8Array(33);
  offCurve[0] = 0x02;
  offCurve[32] = 1; // x = 1: x^3 - 3x + b is a non-residue mod p, so no y exists
  const xTooBig = new Uint8Array(33).fill(0xff);
  xTooBig[0] = 0x03;
  const badPrefix = Uint8Array.from(valid);
  badPrefix[0] = 0x04;
  return {
    offCurve,
    xTooBig,
    badPrefix,
    hybridPrefix: Uint8Array.of(0x06, ...valid.subarray(1)),
    truncated: valid.subarray(0, 32),
    extended: Uint8Array.of(...valid, 0),
    empty: new Uint8Array(0),
    infinity: new Uint8Array(1),
  };
}
