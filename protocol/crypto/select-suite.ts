/** Picks a CryptoSuite: both produce identical bytes, so the choice only affects speed. */
import { nobleSuite } from './noble-suite.ts';
import { nodeCryptoAvailable, nodeSuite } from './node-suite.ts';
import type { CryptoSuite } from './suite.ts';

export type SuiteName = CryptoSuite['name'];

/** nodeSuite (OpenSSL, several times faster) when node:crypto is available, else nobleSuite. */
export function fastestSuite(): CryptoSuite {
  return nodeCryptoAvailable ? nodeSuite : nobleSuite;
}

/** A suite by name; 'node' throws where node:crypto is unavailable (e.g. in a browser). */
export function suiteByName(name: SuiteName): CryptoSuite {
  switch (name) {
    case 'noble':
      return nobleSuite;
    case 'node':
      if (!nodeCryptoAvailable) throw new Error('suite "node" needs node:crypto, which is not available here');
      return nodeSuite;
    default:
      throw new Error(`unknown crypto suite ${JSON.stringify(name)} (expected "noble" or "node")`);
  }
}
